"""Shape checks for the server's answers. A valid JSON of the wrong shape is as bad as a broken
one: it raises `BadAnswer` naming the answer and the path, and nothing of it is used.
Unknown fields are ignored (forward compatibility); missing required ones are errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.errors import BadAnswer


@dataclass(frozen=True)
class ServerCommand:
    id: str
    type: str
    args: dict[str, Any]


@dataclass(frozen=True)
class HeartbeatAnswer:
    config_version: int
    catalogue_version: int | None
    release: dict[str, Any] | None
    commands: list[ServerCommand]


@dataclass(frozen=True)
class EnrollAnswer:
    device_id: str
    token: str
    site_id: str
    site_name: str
    timezone: str


class Shape:
    """Reads one answer; every failure names the answer and the JSON path."""

    def __init__(self, what: str, data: Any) -> None:
        self.what = what
        self.data = self.object(data, "$")

    def fail(self, path: str, problem: str) -> BadAnswer:
        return BadAnswer(f"{self.what} answer: {path} {problem}")

    def object(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, "must be an object")
        return value

    def get(
        self,
        obj: dict[str, Any],
        key: str,
        kind: type | tuple[type, ...],
        path: str,
        *,
        optional: bool = False,
    ) -> Any:
        if key not in obj or obj[key] is None:
            if optional:
                return None
            raise self.fail(f"{path}.{key}", "is missing")
        value = obj[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds:
            raise self.fail(f"{path}.{key}", f"must be {_names(kinds)}")
        if not isinstance(value, kinds):
            raise self.fail(f"{path}.{key}", f"must be {_names(kinds)}")
        return value

    def text(self, obj: dict[str, Any], key: str, path: str = "$") -> str:
        value: str = self.get(obj, key, str, path)
        return value


def _names(kinds: tuple[type, ...]) -> str:
    names = {
        bool: "true or false",
        int: "a whole number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "an object",
    }
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def parse_enroll(data: Any) -> EnrollAnswer:
    shape = Shape("enroll", data)
    site = shape.object(shape.get(shape.data, "site", dict, "$"), "$.site")
    return EnrollAnswer(
        device_id=shape.text(shape.data, "device_id"),
        token=shape.text(shape.data, "token"),
        site_id=shape.text(site, "id", "$.site"),
        site_name=shape.text(site, "name", "$.site"),
        timezone=shape.text(site, "timezone", "$.site"),
    )


def parse_events(data: Any) -> tuple[list[str], list[tuple[str, str]]]:
    """(accepted ids, [(rejected id, reason)])."""
    shape = Shape("events", data)
    accepted = shape.get(shape.data, "accepted", list, "$")
    rejected = shape.get(shape.data, "rejected", list, "$")
    for i, event_id in enumerate(accepted):
        if not isinstance(event_id, str):
            raise shape.fail(f"$.accepted[{i}]", "must be text")
    refusals = []
    for i, item in enumerate(rejected):
        obj = shape.object(item, f"$.rejected[{i}]")
        refusals.append(
            (
                shape.text(obj, "id", f"$.rejected[{i}]"),
                shape.text(obj, "reason", f"$.rejected[{i}]"),
            )
        )
    return accepted, refusals


def parse_heartbeat(data: Any) -> HeartbeatAnswer:
    shape = Shape("heartbeat", data)
    release = shape.get(shape.data, "release", dict, "$", optional=True)
    if release is not None:
        shape.text(release, "version", "$.release")
        shape.text(release, "manifest_url", "$.release")
    commands = []
    for i, item in enumerate(shape.get(shape.data, "commands", list, "$")):
        path = f"$.commands[{i}]"
        obj = shape.object(item, path)
        args = shape.get(obj, "args", dict, path, optional=True) or {}
        commands.append(ServerCommand(shape.text(obj, "id", path), shape.text(obj, "type", path), args))
    return HeartbeatAnswer(
        config_version=shape.get(shape.data, "config_version", int, "$"),
        catalogue_version=shape.get(shape.data, "catalogue_version", int, "$", optional=True),
        release=release,
        commands=commands,
    )


def parse_config(data: Any) -> tuple[int, dict[str, Any]]:
    shape = Shape("config", data)
    return shape.get(shape.data, "version", int, "$"), shape.get(shape.data, "settings", dict, "$")

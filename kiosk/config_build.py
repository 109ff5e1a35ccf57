"""TOML layers into frozen dataclasses: merge the layers key by key, remembering which layer
set each key, then build the dataclasses with their types and the limits in each field's
metadata. Every error is one line naming the layer (file), the dotted key, the bad value and
what is allowed. kiosk/config.py says what the settings are; this module knows none of them."""

from __future__ import annotations

import dataclasses
import difflib
import re
import typing
from collections.abc import Mapping
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.errors import ConfigError

_SPAN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")


def merge(
    into: dict[str, Any], data: Mapping[str, Any], label: str, origins: dict[str, str], prefix: str
) -> None:
    for key, value in data.items():
        dotted = prefix + key
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            merge(into[key], value, label, origins, dotted + ".")
        else:
            into[key] = dict(value) if isinstance(value, Mapping) else value
            for old in [k for k in origins if k == dotted or k.startswith(dotted + ".")]:
                del origins[old]
            _record(value, label, origins, dotted)


def _record(value: Any, label: str, origins: dict[str, str], dotted: str) -> None:
    if isinstance(value, Mapping) and value:
        for k, v in value.items():
            _record(v, label, origins, f"{dotted}.{k}")
    else:
        origins[dotted] = label


def where(origins: Mapping[str, str], dotted: str) -> str:
    plain = re.sub(r"\[\d+\]", "", dotted)
    below = [label for key, label in origins.items() if key.startswith(plain + ".")]
    if below:
        return below[-1]
    parts = plain.split(".")
    while parts:
        label = origins.get(".".join(parts))
        if label:
            return label
        parts.pop()
    return next(iter(origins.values()), "config")


def _fail(origins: Mapping[str, str], dotted: str, what: str) -> typing.NoReturn:
    raise ConfigError(f"{where(origins, dotted)}: {dotted} {what}")


def build(cls: type, data: Any, prefix: str, origins: Mapping[str, str]) -> Any:
    if not isinstance(data, Mapping):
        _fail(origins, prefix.rstrip("."), f"= {data!r} must be a table")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    for key in data:
        if key not in names:
            near = difflib.get_close_matches(key, names, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else f"; known keys: {', '.join(sorted(names))}"
            _fail(origins, prefix + key, f"is not a known setting{hint}")
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        dotted = prefix + f.name
        if f.name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                _fail(origins, dotted, "is missing; it is required")
            continue
        value = _convert(hints[f.name], data[f.name], dotted, origins)
        _check(value, f.metadata, dotted, origins)
        kwargs[f.name] = value
    return cls(**kwargs)


def _convert(hint: Any, value: Any, dotted: str, origins: Mapping[str, str]) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return build(hint, value, dotted + ".", origins)
    if origin is Literal:
        if value not in args or isinstance(value, bool) != isinstance(args[0], bool):
            allowed = ", ".join(repr(a) for a in args)
            _fail(origins, dotted, f"= {value!r} is not allowed; use one of {allowed}")
        return value
    if origin is tuple:
        if not isinstance(value, list):
            _fail(origins, dotted, f"= {value!r} must be a list")
        return tuple(_convert(args[0], v, f"{dotted}[{i}]", origins) for i, v in enumerate(value))
    if origin is Mapping:
        if not isinstance(value, Mapping):
            _fail(origins, dotted, f"= {value!r} must be a table")
        return {str(k): _convert(args[1], v, f"{dotted}.{k}", origins) for k, v in value.items()}
    expected = {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}
    ok = (
        isinstance(value, bool)
        if hint is bool
        else isinstance(value, (int, float)) and not isinstance(value, bool)
        if hint is float
        else isinstance(value, hint) and not isinstance(value, bool)
    )
    if not ok:
        _fail(origins, dotted, f"= {value!r} must be {expected.get(hint, hint)}")
    return float(value) if hint is float else value


def _check(value: Any, meta: Mapping[str, Any], dotted: str, origins: Mapping[str, str]) -> None:
    lo, hi = meta.get("min"), meta.get("max")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        _fail(origins, dotted, f"= {value!r} is out of range; allowed: {lo} to {hi}")
    if "min_len" in meta and len(value) < meta["min_len"]:
        _fail(origins, dotted, "must not be empty")
    if "pattern" in meta and not meta["pattern"].match(value):
        _fail(origins, dotted, f"= {value!r} has the wrong form; allowed: {meta['allowed']}")
    if meta.get("check") == "timezone":
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            _fail(origins, dotted, f"= {value!r} is not a timezone; use e.g. 'Asia/Ho_Chi_Minh'")
    if meta.get("check") == "hours":
        for day, spans in value.items():
            if day not in meta["weekdays"]:
                _fail(origins, f"{dotted}.{day}", f"is not a weekday; use {', '.join(meta['weekdays'])}")
            for span in spans:
                if not _SPAN.match(span) or span[:5] >= span[6:]:
                    _fail(origins, f"{dotted}.{day}", f"= {span!r} must be 'HH:MM-HH:MM', start < end")

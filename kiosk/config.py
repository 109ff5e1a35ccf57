"""Typed, frozen settings from TOML layers; every error names the file, the key and the fix.

Layers, later wins: the packaged defaults (config/kiosk.toml, where every setting is documented)
→ the site file (/etc/kiosk/kiosk.toml, `--config` or KIOSK_CONFIG) → the printer settings a
technician saved (technician-settings.json in the state dir; only TECHNICIAN_KEYS) → the
settings pushed by the server (server-settings.json in the state dir; only SERVER_KEYS) →
command-line overrides. Defaults live only in config/kiosk.toml, so a setting cannot exist
without being documented. Merging and type checking are kiosk/config_build.py's.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from kiosk import store
from kiosk.config_build import build, merge, where
from kiosk.errors import ConfigError

log = logging.getLogger(__name__)
SITE_FILE = Path("/etc/kiosk/kiosk.toml")
SERVER_SETTINGS_FILE = "server-settings.json"
# What a technician chose on the kiosk's printer screen (kiosk/technician/settings.py): a layer
# after the site file, before the server's, holding only these printer keys.
TECHNICIAN_SETTINGS_FILE = "technician-settings.json"
TECHNICIAN_KEYS = ("printer.url", "printer.baudrate", "printer.vietnamese", "printer.user_glyphs")

# Keys (dotted prefixes) that the central server may set (PROTOCOL.md, GET /config).
SERVER_KEYS = (
    "site.name",
    "site.header",
    "site.day_start",
    "ui.notices",
    "ui.idle_timeout_s",
    "ui.languages",
    "queue.services",
    "queue.ticket_qr_url",
    "queue.ticket_footer",
    "technician.pin_hash",
)

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _meta(default: Any = dataclasses.MISSING, **kw: Any) -> Any:
    if default is dict:
        return field(default_factory=dict, metadata=kw)
    return field(default=default, metadata=kw)


@dataclass(frozen=True, kw_only=True)
class Site:
    name: str = _meta(min_len=1)
    header: str
    timezone: str = _meta(check="timezone")
    day_start: str = _meta(pattern=_HHMM, allowed="HH:MM, e.g. 00:00")


@dataclass(frozen=True, kw_only=True)
class Features:
    queue: bool
    lookup: bool
    dossier: bool
    rating: bool


@dataclass(frozen=True, kw_only=True)
class UI:
    languages: tuple[Literal["vi", "en"], ...] = _meta(min_len=1)
    default_language: Literal["vi", "en"]
    idle_timeout_s: int = _meta(min=10, max=3600)
    done_return_s: int = _meta(min=2, max=60)
    fullscreen: bool
    rotation: Literal[0, 90, 180, 270]
    size: str = _meta(pattern=re.compile(r"^\d{3,5}x\d{3,5}$"), allowed="WIDTHxHEIGHT, e.g. 1080x1920")
    show_cursor: bool
    notices: tuple[str, ...]
    display_diagonal_in: float = _meta(min=0, max=120)
    idle_warning_s: int = _meta(min=5, max=60)


@dataclass(frozen=True, kw_only=True)
class Printer:
    url: str
    baudrate: Literal[1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200]
    framing: Literal["8N1", "8N2", "7E1", "7O1", "8E1", "8O1"]
    rtscts: bool
    xonxoff: bool
    write_timeout_s: float = _meta(min=0.5, max=120)
    profile: str = _meta(min_len=1)
    vietnamese: Literal["auto", "tcvn3", "cp1258", "raster", "ascii"]
    paper_width_mm: Literal[58, 80]
    user_glyphs: bool
    status_poll_s: float = _meta(min=0.5, max=600)
    finish_s: float = _meta(min=0, max=60)


@dataclass(frozen=True, kw_only=True)
class Scanner:
    url: str
    baudrate: Literal[1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200]


@dataclass(frozen=True, kw_only=True)
class Server:
    url: str = _meta(pattern=re.compile(r"^(|https?://\S+)$"), allowed="empty or http(s)://host[:port]")
    ca_file: str
    connect_timeout_s: float = _meta(min=0.5, max=60)
    read_timeout_s: float = _meta(min=1, max=300)
    call_deadline_s: float = _meta(min=1, max=900)
    heartbeat_interval_s: int = _meta(min=5, max=3600)
    sync_interval_s: int = _meta(min=10, max=86400)


@dataclass(frozen=True, kw_only=True)
class Service:
    id: str = _meta(pattern=re.compile(r"^[A-Z]{1,2}$"), allowed="one or two capital letters")
    name: str = _meta(min_len=1)
    name_en: str = ""
    counters: tuple[str, ...] = ()
    series_start: int = _meta(1, min=0, max=9999)
    series_end: int = _meta(999, min=1, max=9999)
    daily_limit: int = _meta(0, min=0, max=9999)
    priority: bool = False
    hours: Mapping[str, tuple[str, ...]] = _meta(dict, check="hours", weekdays=WEEKDAYS)


@dataclass(frozen=True, kw_only=True)
class Queue:
    services: tuple[Service, ...]
    ticket_qr_url: str
    ticket_footer: str
    ticket_footer_en: str


@dataclass(frozen=True, kw_only=True)
class Technician:
    pin_hash: str


@dataclass(frozen=True, kw_only=True)
class Settings:
    site: Site
    features: Features
    ui: UI
    printer: Printer
    scanner: Scanner
    server: Server
    queue: Queue
    technician: Technician


@dataclass(frozen=True, kw_only=True)
class Loaded:
    """The effective settings and, for each dotted key, the layer it came from."""

    settings: Settings
    origins: dict[str, str]
    site_file: Path | None = None
    warnings: tuple[str, ...] = ()  # layers left out, each with why (one line)


def packaged_defaults_path() -> Path:
    return Path(str(resources.files("kiosk").joinpath("data/kiosk.toml"))).resolve()


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from None


def read_server_settings(state_dir: Path) -> dict[str, Any]:
    """The last settings the server pushed and the kiosk accepted ({} when none)."""
    data = _read_json_settings(state_dir / SERVER_SETTINGS_FILE)
    return data.get("settings", data)


def read_technician_settings(state_dir: Path) -> dict[str, Any]:
    """The printer settings a technician saved on the kiosk ({} when none)."""
    path = state_dir / TECHNICIAN_SETTINGS_FILE
    return _only_technician_keys(_read_json_settings(path), str(path))


def _read_json_settings(path: Path) -> dict[str, Any]:
    """A settings file the kiosk wrote itself (JSON object); {} when there is none."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a JSON object of settings")
    return data


def _only_technician_keys(data: Mapping[str, Any], label: str) -> dict[str, Any]:
    for key, value in data.items():
        if key != "printer" or not isinstance(value, Mapping):
            raise ConfigError(f"{label}: {key}: only printer settings are kept here")
        for name in value:
            if f"printer.{name}" not in TECHNICIAN_KEYS:
                raise ConfigError(f"{label}: printer.{name}: a technician may not set this key here")
    return {key: dict(value) for key, value in data.items()}


def server_may_set(dotted: str) -> bool:
    return any(dotted == k or dotted.startswith(k + ".") for k in SERVER_KEYS)


def load(
    site_file: Path | None = None,
    state_dir: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    server_settings: Mapping[str, Any] | None = None,
    technician_settings: Mapping[str, Any] | None = None,
) -> Loaded:
    """Read every layer, merge them and validate the result. `server_settings` and
    `technician_settings`, when given, stand in for the files in `state_dir`."""
    default_path = packaged_defaults_path()
    layers: list[tuple[str, dict[str, Any]]] = [(str(default_path), read_toml(default_path))]
    if site_file is None and os.environ.get("KIOSK_CONFIG"):
        site_file = Path(os.environ["KIOSK_CONFIG"])
    if site_file is None and SITE_FILE.exists():
        site_file = SITE_FILE
    if site_file is not None:
        layers.append((str(site_file), read_toml(site_file)))
    # The technician's file is written by the kiosk itself. One it cannot use (damaged, or from
    # a newer release that knew more keys) is left out with a warning rather than stopping the
    # UI and the agent: the site's printer settings still print, and the agent can still sync.
    warnings: list[str] = []
    chosen: dict[str, Any] = {}
    tech_label = "technician" if state_dir is None else str(state_dir / TECHNICIAN_SETTINGS_FILE)
    if technician_settings is not None:
        chosen = _only_technician_keys(technician_settings, tech_label)
    elif state_dir is not None:
        try:
            chosen = read_technician_settings(state_dir)
        except ConfigError as exc:
            warnings.append(f"left out: {exc}")
    if chosen:
        layers.append((tech_label, chosen))
    pushed = dict(server_settings or {})
    if server_settings is None and state_dir is not None:
        pushed = read_server_settings(state_dir)
    if pushed:
        label = "server" if state_dir is None else str(state_dir / SERVER_SETTINGS_FILE)
        layers.append((label, _only_server_keys(pushed, label)))
    if overrides:
        layers.append(("command line", _nest(overrides)))
    try:
        settings, origins = _assemble(layers)
    except ConfigError as exc:
        if technician_settings is not None or not chosen or tech_label not in str(exc):
            raise
        warnings.append(f"left out: {exc}")
        settings, origins = _assemble([layer for layer in layers if layer[0] != tech_label])
    for warning in warnings:
        log.warning("settings: %s", warning)
    return Loaded(settings=settings, origins=origins, site_file=site_file, warnings=tuple(warnings))


def _assemble(layers: list[tuple[str, dict[str, Any]]]) -> tuple[Settings, dict[str, str]]:
    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for label, data in layers:
        merge(merged, data, label, origins, "")
    settings = build(Settings, merged, "", origins)
    validate_services(settings)
    return settings, origins


def check_server_settings(settings: Mapping[str, Any], base: Loaded | None = None) -> list[str]:
    """Problems with a settings object pushed by the server ([] when it can be applied)."""
    problems = [f"{k}: the server may not set this key" for k in _flat(settings) if not server_may_set(k)]
    if problems:
        return problems
    try:
        load(site_file=base.site_file if base else None, server_settings=settings)
    except ConfigError as exc:
        problems.append(str(exc))
    return problems


def _only_server_keys(data: dict[str, Any], label: str) -> dict[str, Any]:
    for key in _flat(data):
        if not server_may_set(key):
            raise ConfigError(f"{label}: {key}: the server may not set this key")
    return data


def _flat(data: Mapping[str, Any], prefix: str = "") -> list[str]:
    keys: list[str] = []
    for k, v in data.items():
        dotted = f"{prefix}{k}"
        if isinstance(v, Mapping) and not server_may_set(dotted):
            keys.extend(_flat(v, dotted + "."))
        else:
            keys.append(dotted)
    return keys


def _nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for dotted, value in flat.items():
        node = out
        *parents, last = dotted.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[last] = value
    return out


def validate_services(settings: Settings) -> None:
    """Cross-field checks that one key alone cannot make."""
    seen: set[str] = set()
    for i, s in enumerate(settings.queue.services):
        if s.id in seen:
            raise ConfigError(f"queue.services[{i}].id = {s.id!r} is used twice; ids must be unique")
        seen.add(s.id)
        if s.series_start > s.series_end:
            raise ConfigError(
                f"queue.services[{i}] ({s.id}): series_start {s.series_start} is after "
                f"series_end {s.series_end}"
            )


def describe(loaded: Loaded) -> list[tuple[str, Any, str]]:
    """(dotted key, effective value, layer) for every setting, for `kiosk config show`."""
    rows: list[tuple[str, Any, str]] = []

    def walk(obj: Any, prefix: str) -> None:
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            dotted = prefix + f.name
            if dataclasses.is_dataclass(value):
                walk(value, dotted + ".")
            else:
                shown = "(set)" if f.name == "pin_hash" and value else value
                if isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]):
                    shown = [dataclasses.asdict(v) for v in value]
                rows.append((dotted, shown, where(loaded.origins, dotted)))

    walk(loaded.settings, "")
    return rows


def state_dir(args: argparse.Namespace) -> Path:
    """The state directory a command line asks for (`--state-dir`), else the default one."""
    return Path(args.state_dir) if getattr(args, "state_dir", None) else store.default_state_dir()


def load_config(args: argparse.Namespace, overrides: dict[str, Any] | None = None) -> Loaded:
    """The settings a command line asks for: `--config` as the site file, `--state-dir`'s layers."""
    site = Path(args.config) if getattr(args, "config", None) else None
    return load(site_file=site, state_dir=state_dir(args), overrides=overrides)

"""Settings: layers, one-line errors for every kind of bad value, documentation of every key."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
import typing
from pathlib import Path

import pytest

from kiosk import config
from kiosk.errors import ConfigError
from tests.fixtures_core import DEMO_CONFIG, REPO


def kiosk(site: Path, state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The `kiosk` command as a process, with this site file and state dir."""
    command = [sys.executable, "-m", "kiosk", "--config", str(site), "--state-dir", str(state), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_packaged_defaults_load_alone() -> None:
    loaded = config.load()
    assert loaded.settings.ui.idle_timeout_s == 60
    assert loaded.settings.site.timezone == "Asia/Ho_Chi_Minh"


def test_site_file_overrides_defaults_and_origins_say_so(tmp_path: Path) -> None:
    site = write(tmp_path, "[ui]\nidle_timeout_s = 90\n")
    loaded = config.load(site_file=site)
    assert loaded.settings.ui.idle_timeout_s == 90
    assert loaded.origins["ui.idle_timeout_s"] == str(site)
    assert loaded.origins["ui.done_return_s"] == str(config.packaged_defaults_path())


def test_layers_later_wins_server_then_command_line(tmp_path: Path) -> None:
    site = write(tmp_path, '[ui]\nidle_timeout_s = 90\n[site]\nname = "UBND xã A"\n')
    state = tmp_path / "state"
    state.mkdir()
    (state / config.SERVER_SETTINGS_FILE).write_text(
        json.dumps(
            {
                "version": 3,
                "settings": {"ui": {"idle_timeout_s": 120}, "site": {"name": "UBND xã B"}},
            }
        ),
        encoding="utf-8",
    )
    loaded = config.load(site_file=site, state_dir=state, overrides={"ui.idle_timeout_s": 30})
    assert loaded.settings.ui.idle_timeout_s == 30
    assert loaded.origins["ui.idle_timeout_s"] == "command line"
    assert loaded.settings.site.name == "UBND xã B"
    assert loaded.origins["site.name"].endswith(config.SERVER_SETTINGS_FILE)


def test_technician_layer_sits_between_site_file_and_command_line(tmp_path: Path) -> None:
    site = write(tmp_path, '[printer]\nvietnamese = "tcvn3"\nbaudrate = 19200\n')
    state = tmp_path / "state"
    state.mkdir()
    chosen = {"printer": {"vietnamese": "raster", "user_glyphs": False}}
    (state / config.TECHNICIAN_SETTINGS_FILE).write_text(json.dumps(chosen), encoding="utf-8")
    loaded = config.load(site_file=site, state_dir=state, overrides={"printer.user_glyphs": True})
    printer = loaded.settings.printer
    assert (printer.vietnamese, printer.baudrate, printer.user_glyphs) == ("raster", 19200, True)
    assert loaded.origins["printer.vietnamese"].endswith(config.TECHNICIAN_SETTINGS_FILE)
    assert loaded.origins["printer.baudrate"] == str(site)


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ('{"ui": {"idle_timeout_s": 5}}', r"ui: only printer settings are kept here"),
        ('{"printer": {"profile": "x"}}', r"printer\.profile: a technician may not set this key here"),
        ('{"printer": {"vietnamese": "klingon"}}', r"printer\.vietnamese = 'klingon'"),
        ("{not json", r"not valid JSON"),
    ],
)
def test_a_technician_file_the_kiosk_cannot_use_is_left_out_and_said(
    tmp_path: Path, written: str, message: str
) -> None:
    # Written by the kiosk itself: a damaged one must not stop the UI and the agent from starting.
    site = write(tmp_path, '[printer]\nvietnamese = "cp1258"\n')
    state = tmp_path / "state"
    state.mkdir()
    (state / config.TECHNICIAN_SETTINGS_FILE).write_text(written, encoding="utf-8")
    loaded = config.load(site_file=site, state_dir=state)
    assert loaded.settings.printer.vietnamese == "cp1258"
    [warning] = loaded.warnings
    assert re.search(message, warning) and config.TECHNICIAN_SETTINGS_FILE in warning and "\n" not in warning
    checked = subprocess.run(
        [sys.executable, "-m", "kiosk", "--config", str(site), "--state-dir", str(state), "config", "check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 1 and "config warning: left out:" in checked.stderr


def test_server_layer_may_not_set_local_keys(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / config.SERVER_SETTINGS_FILE).write_text(
        json.dumps({"settings": {"printer": {"url": "socket://evil:9100"}}}), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"printer\.url: the server may not set this key"):
        config.load(state_dir=state)
    assert config.check_server_settings({"printer": {"baudrate": 9600}}) == [
        "printer.baudrate: the server may not set this key"
    ]
    assert config.check_server_settings({"ui": {"idle_timeout_s": 45}}) == []
    problems = config.check_server_settings({"ui": {"idle_timeout_s": 1}})
    assert len(problems) == 1 and "idle_timeout_s = 1 is out of range" in problems[0]


BAD = [
    ("[ui]\nidle_timeout_s = 5\n", r"ui\.idle_timeout_s = 5 is out of range; allowed: 10 to 3600"),
    (
        "[ui]\nidle_timout_s = 50\n",
        r"ui\.idle_timout_s is not a known setting; did you mean 'idle_timeout_s'\?",
    ),
    ("[printr]\nurl = ''\n", r"printr is not a known setting; did you mean 'printer'\?"),
    (
        "[printer]\nbaudrate = 9601\n",
        r"printer\.baudrate = 9601 is not allowed; use one of 1200, .*115200",
    ),
    ("[printer]\nbaudrate = '9600'\n", r"printer\.baudrate = '9600' is not allowed"),
    ("[ui]\nfullscreen = 'yes'\n", r"ui\.fullscreen = 'yes' must be true or false"),
    ("[ui]\nidle_timeout_s = 60.5\n", r"ui\.idle_timeout_s = 60\.5 must be a whole number"),
    ("[ui]\nidle_timeout_s = true\n", r"ui\.idle_timeout_s = True must be a whole number"),
    ("[ui]\nnotices = 'one'\n", r"ui\.notices = 'one' must be a list"),
    (
        "[ui]\nsize = '1080*1920'\n",
        r"ui\.size = '1080\*1920' has the wrong form; allowed: WIDTHxHEIGHT",
    ),
    ("[site]\ntimezone = 'Asia/Hanoii'\n", r"site\.timezone = 'Asia/Hanoii' is not a timezone"),
    ("[site]\nday_start = '24:00'\n", r"site\.day_start = '24:00' has the wrong form"),
    ("[site]\nname = ''\n", r"site\.name must not be empty"),
    ("[server]\nurl = 'ftp://x'\n", r"server\.url = 'ftp://x' has the wrong form"),
    ("site = 3\n", r"site = 3 must be a table"),
    (
        "[[queue.services]]\nid = 'a'\nname = 'X'\n",
        r"queue\.services\[0\]\.id = 'a' has the wrong form",
    ),
    ("[[queue.services]]\nid = 'A'\n", r"queue\.services\[0\]\.name is missing; it is required"),
    (
        "[[queue.services]]\nid = 'A'\nname = 'X'\nhours = { mon = ['17:00-07:00'] }\n",
        r"queue\.services\[0\]\.hours\.mon = '17:00-07:00' must be 'HH:MM-HH:MM', start < end",
    ),
    (
        "[[queue.services]]\nid = 'A'\nname = 'X'\nhours = { mo = ['07:00-11:00'] }\n",
        r"queue\.services\[0\]\.hours\.mo is not a weekday",
    ),
    (
        "[[queue.services]]\nid = 'A'\nname = 'X'\n[[queue.services]]\nid = 'A'\nname = 'Y'\n",
        r"queue\.services\[1\]\.id = 'A' is used twice",
    ),
    (
        "[[queue.services]]\nid = 'A'\nname = 'X'\nseries_start = 500\nseries_end = 100\n",
        r"series_start 500 is after series_end 100",
    ),
    ("[ui\n", r"not valid TOML"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_each_bad_value_gives_one_line_naming_file_key_and_fix(
    tmp_path: Path, text: str, message: str
) -> None:
    site = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        config.load(site_file=site)
    line = str(info.value)
    assert "\n" not in line
    assert re.search(message, line), line
    if "is used twice" not in line and "is after" not in line:
        assert line.startswith(str(site)), line


def test_missing_site_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        config.load(site_file=tmp_path / "nope.toml")


def test_config_typo_exits_non_zero_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    site = write(tmp_path, "[ui]\nidle_timeout_s = -1\n")
    result = kiosk(site, tmp_path, "config", "check")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert (
        lines[0]
        == f"kiosk: config error: {site}: ui.idle_timeout_s = -1 is out of range; allowed: 10 to 3600"
    )


def test_kiosk_run_with_bad_config_exits_before_opening_a_window(tmp_path: Path) -> None:
    site = write(tmp_path, "[printer]\nvietnamese = 'viet'\n")
    result = kiosk(site, tmp_path, "run", "--exit-after", "1")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "printer.vietnamese = 'viet' is not allowed" in result.stderr


def _setting_names(cls: type, prefix: str = "") -> list[str]:
    names = []
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        if dataclasses.is_dataclass(hint):
            names += _setting_names(hint, f"{prefix}{f.name}.")
        else:
            names.append(prefix + f.name)
            args = typing.get_args(hint)
            if args and dataclasses.is_dataclass(args[0]):
                names += _setting_names(args[0], f"{prefix}{f.name}[].")
    return names


def test_every_setting_is_documented_in_config_kiosk_toml() -> None:
    text = (REPO / "config" / "kiosk.toml").read_text(encoding="utf-8")
    lines = text.splitlines()
    undocumented = []
    for dotted in _setting_names(config.Settings):
        key = dotted.rsplit(".", 1)[-1]
        pattern = re.compile(rf"^#?\s*{re.escape(key)}\s*=")
        at = [
            i
            for i, line in enumerate(lines)
            if pattern.match(line.strip().lstrip("#").strip() + "") or pattern.match(line.strip())
        ]
        if not at:
            undocumented.append(dotted)
            continue
        if "[]." in dotted:
            continue  # list-table keys are documented in the comment block that shows them
        if not any(lines[i - 1].lstrip().startswith("#") for i in at):
            undocumented.append(dotted)
    assert undocumented == []


def test_demo_site_loads_with_its_services() -> None:
    settings = config.load(site_file=DEMO_CONFIG).settings
    assert [s.id for s in settings.queue.services] == ["A", "B", "C", "D"]
    assert settings.queue.services[0].hours["mon"] == ("07:30-11:30", "13:30-17:00")


def test_config_show_lists_each_setting_with_its_layer(tmp_path: Path) -> None:
    site = write(tmp_path, '[site]\nname = "UBND phường Ba Đình"\n')
    result = kiosk(site, tmp_path, "config", "show", "--json")
    assert result.returncode == 0, result.stderr
    rows = {r["key"]: r for r in json.loads(result.stdout)}
    assert rows["site.name"] == {
        "key": "site.name",
        "value": "UBND phường Ba Đình",
        "from": str(site),
    }
    assert rows["ui.idle_timeout_s"]["from"] == str(config.packaged_defaults_path())
    assert set(rows) == {n for n in _setting_names(config.Settings) if "[]" not in n}

"""Technician mode's core: PIN hashes, the lock-out kept in the real database, the PIN file and
`kiosk set-pin`, the corner gesture, the status facts and the printer actions on a real pty."""

from __future__ import annotations

import io
import logging
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import cli, outbox, store
from kiosk.device.log_ring import LogRing
from kiosk.drivers.printer_detect import detect
from kiosk.drivers.virtual.printer import VirtualPrinter
from kiosk.errors import ConfigError
from kiosk.technician import pin as technician
from kiosk.technician.pin import Outcome, try_pin
from kiosk.technician.printer import print_mode_sample, print_test_page
from kiosk.technician.status import check_server, gather, ip_addresses
from tests.fixtures_printing import connect

# Small N keeps the table tests quick; the default parameters get their own test.
FAST = {"n": 2**10, "r": 8, "p": 1}


def test_default_hash_is_self_describing_salted_and_verifies() -> None:
    first, second = technician.hash_pin("2468"), technician.hash_pin("2468")
    assert first != second, "a fresh salt each time"
    scheme, n, r, p, salt, key = first.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert "2468" not in first
    assert technician.verify_pin("2468", first)
    assert not technician.verify_pin("2469", first)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("1357", True), ("13570", False), ("135", False), ("", False), ("1357 ", False), ("abcd", False)],
)
def test_verify_table(typed: str, expected: bool) -> None:
    encoded = technician.hash_pin("1357", **FAST)
    assert technician.verify_pin(typed, encoded) is expected


@pytest.mark.parametrize(
    ("encoded", "problem"),
    [
        ("", "expected scrypt"),
        ("plain-1234", "expected scrypt"),
        ("bcrypt$1$8$1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", "expected scrypt"),
        ("scrypt$x$8$1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", "must be numbers"),
        ("scrypt$1000$8$1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", "power of two"),
        ("scrypt$2097152$8$1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", "power of two"),
        ("scrypt$1024$64$1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", "r must be"),
        ("scrypt$1024$8$1$c2E$a2V5a2V5a2V5a2V5a2V5a2V5", "too short"),
        ("scrypt$1024$8$1$c2FsdHNhbHQ$!!!", "base64"),
    ],
)
def test_malformed_hashes_are_refused_with_the_reason(encoded: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        technician.parse_hash(encoded)


@pytest.mark.parametrize("pin", ["123", "1234567890123", "12a4", "", "١٢٣٤"])
def test_pin_format_is_four_to_twelve_ascii_digits(pin: str) -> None:
    with pytest.raises(ConfigError, match="4 to 12 digits"):
        technician.hash_pin(pin, **FAST)


def test_five_wrong_tries_lock_for_five_minutes_and_the_lock_survives_a_restart(db, state_dir: Path) -> None:
    encoded = technician.hash_pin("2468", **FAST)
    now = 1_000_000.0
    left = [try_pin(db, encoded, "0000", now + i).tries_left for i in range(4)]
    assert left == [4, 3, 2, 1]
    fifth = try_pin(db, encoded, "0000", now + 4)
    assert (fifth.outcome, fifth.locked_for_s) == (Outcome.locked, 300)
    reopened = store.open_state(state_dir)  # a restart: a new connection to the same file
    try:
        locked = try_pin(reopened, encoded, "2468", now + 64)  # even the right PIN
        assert locked.outcome == Outcome.locked and locked.locked_for_s == pytest.approx(240)
        assert try_pin(reopened, encoded, "2468", now + 305).outcome == Outcome.ok
        assert try_pin(reopened, encoded, "0000", now + 306).tries_left == 4, "a fresh count after"
    finally:
        reopened.close()


def test_the_right_pin_resets_the_count(db) -> None:
    encoded = technician.hash_pin("2468", **FAST)
    for i in range(4):
        try_pin(db, encoded, "1111", 10.0 + i)
    assert try_pin(db, encoded, "2468", 20.0).outcome == Outcome.ok
    assert try_pin(db, encoded, "1111", 21.0).tries_left == 4


def test_a_clock_set_back_never_lengthens_the_lock(db) -> None:
    encoded = technician.hash_pin("2468", **FAST)
    for i in range(5):
        try_pin(db, encoded, "1111", 5_000.0 + i)
    assert technician.locked_for(db, 3_000.0) == 300  # clock went back 2000 s: still five minutes


def test_no_pin_and_a_bad_hash_never_open(db) -> None:
    assert try_pin(db, "", "1234", 1.0).outcome == Outcome.not_set
    assert try_pin(db, "scrypt$oops", "1234", 1.0).outcome == Outcome.bad_hash


def test_pin_file_wins_over_the_setting_and_clear_falls_back(state_dir: Path) -> None:
    setting = technician.hash_pin("1111", **FAST)
    assert technician.stored_hash(state_dir, "") == ("", "")
    assert technician.stored_hash(state_dir, setting) == (setting, "technician.pin_hash")
    mine = technician.hash_pin("2222", **FAST)
    path = technician.write_pin_file(state_dir, mine)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert technician.stored_hash(state_dir, setting) == (mine, str(path))
    assert technician.clear_pin_file(state_dir) and not technician.clear_pin_file(state_dir)
    assert technician.stored_hash(state_dir, setting)[0] == setting


def test_write_pin_file_refuses_a_malformed_hash(state_dir: Path) -> None:
    with pytest.raises(ConfigError):
        technician.write_pin_file(state_dir, "1234")
    assert not technician.pin_file(state_dir).exists()


def test_set_pin_from_stdin_writes_only_a_hash(
    state_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("864209\n"))
    assert cli.main(["--state-dir", str(state_dir), "set-pin", "--pin-stdin"]) == 0
    text = technician.pin_file(state_dir).read_text()
    assert "864209" not in text and technician.verify_pin("864209", text.strip())
    assert "864209" not in capsys.readouterr().out


def test_set_pin_typed_twice_must_match(state_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    typed = iter(["2468", "2460"])
    monkeypatch.setattr("getpass.getpass", lambda _prompt: next(typed))
    assert cli.main(["--state-dir", str(state_dir), "set-pin"]) == 2
    assert not technician.pin_file(state_dir).exists()


def test_set_pin_bad_pin_exits_2_and_print_hash_writes_nothing(state_dir: Path) -> None:
    run = [sys.executable, "-m", "kiosk", "--state-dir", str(state_dir), "set-pin", "--pin-stdin"]
    bad = subprocess.run(run, input="12\n", capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "4 to 12 digits" in bad.stderr
    printed = subprocess.run(run + ["--print-hash"], input="4321\n", capture_output=True, text=True)
    assert printed.returncode == 0 and technician.verify_pin("4321", printed.stdout.strip())
    assert not technician.pin_file(state_dir).exists()


@pytest.mark.parametrize(
    ("taps", "opens"),
    [
        ([(True, 0.0), (True, 0.5), (True, 1.0), (True, 1.5), (True, 2.0)], [False] * 4 + [True]),
        ([(True, 0.0), (True, 1.0), (True, 2.0), (True, 3.0), (True, 3.5)], [False] * 5),
        ([(True, 0.0), (True, 0.2), (False, 0.4), (True, 0.6), (True, 0.8)], [False] * 5),
        ([(True, t / 10) for t in range(10)], [False] * 4 + [True] + [False] * 4 + [True]),
    ],
    ids=["five-in-three-seconds", "too-slow", "a-tap-elsewhere-starts-over", "twice"],
)
def test_corner_gesture(taps: list[tuple[bool, float]], opens: list[bool]) -> None:
    gesture = technician.CornerTaps()
    assert [gesture.tap(inside, at) for inside, at in taps] == opens


def test_status_facts_from_the_database(db, state_dir: Path, demo_settings) -> None:
    from datetime import datetime

    outbox.add(db, "kiosk.started", {}, datetime.now().astimezone())
    facts = gather(db, state_dir, demo_settings.site.name, datetime.now().astimezone())
    assert (facts.enrolled, facts.device_id, facts.site) == (False, None, "UBND xã Mê Linh")
    assert (facts.outbox_pending, facts.catalogue_procedures, facts.catalogue_version) == (1, 0, None)
    assert all(not a.startswith("127.") and a != "::1" for a in ip_addresses())


def test_server_reachability_against_the_real_server(central_server) -> None:
    assert check_server(central_server.url).ok
    central_server.stop()
    down = check_server(central_server.url)
    assert not down.ok and down.detail
    assert check_server(None).detail == "no server configured"


def test_test_page_and_mode_samples_reach_the_virtual_printer(virtual_printer: VirtualPrinter) -> None:
    printer = connect(virtual_printer.device, mode="tcvn3")
    try:
        assert print_test_page(printer) == "tcvn3"
        print_mode_sample(printer, "cp1258")
        print_mode_sample(printer, "raster")
        assert printer.options.mode == "tcvn3", "the sample's mode was for that print only"
        page, cp1258, raster = virtual_printer.wait_for_tickets(3)
        assert "TRANG IN THỬ" in page.lines[0]
        assert any("ắ ầ ẻ ỗ ợ ự" in line for line in cp1258.lines), cp1258.lines
        # raster: the same letters, sent as user-defined characters (their dots cost bytes)
        assert any("ắ ầ ẻ ỗ ợ ự ỹ – Ă" in line for line in raster.lines), raster.lines
        assert raster.bytes > 4 * cp1258.bytes
        [live] = detect(virtual_printer.device, printer, 9600, ports=[])
        assert (live.baudrate, live.state, live.live) == (9600, "ready", True)
    finally:
        printer.close()


def test_detect_probes_other_ports(virtual_printer: VirtualPrinter, tmp_path: Path) -> None:
    from kiosk.drivers.printer_detect import PortInfo

    other = VirtualPrinter(tmp_path / "other")
    other.start_pty()
    try:
        found = detect("", None, 9600, ports=[PortInfo(other.device, "", "given")])
        assert [(f.device, f.baudrate, f.live) for f in found] == [(other.device, 9600, False)]
    finally:
        other.stop()


def test_log_ring_keeps_the_last_lines() -> None:
    ring = LogRing(size=3)
    logger = logging.getLogger("kiosk.test.ring")
    logger.addHandler(ring)
    logger.setLevel(logging.INFO)
    try:
        for n in range(5):
            logger.info("line %d", n)
    finally:
        logger.removeHandler(ring)
    assert [line.split(": ", 1)[1] for line in ring.lines()] == ["line 2", "line 3", "line 4"]


def test_every_technician_message_key_exists_in_both_languages() -> None:
    """Keys the technician screens pass around in code (say(), fact(), built from states)."""
    import re

    from kiosk.drivers.ports import PrinterState
    from kiosk.i18n import strings
    from tests.fixtures_core import REPO

    used = set()
    for path in (REPO / "kiosk" / "screens").glob("tech*.py"):
        used |= set(re.findall(r"""["'](tech\.[a-z0-9_.]+[a-z0-9_])["']""", path.read_text(encoding="utf-8")))
    used |= {f"tech.pin.{s}" for s in ("checking", "wrong", "locked", "not_set", "bad_hash")}
    used |= {f"tech.printer.state.{s.value}" for s in PrinterState}
    used |= {f"tech.tickets.state.{s}" for s in ("issued", "printed", "print_failed", "reprinted", "voided")}
    used |= {f"tech.log.source.{s}" for s in ("journal", "ring")}
    used |= {f"tech.paper.{s}" for s in ("ready", "paper_near_end", "paper_out")}
    assert len(used) > 60, "the scan found too few keys: it is broken"
    for lang in ("vi", "en"):
        assert sorted(used - set(strings(lang))) == [], lang

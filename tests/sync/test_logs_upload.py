"""What upload_logs collects (kiosk/sync/logs_upload.py): the units asked for, the limits, the
masking, and a journalctl that fails or is missing. The trip to the server is in
test_sync_loopback.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.errors import KioskError
from kiosk.sync import logs_upload


def fake_journalctl(tmp_path: Path, body: str) -> str:
    program = tmp_path / "journalctl"
    program.write_text(f"#!/bin/sh\n{body}\n")
    program.chmod(0o755)
    return str(program)


def test_collect_asks_for_the_kiosk_units_over_the_last_day(tmp_path: Path) -> None:
    program = fake_journalctl(tmp_path, f'echo "$@" > {tmp_path}/args; echo one; echo two')
    collected = logs_upload.collect(program)
    assert (collected.text, collected.lines) == ("one\ntwo\n", 2)
    args = (tmp_path / "args").read_text().split()
    assert args[args.index("--since") + 1] == "-24h" and args[args.index("-n") + 1] == "5000"
    assert [args[i + 1] for i, a in enumerate(args) if a == "-u"] == list(logs_upload.UNITS)


def test_a_failing_or_missing_journal_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    program = fake_journalctl(tmp_path, "echo 'No journal files were found.' >&2; exit 1")
    with pytest.raises(KioskError, match=r"journalctl failed \(1\): No journal files were found"):
        logs_upload.collect(program)
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    with pytest.raises(KioskError, match="no systemd journal"):
        logs_upload.collect()


def test_newest_lines_are_kept_within_the_limits() -> None:
    many = "\n".join(f"line {i}" for i in range(logs_upload.MAX_LINES + 50))
    kept = logs_upload.trim(many)
    assert (
        kept.lines == logs_upload.MAX_LINES
        and kept.text.splitlines()[-1] == f"line {logs_upload.MAX_LINES + 49}"
    )
    wide = "\n".join("x" * 1000 + f" {i}" for i in range(1000))
    kept = logs_upload.trim(wide)
    assert len(kept.text.encode()) <= logs_upload.MAX_BYTES and kept.text.endswith(" 999\n")
    assert logs_upload.trim("") == logs_upload.Collected("", 0)


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("Authorization: Bearer abc.def", "Authorization: Bearer ***"),
        ("enrolled, token=XYZ123 saved", "enrolled, token=*** saved"),
        ('{"password": "hunter2"}', '{"password": "***"}'),
        ("technician pin: 1234", "technician pin: ***"),
        ("technician.pin_hash = 'scrypt$16384$8$1$abc'", "technician.pin_hash = '***'"),
        ("Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic ***"),
        ("run kiosk enroll 7K3M-Q9TX --server URL", "run kiosk enroll *** --server URL"),
        ("enrollment failed: not enrolled", "enrollment failed: not enrolled"),
        ("printer ready", "printer ready"),
    ],
)
def test_credentials_are_masked(line: str, shown: str) -> None:
    assert logs_upload.mask(line) == shown

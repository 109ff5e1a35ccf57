"""The kiosk's sync side against the real server on loopback: enrollment, events exactly once,
heartbeat → command → command.done, config push (applied and rejected), 401, clock offset."""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime
from pathlib import Path

import pytest
import requests

from kiosk import cli, config, outbox, store
from kiosk.errors import KioskError
from kiosk.queue.ratings import record_rating
from kiosk.sync import identity, logs_upload
from kiosk.sync.answers import ServerCommand
from kiosk.sync.heartbeat import CLOCK_OFFSET
from kiosk.sync.status import sync_status
from tests.console_fleet import OPERATOR, PASSWORD, add_operator
from tests.fixtures_central import SITE, FaultyServer, Kiosk, RunningServer, enroll_kiosk
from tests.fixtures_core import DEMO_CONFIG


def kiosk_cli(state_dir: Path, *argv: str) -> int:
    return cli.main(["--state-dir", str(state_dir), "--config", str(DEMO_CONFIG), *argv])


def test_enroll_command_keeps_the_token_private(
    central_server: RunningServer, state_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        kiosk_cli(state_dir, "enroll", central_server.enrollment_code(), "--server", central_server.url) == 0
    )
    out = capsys.readouterr().out
    token = identity.load_token(state_dir)
    assert token and token not in out
    assert "enrolled as kiosk-0001 at UBND xã Mê Linh" in out
    assert stat.S_IMODE(identity.token_path(state_dir).stat().st_mode) == 0o600
    db = store.open_state(state_dir)
    assert store.get_state(db, identity.DEVICE_ID) == "kiosk-0001"
    assert store.get_state(db, identity.SERVER_URL) == central_server.url


def test_enroll_with_a_used_code_says_why(
    central_server: RunningServer, state_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = central_server.enrollment_code()
    assert kiosk_cli(state_dir, "enroll", code, "--server", central_server.url) == 0
    assert kiosk_cli(state_dir, "enroll", code, "--server", central_server.url) == 1
    assert "enrollment_code_used" in capsys.readouterr().err


def test_plain_http_to_another_machine_is_refused(
    state_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert kiosk_cli(state_dir, "enroll", "7K3M-Q9TX", "--server", "http://kiosk.example.gov.vn") == 2
    assert "plain http is allowed only to this machine" in capsys.readouterr().err


def test_sync_once_reports_each_part_and_exits_0(kiosk: Kiosk, capsys: pytest.CaptureFixture[str]) -> None:
    kiosk.add_tickets(3)
    assert kiosk_cli(kiosk.state_dir, "sync", "--once", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    assert [p["part"] for p in report["parts"]][:4] == [
        "outbox",
        "heartbeat",
        "config",
        "catalogue",
    ]
    assert report["parts"][0]["accepted"] == 3
    assert len(kiosk.server_event_ids()) == 3


def test_sync_once_without_enrollment_exits_1(state_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert kiosk_cli(state_dir, "sync", "--once") == 1
    assert "not enrolled" in capsys.readouterr().out


def test_outbox_goes_in_batches_of_500_each_event_once(kiosk: Kiosk) -> None:
    ids = kiosk.add_tickets(1203)
    report = kiosk.agent().sync_once()
    assert report.ok, report.to_json()
    assert report.parts[0].figures["accepted"] == 1203
    assert sorted(kiosk.server_event_ids()) == sorted(ids)
    assert outbox.counts(kiosk.db) == {"pending": 0, "rejected": 0}


def test_events_arrive_exactly_once_when_answers_are_lost(flaky_kiosk: Kiosk, faulty: FaultyServer) -> None:
    ids = flaky_kiosk.add_tickets(700)
    # The server stores the first batch twice over, but both answers are lost on the way back.
    faulty.fail("drop", "/api/v1/events", times=2, forward=True)
    assert flaky_kiosk.agent().sync_once().ok
    stored = flaky_kiosk.server_event_ids()
    assert sorted(stored) == sorted(ids) and len(stored) == len(set(stored))
    assert [s for s in faulty.seen if s[1] == "/api/v1/events"][:3] == [
        ("POST", "/api/v1/events", "drop"),
        ("POST", "/api/v1/events", "drop"),
        ("POST", "/api/v1/events", "ok"),
    ]
    assert outbox.counts(flaky_kiosk.db)["pending"] == 0


def test_rejected_events_are_kept_marked_and_reported(kiosk: Kiosk) -> None:
    good = kiosk.add_tickets(2)
    with store.transaction(kiosk.db):
        bad = outbox.add(
            kiosk.db,
            "ticket.voided",
            {"ticket": "not a ticket", "day": "2026-11-28"},
            datetime.now().astimezone(),
        )
    agent = kiosk.agent()
    first = agent.sync_once()
    assert first.parts[0].ok is False and "rejected" in first.parts[0].detail
    assert outbox.counts(kiosk.db) == {"pending": 0, "rejected": 1}
    row = kiosk.db.execute("SELECT state, reason FROM outbox WHERE id = ?", [bad]).fetchone()
    assert row[0] == "rejected" and "data.ticket" in row[1]
    assert sorted(kiosk.server_event_ids()) == sorted(good)
    beat = kiosk.server.store.get_device(kiosk.device_id).last_heartbeat  # type: ignore[union-attr]
    assert beat["outbox_rejected"] == 1 and beat["rejected_events"][0]["id"] == bad
    assert agent.sync_once().parts[0].ok  # never sent again, nothing new to refuse


def fake_journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *lines: str) -> Path:
    """journald is the one part of the world a test machine lacks: a journalctl that prints
    what the real one would, and records how it was asked (the file returned)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    asked = tmp_path / "asked"
    journalctl = bin_dir / "journalctl"
    journalctl.write_text("#!/bin/sh\n" + f'echo "$@" > {asked}\n' + "".join(f"echo '{x}'\n" for x in lines))
    journalctl.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    return asked


def test_an_empty_journal_is_a_failed_upload_not_zero_lines_sent(
    kiosk: Kiosk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_journal(tmp_path, monkeypatch)  # what journalctl prints to a user outside systemd-journal
    logs = kiosk.server.admin("POST", f"/devices/{kiosk.device_id}/commands", {"type": "upload_logs"}).json()
    assert kiosk.agent().heartbeat_pass().ok
    done = {c["id"]: c for c in kiosk.server.admin("GET", f"/devices/{kiosk.device_id}/commands").json()}
    assert done[logs["id"]]["ok"] is False and "systemd-journal" in done[logs["id"]]["detail"]
    assert kiosk.server.store.list_logs(kiosk.device_id) == []


def test_upload_logs_sends_the_journal_masked_and_the_console_shows_it(
    kiosk: Kiosk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = fake_journal(
        tmp_path,
        monkeypatch,
        "2026-11-28T08:00:01+0700 kiosk python[81]: INFO kiosk.app: first frame drawn",
        "2026-11-28T08:00:02+0700 kiosk python[82]: WARNING sent Authorization: Bearer s3cr3t",
    )
    logs = kiosk.server.admin("POST", f"/devices/{kiosk.device_id}/commands", {"type": "upload_logs"}).json()
    report = kiosk.agent().heartbeat_pass()
    assert report.ok, report.to_json()
    assert "-u kiosk.service -u kiosk-agent.service" in asked.read_text()
    done = {c["id"]: c for c in kiosk.server.admin("GET", f"/devices/{kiosk.device_id}/commands").json()}
    assert done[logs["id"]]["ok"] is True and done[logs["id"]]["detail"].startswith("2 lines")
    [upload] = kiosk.server.store.list_logs(kiosk.device_id)
    assert upload.command_id == logs["id"]  # the operator sees which request these logs answer
    text = kiosk.server.store.get_logs(kiosk.device_id, upload.id).text  # type: ignore[union-attr]
    assert "first frame drawn" in text and "s3cr3t" not in text and "Bearer ***" in text
    # Kiosks of earlier releases sent no command id: their uploads are listed too.
    logs_upload.upload_logs(kiosk.agent().client(), None, logs_upload.Collected("an older upload\n", 1))
    add_operator(kiosk.server)
    browser = requests.Session()
    browser.post(f"{kiosk.server.url}/console/login", data={"name": OPERATOR, "password": PASSWORD})
    answer = browser.get(f"{kiosk.server.url}/console/kiosks/{kiosk.device_id}")
    assert answer.status_code == 200, answer.text[-2000:]
    page = answer.text
    assert f"/console/kiosks/{kiosk.device_id}/logs/{upload.id}" in page
    row = page[page.index(f'data-command-id="{logs["id"]}"') :]
    assert "gửi lúc" in row[: row.index("</tr>")]  # the operator's request this upload answers
    row = page[page.index('data-command-id=""') :]
    assert "kiosk tự gửi" in row[: row.index("</tr>")]
    shown = browser.get(f"{kiosk.server.url}/console/kiosks/{kiosk.device_id}/logs/{upload.id}")
    assert shown.headers["content-type"].startswith("text/plain") and shown.text == text
    assert requests.get(shown.url, allow_redirects=False, timeout=10).status_code in (302, 303, 401)


def test_heartbeat_command_and_command_done(kiosk: Kiosk) -> None:
    runs: list[dict[str, object]] = []

    def print_test(command: ServerCommand) -> tuple[bool, str]:
        runs.append(command.args)
        return True, "test ticket printed"

    admin = kiosk.server.admin
    test = admin(
        "POST",
        f"/devices/{kiosk.device_id}/commands",
        {"type": "print_test", "args": {"copies": 1}},
    ).json()
    logs = admin("POST", f"/devices/{kiosk.device_id}/commands", {"type": "upload_logs"}).json()

    def no_journal(command: ServerCommand) -> tuple[bool, str]:
        raise KioskError("no systemd journal on this machine (journalctl not found)")

    agent = kiosk.agent(handlers={"print_test": print_test, "upload_logs": no_journal})
    report = agent.heartbeat_pass()
    assert report.ok, report.to_json()
    assert runs == [{"copies": 1}]
    done = {c["id"]: c for c in admin("GET", f"/devices/{kiosk.device_id}/commands").json()}
    assert done[test["id"]]["ok"] is True and done[test["id"]]["detail"] == "test ticket printed"
    assert done[logs["id"]]["ok"] is False and "no systemd journal" in done[logs["id"]]["detail"]
    agent.heartbeat_pass()
    assert runs == [{"copies": 1}]  # acknowledged: not sent or run again


def test_a_resent_command_runs_once(flaky_kiosk: Kiosk, faulty: FaultyServer) -> None:
    runs: list[str] = []

    def restart(command: ServerCommand) -> tuple[bool, str]:
        runs.append("restart")
        return True, "restarted"

    flaky_kiosk.server.admin("POST", f"/devices/{flaky_kiosk.device_id}/commands", {"type": "restart_ui"})
    agent = flaky_kiosk.agent(handlers={"restart_ui": restart})
    faulty.fail("status", "/api/v1/events", times=100, status=500)
    agent.heartbeat_pass()  # runs it; the command.done cannot be delivered
    agent.heartbeat_pass()  # the server sends it again: skipped
    assert runs == ["restart"]
    faulty.clear()
    assert agent.heartbeat_pass().ok
    commands = flaky_kiosk.server.admin("GET", f"/devices/{flaky_kiosk.device_id}/commands").json()
    assert commands[0]["ok"] is True
    assert runs == ["restart"]


def test_sync_now_command_asks_for_a_full_pass(kiosk: Kiosk) -> None:
    kiosk.server.admin("POST", f"/devices/{kiosk.device_id}/commands", {"type": "sync_now"})
    agent = kiosk.agent()
    agent.heartbeat_pass()
    assert agent._full_requested is True


def test_config_push_applied_with_foreign_keys_ignored(kiosk: Kiosk) -> None:
    settings = {
        "site": {"name": "UBND xã Mê Linh (mới)"},
        "ui": {"idle_timeout_s": 90, "fullscreen": False},
        "printer": {"url": "/dev/ttyS9"},
    }
    version = kiosk.server.admin("PUT", f"/sites/{SITE.id}/config", {"settings": settings}).json()["version"]
    report = kiosk.agent().sync_once()
    part = next(p for p in report.parts if p.part == "config")
    assert part.ok and part.figures["version"] == version
    assert "ui.fullscreen" in part.detail and "printer" in part.detail
    pushed = json.loads((kiosk.state_dir / config.SERVER_SETTINGS_FILE).read_text(encoding="utf-8"))
    assert pushed == {
        "version": version,
        "settings": {"site": {"name": "UBND xã Mê Linh (mới)"}, "ui": {"idle_timeout_s": 90}},
    }
    loaded = config.load(site_file=DEMO_CONFIG, state_dir=kiosk.state_dir).settings
    assert loaded.site.name == "UBND xã Mê Linh (mới)" and loaded.ui.idle_timeout_s == 90
    assert loaded.printer.url == ""  # the site file's, not the server's
    reported = kiosk.server.store.list_events(kiosk.device_id, "kiosk.error", 0, 10)
    assert reported and "ui.fullscreen" in reported[0].data["detail"]


def test_invalid_config_is_rejected_reported_once_and_the_running_one_kept(kiosk: Kiosk) -> None:
    good = kiosk.server.admin(
        "PUT", f"/sites/{SITE.id}/config", {"settings": {"ui": {"idle_timeout_s": 90}}}
    ).json()
    agent = kiosk.agent()
    assert agent.sync_once().ok
    before = (kiosk.state_dir / config.SERVER_SETTINGS_FILE).read_bytes()
    bad = kiosk.server.admin(
        "PUT", f"/sites/{SITE.id}/config", {"settings": {"ui": {"idle_timeout_s": 5}}}
    ).json()
    report = agent.sync_once()
    part = next(p for p in report.parts if p.part == "config")
    assert not part.ok and f"settings version {bad['version']} rejected" in part.detail
    assert "idle_timeout_s" in part.detail and "out of range" in part.detail
    assert (kiosk.state_dir / config.SERVER_SETTINGS_FILE).read_bytes() == before
    assert config.load(site_file=DEMO_CONFIG, state_dir=kiosk.state_dir).settings.ui.idle_timeout_s == 90
    again = agent.sync_once()
    assert not next(p for p in again.parts if p.part == "config").ok
    errors = kiosk.server.store.list_events(kiosk.device_id, "kiosk.error", 0, 10)
    assert len(errors) == 1 and "idle_timeout_s" in errors[0].data["detail"]
    beat = kiosk.server.store.get_device(kiosk.device_id).last_heartbeat  # type: ignore[union-attr]
    assert beat["config_version"] == good["version"]
    assert "rejected" in beat["last_error"]
    fixed = kiosk.server.admin(
        "PUT", f"/sites/{SITE.id}/config", {"settings": {"ui": {"idle_timeout_s": 120}}}
    ).json()
    assert agent.sync_once().ok
    assert (
        json.loads((kiosk.state_dir / config.SERVER_SETTINGS_FILE).read_text())["version"] == fixed["version"]
    )


def test_401_stops_syncing_keeps_the_outbox_until_enrolled_again(
    kiosk: Kiosk, db: object, state_dir: Path
) -> None:
    agent = kiosk.agent()
    assert agent.sync_once().ok
    kiosk.server.admin("POST", f"/devices/{kiosk.device_id}/revoke")
    ids = kiosk.add_tickets(2)
    report = agent.sync_once()
    assert not report.ok and report.parts[0].figures.get("not_enrolled")
    assert len(report.parts) == 1  # nothing else is tried with a refused token
    status = sync_status(kiosk.db, kiosk.state_dir)
    assert status.enrolled is False and "refused the device token" in (status.not_enrolled_reason or "")
    assert agent.enrolled() is False
    assert outbox.counts(kiosk.db)["pending"] == 2
    again = enroll_kiosk(kiosk.server, kiosk.db, kiosk.state_dir)
    assert again.device_id == kiosk.device_id
    assert agent.enrolled() is True
    assert agent.sync_once().ok
    assert set(ids) <= set(kiosk.server_event_ids())


def test_clock_offset_comes_from_the_date_header(flaky_kiosk: Kiosk, faulty: FaultyServer) -> None:
    faulty.fail("clock", "/api/v1/heartbeat", forward=True, seconds=3600)  # the server is an hour ahead
    flaky_kiosk.agent().heartbeat_pass()
    offset = float(store.get_state(flaky_kiosk.db, CLOCK_OFFSET) or "nan")
    assert 3500 < offset < 3700  # an hour, give or take the exchange and the Date's rounding
    beat = flaky_kiosk.server.store.get_device(flaky_kiosk.device_id).last_heartbeat  # type: ignore[union-attr]
    assert beat is not None


def test_rating_is_recorded_and_delivered(kiosk: Kiosk) -> None:
    event_id = record_rating(kiosk.db, 3, "A", "2", datetime.now().astimezone())
    with pytest.raises(ValueError, match="3, 2 or 1"):
        record_rating(kiosk.db, 4, "A", "2", datetime.now().astimezone())
    kiosk.agent().sync_once()
    stored = kiosk.server.store.list_events(kiosk.device_id, "rating.submitted", 0, 10)
    assert [(e.id, e.data) for e in stored] == [(event_id, {"score": 3, "service": "A", "counter": "2"})]


def test_a_release_offered_in_the_heartbeat_reaches_the_hook(
    kiosk: Kiosk, monkeypatch: pytest.MonkeyPatch
) -> None:
    from central.api import routes as device_api

    monkeypatch.setattr(device_api, "release_for_device", lambda ctx, device, beat, view=None: "1.4.3")
    offered: list[dict[str, object]] = []
    kiosk.agent(on_release=offered.append).heartbeat_pass()
    assert offered == [{"version": "1.4.3", "manifest_url": "/api/v1/releases/1.4.3/manifest"}]

"""End-to-end fleet updates on a temporary root, with real bundles built from this repository:
signed, served over loopback with Range, installed into real venvs, self-tested and switched,
with the UI run from `current` by a supervisor as systemd would."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk import outbox
from kiosk.device import health
from kiosk.update.updater import run_loop
from tests.fixtures_updates import V1, V2, Device, Keys
from tests.release_server import ReleaseServer

Published = Callable[..., Path]


def update_results(device: Device) -> list[dict[str, Any]]:
    return [e.data for e in outbox.pending(device.db) if e.type == "update.result"]


def wheel_name(bundle: Path) -> str:
    return next(p.name for p in bundle.glob("*.whl"))


def test_update_from_v1_to_v2_switches_reports_and_keeps(
    make_device: Callable[..., Device], published: Published
) -> None:
    device = make_device(published(V1, V1))
    published(V2, V2)
    device.offer(V2)

    device.run_until(lambda p: p.state == "healthy")

    assert device.layout.current_target() == device.layout.release_dir(V2).resolve()
    assert device.layout.previous.resolve() == device.layout.release_dir(V1).resolve()
    assert health.read_ui_health(device.db).version == V2  # the UI runs the new code
    assert device.agent_restarts == 1 and device.updater.current_version == V2
    [result] = update_results(device)
    assert (result["from"], result["to"], result["ok"], result["stage"]) == (V1, V2, True, "health")

    device.clock.advance(300)  # past the crash window
    device.run_until(lambda p: p.state == "kept")
    assert not (device.layout.root / "downloads" / V2).exists()
    assert device.updater.step().state == "idle"
    assert len(update_results(device)) == 1


def test_file_changed_after_signing_is_rejected_before_anything_is_installed(
    make_device: Callable[..., Device], published: Published, release_server: ReleaseServer
) -> None:
    device = make_device(published(V1, V1))
    bundle = published(V2, V2)
    served = release_server.releases_dir / V2 / wheel_name(bundle)
    data = bytearray(served.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, one byte changed
    served.write_bytes(bytes(data))
    device.offer(V2)

    device.run_until(lambda p: p.state == "failed")

    assert not device.layout.release_dir(V2).exists()
    assert device.layout.current_target() == device.layout.release_dir(V1).resolve()
    [result] = update_results(device)
    assert (result["ok"], result["stage"], result["to"]) == (False, "verify", V2)
    assert "SHA-256" in result["detail"]
    assert device.updater.step().state == "idle"  # not fetched again before the backoff


def test_release_signed_with_a_key_that_is_not_pinned_is_rejected(
    make_device: Callable[..., Device],
    published: Published,
    keys: Keys,
    release_server: ReleaseServer,
) -> None:
    device = make_device(published(V1, V1))
    bundle = published(V2, V2, key=keys.other_signing)
    device.offer(V2)

    device.run_until(lambda p: p.state == "failed")

    assert release_server.file_requests(wheel_name(bundle)) == []  # nothing was downloaded
    assert not device.layout.release_dir(V2).exists()
    [result] = update_results(device)
    assert (result["ok"], result["stage"]) == (False, "verify")
    assert "not pinned" in result["detail"]


def test_release_whose_ui_crashes_at_start_is_rolled_back_and_reported(
    make_device: Callable[..., Device], published: Published
) -> None:
    device = make_device(published(V1, V1))
    published("crash", V2)
    device.offer(V2)

    device.run_until(lambda p: p.state == "rolled_back")

    assert device.layout.current_target() == device.layout.release_dir(V1).resolve()
    device.wait_ui(V1)  # the supervisor started the old UI again
    [result] = update_results(device)
    assert (result["from"], result["to"], result["ok"], result["stage"]) == (
        V1,
        V2,
        False,
        "health",
    )
    assert "restarted" in result["detail"]
    assert device.updater.current_version == V1  # the agent runs the old code again
    assert device.updater.step().state == "idle"  # and does not try the same release again


def test_ui_that_never_reports_healthy_is_rolled_back_at_the_deadline(
    make_device: Callable[..., Device], published: Published
) -> None:
    device = make_device(published(V1, V1))
    published(V2, V2)
    health.set_busy(device.db, "citizen mid-flow")
    device.offer(V2)
    device.run_until(lambda p: p.state == "waiting_idle")
    device.supervisor.stop()  # from now on no UI starts: no first frame will ever be drawn
    health.clear_busy(device.db)
    device.run_until(lambda p: p.state == "switched")
    device.clock.advance(device.options.gate.health_deadline_s + 1)

    device.run_until(lambda p: p.state == "rolled_back")

    assert device.layout.current_target() == device.layout.release_dir(V1).resolve()
    [result] = update_results(device)
    assert (result["ok"], result["stage"]) == (False, "health")
    assert "within 120 s" in result["detail"]


def test_download_cut_in_the_middle_resumes_and_fetches_only_the_rest(
    make_device: Callable[..., Device], published: Published, release_server: ReleaseServer
) -> None:
    device = make_device(published(V1, V1))
    bundle = published(V2, V2)
    name = wheel_name(bundle)
    size = (bundle / name).stat().st_size
    release_server.faults[name] = ("cut", size // 2)
    device.offer(V2)

    device.run_until(lambda p: p.state == "healthy")

    requests = release_server.file_requests(name)
    assert [r.range for r in requests] == [None, f"bytes={size // 2}-"]
    assert [r.bytes_sent for r in requests] == [size // 2, size - size // 2]
    assert device.layout.current_target() == device.layout.release_dir(V2).resolve()


def test_downgrade_is_refused_unless_signed_as_rollback(
    make_device: Callable[..., Device], published: Published, release_server: ReleaseServer
) -> None:
    device = make_device(published(V2, V2))
    older = published(V1, V1)
    device.offer(V1)

    device.run_until(lambda p: p.state == "failed")

    assert release_server.file_requests(wheel_name(older)) == []
    assert device.layout.current_target() == device.layout.release_dir(V2).resolve()
    [result] = update_results(device)
    assert (result["ok"], result["stage"]) == (False, "verify")
    assert "downgrade" in result["detail"]


def test_downgrade_signed_with_rollback_true_is_installed(
    make_device: Callable[..., Device], published: Published
) -> None:
    device = make_device(published(V2, V2))
    published(V1, V1, rollback=True)
    device.offer(V1)

    # As the agent's updater thread runs it: until the agent must exit for the switch.
    progress = run_loop(device.updater, threading.Event())
    assert progress is not None and progress.state == "switched" and progress.exit_agent
    device.restart_agent()
    device.run_until(lambda p: p.state == "healthy")

    assert device.layout.current_target() == device.layout.release_dir(V1).resolve()
    assert health.read_ui_health(device.db).version == V1


def test_no_switch_while_the_kiosk_is_busy(make_device: Callable[..., Device], published: Published) -> None:
    device = make_device(published(V1, V1))
    published(V2, V2)
    health.set_busy(device.db, "printing A012")
    device.offer(V2)

    device.run_until(lambda p: p.state == "waiting_idle")
    assert device.updater.step().state == "waiting_idle"  # ready, but it waits
    assert device.layout.current_target() == device.layout.release_dir(V1).resolve()

    health.clear_busy(device.db)
    device.run_until(lambda p: p.state == "healthy")
    assert device.layout.current_target() == device.layout.release_dir(V2).resolve()


def test_updater_loop_ends_when_the_agent_stops(
    make_device: Callable[..., Device], published: Published
) -> None:
    device = make_device(published(V1, V1))
    stop = threading.Event()
    stop.set()
    assert run_loop(device.updater, stop) is None

"""The admin API for releases and rollouts on the real server, and `kiosk-central rollout …`
acting on the same database while the server runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from central import cli
from central.fleet.bundles import publish
from tests.fixtures_central import RunningServer, publish_releases
from tests.fixtures_updates import V1, V2, Keys, make_bundle


@pytest.fixture
def releases(
    central_server: RunningServer, tmp_path: Path, keys: Keys, release_wheels: dict[str, Path]
) -> Keys:
    publish_releases(central_server, tmp_path, keys, release_wheels)
    return keys


def test_releases_are_listed_newest_first_with_their_signed_manifests(
    central_server: RunningServer, releases: Keys
) -> None:
    broken = central_server.releases_dir / "1.2.0"
    broken.mkdir()
    (broken / "manifest.json").write_text("{not json", encoding="utf-8")

    listed = central_server.admin("GET", "/releases").json()

    assert [r["version"] for r in listed] == ["1.2.0", V2, V1]
    assert listed[0]["problem"] and listed[0]["manifest"] is None  # shown, not hidden
    assert listed[1]["manifest"]["version"] == V2 and listed[1]["problem"] is None
    assert listed[1]["key_id"] == next(iter(releases.pinned.keys)) and listed[1]["signature"]
    assert listed[1]["size"] == sum(f["size"] for f in listed[1]["manifest"]["files"]) > 0
    anonymous = requests.get(f"{central_server.url}/api/v1/admin/releases", timeout=10)
    assert anonymous.status_code == 401


def test_start_is_refused_with_a_reason_for_each_bad_request(
    central_server: RunningServer, releases: Keys
) -> None:
    def start(body: dict[str, object]) -> tuple[int, str]:
        answer = central_server.admin("POST", "/rollouts", body)
        return answer.status_code, answer.json().get("error", {}).get("code", "")

    assert start({"version": "7.0.0"}) == (404, "release_unknown")
    assert start({"version": V2, "stages": [50, 10]}) == (422, "invalid_rollout")
    assert start({"version": V2, "canary": {"devices": ["kiosk-9999"]}}) == (422, "invalid_rollout")
    assert start({"version": V2, "failure_threshold": 0}) == (422, "invalid_request")
    assert central_server.admin("GET", "/rollouts").json() == []  # nothing half-started
    assert start({"version": V2, "canary": {"sites": ["me-linh-xa"]}}) == (201, "")
    assert start({"version": V1}) == (409, "rollout_conflict")


def test_operator_actions_move_the_rollout_and_refuse_what_its_state_forbids(
    central_server: RunningServer, releases: Keys, tmp_path: Path, release_wheels: dict[str, Path]
) -> None:
    rollout = central_server.admin("POST", "/rollouts", {"version": V2, "stages": [10, 100]}).json()
    path = f"/rollouts/{rollout['id']}"
    assert (rollout["state"], rollout["percent"], rollout["started_by"]) == ("running", 10, "tests")

    assert central_server.admin("POST", f"{path}/pause").json()["state"] == "paused"
    assert central_server.admin("POST", f"{path}/advance").status_code == 409
    assert central_server.admin("POST", f"{path}/resume").json()["state"] == "running"
    assert central_server.admin("POST", f"{path}/advance").json()["percent"] == 100
    assert central_server.admin("POST", f"{path}/advance").status_code == 409  # no stage after 100 %

    refused = central_server.admin("POST", f"{path}/rollback", {"to": V1})
    assert refused.status_code == 422 and "rollback: true" in refused.json()["error"]["message"]
    bundle = make_bundle(tmp_path / "v1-rb", release_wheels[V1], V1, releases.signing, rollback=True)
    publish(bundle, central_server.releases_dir, releases.pinned)
    back = central_server.admin("POST", f"{path}/rollback", {"to": V1}).json()
    assert (back["state"], back["rollback_to"]) == ("rolled_back", V1)
    assert central_server.admin("POST", f"{path}/resume").status_code == 409
    assert central_server.admin("GET", "/rollouts/999").status_code == 404


def test_cli_and_api_share_one_store(
    central_server: RunningServer, releases: Keys, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(central_server.store.path)
    where = ["--db", db, "--releases", str(central_server.releases_dir)]
    assert (
        cli.main(["rollout", *where, "start", V2, "--stages", "20,100", "--canary-sites", "me-linh-xa"]) == 0
    )
    started = json.loads(capsys.readouterr().out)
    assert (started["state"], started["stage"], started["canary"]["sites"]) == ("running", -1, ["me-linh-xa"])

    seen = central_server.admin("GET", f"/rollouts/{started['id']}").json()
    assert (seen["version"], seen["started_by"]) == (V2, "cli")
    central_server.admin("POST", f"/rollouts/{started['id']}/pause")

    assert cli.main(["rollout", *where, "status"]) == 0
    assert json.loads(capsys.readouterr().out)["state"] == "paused"
    assert cli.main(["rollout", *where, "advance", str(started["id"])]) == 1
    assert "resume it first" in capsys.readouterr().err
    assert cli.main(["rollout", *where, "start", V2, "--stages", "10,x"]) == 1
    assert "--stages" in capsys.readouterr().err

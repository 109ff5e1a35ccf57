"""The store contract (central/store/contract.py), one suite for both stores: every test runs on
a SQLite file and on a PostgreSQL database of the session's real server (tests/fixtures_postgres.py).
Sites and settings, enrolment and devices, logs, catalogue, dossiers, operators and sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from central.auth import hash_secret
from central.store.contract import (
    KEPT_LOGS,
    CentralStore,
    EnrollmentRefused,
    Site,
    UnknownSite,
    VersionConflict,
)

NOW = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
SITE = Site("me-linh-xa", "UBND xã Mê Linh", "Asia/Ho_Chi_Minh")


def enrolled(store: CentralStore, hardware: str = "rpi-1", code: str = "code-1", token: str = "tok-1") -> str:
    store.put_site(SITE)
    store.add_enrollment_code(hash_secret(code), SITE.id, NOW + timedelta(days=1), code[-2:], NOW)
    return store.enroll(hash_secret(code), hardware, "1.0.0", hash_secret(token), NOW).id


def test_sites_are_put_listed_and_renamed(central_store: CentralStore) -> None:
    central_store.put_site(SITE)
    central_store.put_site(Site("a-xa", "Xã A", "Asia/Ho_Chi_Minh"))
    central_store.put_site(Site(SITE.id, "UBND xã Mê Linh mới", SITE.timezone))
    assert [s.id for s in central_store.list_sites()] == ["a-xa", SITE.id]
    assert central_store.get_site(SITE.id) == Site(SITE.id, "UBND xã Mê Linh mới", SITE.timezone)
    assert central_store.get_site("nowhere") is None


def test_config_versions_come_from_one_growing_counter(central_store: CentralStore) -> None:
    device = enrolled(central_store)
    first = central_store.set_config("site", SITE.id, {"site": {"name": "Xã"}})
    second = central_store.set_config("device", device, {"ui": {"idle_timeout_s": 60}})
    third = central_store.set_config("site", SITE.id, {"site": {"name": "Xã 2"}})
    assert first < second < third
    site, own = central_store.config_layers(SITE.id, device)
    assert site is not None and own is not None
    assert (site.version, site.settings) == (third, {"site": {"name": "Xã 2"}})
    assert (own.version, own.settings) == (second, {"ui": {"idle_timeout_s": 60}})
    assert central_store.config_layers(SITE.id, "kiosk-9999") == (site, None)
    with pytest.raises(UnknownSite):
        central_store.set_config("site", "nowhere", {})
    with pytest.raises(UnknownSite):
        central_store.set_config("device", "kiosk-9999", {})


def test_enrolment_codes_work_once_until_they_expire(central_store: CentralStore) -> None:
    device = enrolled(central_store)
    assert device == "kiosk-0001"
    with pytest.raises(EnrollmentRefused) as used:
        central_store.enroll(hash_secret("code-1"), "rpi-2", "1.0.0", hash_secret("t2"), NOW)
    assert used.value.reason == "used"
    with pytest.raises(EnrollmentRefused) as unknown:
        central_store.enroll(hash_secret("nope"), "rpi-2", "1.0.0", hash_secret("t2"), NOW)
    assert unknown.value.reason == "unknown"
    central_store.add_enrollment_code(hash_secret("late"), SITE.id, NOW + timedelta(minutes=1))
    with pytest.raises(EnrollmentRefused) as expired:
        central_store.enroll(
            hash_secret("late"), "rpi-2", "1.0.0", hash_secret("t2"), NOW + timedelta(minutes=1)
        )
    assert expired.value.reason == "expired"
    with pytest.raises(UnknownSite):
        central_store.add_enrollment_code(hash_secret("x"), "nowhere", NOW)


def test_a_reinstalled_kiosk_keeps_its_id_and_only_its_new_token_works(central_store: CentralStore) -> None:
    first = enrolled(central_store)
    other = enrolled(central_store, "rpi-2", "code-2", "tok-2")
    again = enrolled(central_store, "rpi-1", "code-3", "tok-3")
    assert (first, other, again) == ("kiosk-0001", "kiosk-0002", "kiosk-0001")
    assert central_store.device_by_token(hash_secret("tok-1")) is None
    device = central_store.device_by_token(hash_secret("tok-3"))
    assert device is not None and device.id == first and device.enrolled_at == NOW
    assert device.enrolled_at.tzinfo is not None
    assert [d.id for d in central_store.list_devices()] == ["kiosk-0001", "kiosk-0002"]
    assert central_store.list_devices("nowhere") == []


def test_unused_codes_are_listed_newest_first_by_their_hint(central_store: CentralStore) -> None:
    enrolled(central_store)
    for n, code in enumerate(["AB-12", "CD-34", "EF-56"]):
        central_store.add_enrollment_code(
            hash_secret(code), SITE.id, NOW + timedelta(hours=n + 1), code[-2:], NOW + timedelta(seconds=n)
        )
    listed = central_store.list_enrollment_codes(NOW + timedelta(minutes=90))
    assert [c.hint for c in listed] == ["56", "34"]
    assert listed[0].expires_at == NOW + timedelta(hours=3)


def test_revoked_devices_lose_their_token(central_store: CentralStore) -> None:
    device = enrolled(central_store)
    assert central_store.revoke_device(device, NOW)
    assert not central_store.revoke_device("kiosk-9999", NOW)
    assert central_store.device_by_token(hash_secret("tok-1")) is None
    found = central_store.get_device(device)
    assert found is not None and found.revoked_at == NOW


def test_a_heartbeat_is_kept_as_sent(central_store: CentralStore) -> None:
    device = enrolled(central_store)
    beat = {"app_version": "1.0.1", "printer": {"state": "ready", "detail": "Số 1"}, "uptime_s": 5}
    central_store.record_heartbeat(device, beat, NOW + timedelta(seconds=1.5))
    found = central_store.get_device(device)
    assert found is not None
    assert (found.last_heartbeat, found.app_version) == (beat, "1.0.1")
    assert found.last_seen_at == NOW + timedelta(seconds=1.5)


def test_only_the_newest_log_uploads_are_kept(central_store: CentralStore) -> None:
    device = enrolled(central_store)
    uploads = [
        central_store.add_logs(device, None, f"dòng {n}\n", 1, NOW + timedelta(seconds=n))
        for n in range(KEPT_LOGS + 2)
    ]
    listed = central_store.list_logs(device)
    assert [u.id for u in listed] == [u.id for u in reversed(uploads[2:])]
    assert listed[0].text == "" and listed[0].size == len("dòng 11\n".encode())
    got = central_store.get_logs(device, uploads[-1].id)
    assert got is not None and got.text == "dòng 11\n" and got.received_at == NOW + timedelta(seconds=11)
    assert central_store.get_logs(device, uploads[0].id) is None


def test_catalogue_versions_grow_and_deltas_name_what_changed(central_store: CentralStore) -> None:
    assert central_store.catalogue_head() is None
    first = central_store.publish_catalogue(
        1, "2026-11-28", '[{"id":"f"}]', {"a": '{"c":"a"}', "b": '{"c":"b"}'}
    )
    assert (first.procedures, first.changed, first.deleted) == (2, 2, 0)
    second = central_store.publish_catalogue(2, "2026-11-29", "[]", {"c": '{"c":"c"}', "a": '{"c":"a2"}'})
    assert (second.procedures, second.changed, second.deleted) == (2, 2, 1)
    with pytest.raises(VersionConflict):
        central_store.publish_catalogue(2, "2026-11-29", "[]", {})
    head = central_store.catalogue_head()
    assert head is not None and (head.version, head.fields_json, head.procedures) == (2, "[]", 2)
    assert central_store.catalogue_has_version(1) and not central_store.catalogue_has_version(3)
    assert central_store.catalogue_changes(None).upserts == ['{"c":"c"}', '{"c":"a2"}']
    delta = central_store.catalogue_changes(1)
    assert (delta.upserts, delta.deletes) == (['{"c":"c"}', '{"c":"a2"}'], ["b"])
    assert central_store.catalogue_changes(2).upserts == []
    assert [v.version for v in central_store.list_catalogue_versions(10)] == [2, 1]


def test_dossiers_are_imported_replaced_and_looked_up(central_store: CentralStore) -> None:
    record = {"code": "H56-1", "applicant": "Nguyễn Văn An", "status": "received"}
    assert central_store.import_dossiers({"H56-1": record, "H56-2": {"code": "H56-2"}}, False, NOW) == 2
    assert central_store.get_dossier("H56-1") == record
    central_store.import_dossiers({"H56-3": {"code": "H56-3"}}, True, NOW)
    assert central_store.get_dossier("H56-1") is None and central_store.get_dossier("H56-3") is not None


def test_admin_tokens_are_found_by_their_hash(central_store: CentralStore) -> None:
    central_store.add_admin_token(hash_secret("secret-token"), "scripts", NOW)
    assert central_store.admin_by_token(hash_secret("secret-token")) == "scripts"
    assert central_store.admin_by_token(hash_secret("other")) is None


def test_operator_sessions_end_with_a_new_password_and_expire(central_store: CentralStore) -> None:
    central_store.set_operator_password("lan", "hash-1", NOW)
    central_store.set_operator_password("an", "hash-2", NOW)
    assert central_store.list_operators() == ["an", "lan"]
    central_store.add_console_session("s1", "lan", NOW + timedelta(hours=9), NOW)
    assert central_store.console_session_operator("s1", NOW + timedelta(hours=1)) == "lan"
    assert central_store.console_session_operator("s1", NOW + timedelta(hours=9)) is None
    central_store.set_operator_password("lan", "hash-3", NOW)
    assert central_store.operator_password_hash("lan") == "hash-3"
    assert central_store.console_session_operator("s1", NOW) is None
    central_store.add_console_session("s2", "an", NOW + timedelta(hours=9), NOW)
    central_store.end_console_session("s2")
    assert central_store.console_session_operator("s2", NOW) is None
    assert central_store.remove_operator("an") and not central_store.remove_operator("an")
    assert central_store.operator_password_hash("an") is None

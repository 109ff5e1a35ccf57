"""Dossier status: the imported file, masking, and the adapter seam a province replaces."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from central.api.dossiers import DossierRecord, mask_name, public_view
from central.cli import main as central_main
from tests.central.api.test_central_api import API, call, enroll
from tests.fixtures_central import start_server

RECORD = {
    "code": "000.00.06.H56-231027-0361",
    "procedure": "Đăng ký khai sinh",
    "applicant": "Nguyễn Văn An",
    "received_at": "2026-11-20T09:00:00+07:00",
    "due_at": "2026-11-21T17:00:00+07:00",
    "status": "processing",
}


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Nguyễn Văn An", "Nguyễn V*** A"),
        ("Trần Thị Minh Khai", "Trần T*** M*** K"),
        ("Lê An", "Lê A"),
        ("Đức", "Đ***"),
        ("  ", ""),
    ],
)
def test_names_are_masked_to_the_family_name_and_initials(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_lateness_is_worked_out_when_the_source_does_not_say() -> None:
    now = datetime(2026, 11, 28, tzinfo=UTC)
    late = public_view(DossierRecord(**RECORD), now)
    assert late["late"] is True and late["applicant"] == "Nguyễn V*** A"
    done = public_view(DossierRecord(**{**RECORD, "status": "ready"}), now)
    assert done["late"] is False


def test_imported_dossiers_answer_lookups_masked(central_server, tmp_path: Path) -> None:
    assert central_server.admin("POST", "/dossiers", {"dossiers": [RECORD]}).json() == {"imported": 1}
    _, token = enroll(central_server)
    answer = call(central_server, token, "GET", f"/dossiers/{RECORD['code'].lower()}")
    assert answer.status_code == 200
    body = answer.json()
    assert body["applicant"] == "Nguyễn V*** A"
    assert "Văn" not in answer.text and 'An"' not in answer.text
    assert body["status"] == "processing"
    missing = call(central_server, token, "GET", "/dossiers/000.00.06.H56-000000-0000")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "dossier_unknown")


def test_import_refuses_a_file_with_bad_rows_and_keeps_the_old_ones(central_server) -> None:
    central_server.admin("POST", "/dossiers", {"dossiers": [RECORD]})
    bad = {**RECORD, "code": "X-2", "applicant": " "}
    answer = central_server.admin("POST", "/dossiers", {"dossiers": [bad], "replace": True})
    assert answer.status_code == 422
    assert answer.json()["error"]["details"][0]["path"] == "row 1"
    assert central_server.store.get_dossier(RECORD["code"]) is not None


def test_cli_imports_csv_and_json_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "c.db"
    csv_file = tmp_path / "dossiers.csv"
    header = ",".join(RECORD)
    csv_file.write_text(header + "\n" + ",".join(RECORD.values()) + "\n", encoding="utf-8")
    assert central_main(["dossiers", "import", str(csv_file), "--db", str(db)]) == 0
    assert "imported 1 dossiers" in capsys.readouterr().out
    broken = tmp_path / "broken.json"
    broken.write_text('[{"code": "A-1", "status": "lost"}]', encoding="utf-8")
    assert central_main(["dossiers", "import", str(broken), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "row 1: missing procedure, applicant, received_at" in err
    assert "nothing imported" in err


class ProvinceSystem:
    """A stand-in for a province's own dossier system behind the seam."""

    def __init__(self, fail: bool = False) -> None:
        self.asked: list[str] = []
        self.fail = fail

    def lookup(self, code: str) -> DossierRecord | None:
        self.asked.append(code)
        if self.fail:
            raise ConnectionError("the province's database is down")
        if code != "H56-1":
            return None
        return DossierRecord(
            **{
                **RECORD,
                "code": "H56-1",
                "applicant": "Phạm Thị Hoa",
                "status": "ready",
                "late": False,
            }
        )


@pytest.mark.parametrize("fail", [False, True])
def test_a_province_source_replaces_the_imported_file(tmp_path: Path, fail: bool) -> None:
    source = ProvinceSystem(fail=fail)
    server = start_server(tmp_path, dossiers=source)
    try:
        _, token = enroll(server)
        answer = call(server, token, "GET", "/dossiers/H56-1")
        if fail:
            assert answer.status_code == 503
            assert answer.json()["error"]["code"] == "dossier_source_unavailable"
        else:
            assert answer.json()["applicant"] == "Phạm T*** H"
            assert answer.json()["status"] == "ready"
        assert source.asked == ["H56-1"]
    finally:
        server.stop()


def test_dossier_source_loads_from_a_module_spec(tmp_path: Path) -> None:
    from central.api.dossiers import ImportedDossiers, load_source
    from central.store.sqlite import SQLiteStore

    store = SQLiteStore(tmp_path / "c.db")
    assert isinstance(load_source("central.api.dossiers:ImportedDossiers", store), ImportedDossiers)
    with pytest.raises(ValueError, match="package.module:factory"):
        load_source("no-colon", store)
    assert requests is not None and API

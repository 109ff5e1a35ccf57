"""`kiosk-central`: sites, enrollment codes, catalogue publishing, admin tokens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from central import cli
from central.auth import hash_secret
from central.store.sqlite import SQLiteStore


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_enroll_code_needs_an_existing_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "c.db")
    code, _, err = run(capsys, "enroll-code", "--site", "me-linh-xa", "--db", db)
    assert code == 1 and "kiosk-central site set" in err
    assert run(capsys, "site", "set", "me-linh-xa", "--name", "UBND xã Mê Linh", "--db", db)[0] == 0
    code, out, _ = run(capsys, "enroll-code", "--site", "me-linh-xa", "--db", db)
    assert code == 0
    issued = out.splitlines()[0]
    assert len(issued) == 9 and issued[4] == "-"


def test_catalogue_publish_reports_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "c.db")
    good = tmp_path / "catalogue.json"
    good.write_text(
        json.dumps(
            {
                "format": "kiosk-catalogue/1",
                "version": 7,
                "fields": [{"id": "ho-tich", "name": "Hộ tịch"}],
                "procedures": [
                    {
                        "code": "1.001193",
                        "name": "Đăng ký khai sinh",
                        "field": "ho-tich",
                        "level": "xa",
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "catalogue", "publish", str(good), "--db", db)
    assert code == 0 and "published version 7: 1 procedures" in out
    code, _, err = run(capsys, "catalogue", "publish", str(good), "--db", db)
    assert code == 1 and "not newer" in err
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"format": "kiosk-catalogue/1", "version": 8, "fields": [], "procedures": [{"code": "x"}]}'
    )
    code, _, err = run(capsys, "catalogue", "publish", str(bad), "--db", db)
    assert code == 1
    assert "$.procedures[0].name: is required" in err and "$.fields: must list at least one field" in err
    assert "not published; 4 problem(s)" in err
    notjson = tmp_path / "x.json"
    notjson.write_text("{")
    assert run(capsys, "catalogue", "publish", str(notjson), "--db", db)[0] == 1


def test_admin_token_is_printed_once_and_stored_hashed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "c.db"
    code, out, _ = run(capsys, "admin-token", "--name", "console", "--db", str(db))
    token = out.strip()
    assert code == 0 and len(token) >= 40
    store = SQLiteStore(db)
    assert store.admin_by_token(hash_secret(token)) == "console"
    assert token.encode() not in db.read_bytes()


def test_command_modules_each_register_a_group() -> None:
    parser = cli.build_parser()
    names = set(parser._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    assert {"serve", "site", "enroll-code", "admin-token", "catalogue", "dossiers"} <= names

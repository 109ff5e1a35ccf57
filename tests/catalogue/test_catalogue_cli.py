"""`kiosk catalogue …` run through the real entry point against a real state directory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kiosk.cli import main
from tests.fixtures_catalogue import catalogue_document, procedure


def write(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["catalogue", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def imported(state_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = write(tmp_path / "catalogue.json", catalogue_document(version=3))
    assert run(capsys, "import", str(path))[0] == 0
    return path


def test_import_prints_counts(state_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "c.json", catalogue_document(version=3))
    code, out, _ = run(capsys, "import", str(path))
    assert code == 0
    assert out == "imported catalogue version 3: 6 fields, 10 procedures, 5 keywords\n"
    code, out, _ = run(capsys, "import", str(write(tmp_path / "d.json", catalogue_document(version=4))))
    assert out.startswith("imported catalogue version 4 (was 3):")


def test_import_lists_every_error_and_keeps_the_catalogue(
    imported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = catalogue_document(version=4)
    bad["procedures"][0]["level"] = "phuong"
    bad["procedures"][3]["code"] = "1.001193"
    bad["fields"][0]["name"] = ""
    code, out, err = run(capsys, "import", str(write(tmp_path / "bad.json", bad)))
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert lines[0].endswith("bad.json: catalogue rejected: 3 problems")
    assert lines[1:4] == [
        "  $.fields[0].name: must not be empty",
        "  $.procedures[0].level: must be one of trung-uong, tinh, huyen, xa; got 'phuong'",
        "  $.procedures[3].code: duplicate of $.procedures[0].code",
    ]
    assert lines[4] == "nothing imported (version 3 kept, unchanged)"
    code, out, _ = run(capsys, "search", "khai sinh", "--json")
    assert json.loads(out)[0]["code"] == "1.001193"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"format": "kiosk-catalogue/1", "version": 4, "fields": [{"id": "a", "na',
            "  $: is not valid JSON",
        ),
        ("", "  $: is not valid JSON"),
    ],
)
def test_truncated_file_is_rejected(
    imported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "truncated.json"
    path.write_text(content, encoding="utf-8")
    code, _, err = run(capsys, "import", str(path))
    assert code == 1 and message in err and "version 3 kept" in err


def test_missing_file(state_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "import", str(tmp_path / "nowhere.json"))
    assert code == 1
    assert "cannot read the file: No such file or directory" in err
    assert "nothing imported (no catalogue yet)" in err


def test_older_file_needs_allow_older(
    imported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    older = write(tmp_path / "old.json", catalogue_document([procedure("7.1", "Y tế")], version=2))
    code, _, err = run(capsys, "import", str(older))
    assert code == 1 and "$.version: 2 is older than the current 3" in err
    assert run(capsys, "import", "--allow-older", str(older))[0] == 0


def test_search_json(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "search", "so do", "--json", "--limit", "1")
    assert code == 0
    [hit] = json.loads(out)
    assert hit["code"] == "1.001612.000.00.00.H48"
    assert hit["field"] == "dat-dai" and hit["field_name"] == "Đất đai"
    assert set(hit) == {"code", "name", "field", "field_name", "score", "match"}
    assert hit["name"].startswith("Đăng ký đất đai")


def test_search_text(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "search", "1.001193")
    assert code == 0
    assert out.split() == ["15.00", "1.001193", "Đăng", "ký", "khai", "sinh", "[Hộ", "tịch]"]
    code, out, err = run(capsys, "search", "zzzz")
    assert (code, out, err) == (0, "", "no procedure found\n")


def test_search_limit_must_be_sensible(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["catalogue", "search", "khai", "--limit", "0"])
    assert exit_.value.code == 2
    assert "must be between 1 and 500" in capsys.readouterr().err


def test_show(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "1.001193")
    assert code == 0
    assert out.splitlines()[:6] == [
        "Đăng ký khai sinh",
        "  code 1.001193 · Hộ tịch · level xa",
        "  agency: Ủy ban nhân dân cấp xã",
        "  in person: Ngay trong ngày tiếp nhận; fee: Miễn phí",
        "  documents:",
        "    - Tờ khai đăng ký khai sinh (1 original)",
    ]
    code, out, _ = run(capsys, "show", "1.001193", "--json")
    assert json.loads(out)["legal_basis"] == ["Luật Hộ tịch số 60/2014/QH13"]


def test_show_unknown_code(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "show", "9.999999")
    assert code == 1 and err == "kiosk: no procedure has the code '9.999999'\n"


def test_export_writes_a_file_that_imports_again(
    imported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out" / "export.json"
    target.parent.mkdir()
    code, out, _ = run(capsys, "export", str(target))
    assert code == 0 and out.startswith("exported catalogue version 3: 6 fields, 10 procedures")
    exported = json.loads(target.read_text(encoding="utf-8"))
    assert "Đăng ký khai sinh" in target.read_text(encoding="utf-8")  # UTF-8, not \\u escapes
    assert list(target.parent.iterdir()) == [target]
    assert run(capsys, "import", str(target))[0] == 0
    code, out, _ = run(capsys, "export", "-")
    assert json.loads(out) == exported


def test_export_without_catalogue(
    state_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "export", str(tmp_path / "x.json"))
    assert code == 1 and "no catalogue on this kiosk yet" in err
    assert not (tmp_path / "x.json").exists()

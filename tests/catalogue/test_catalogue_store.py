"""The catalogue in SQLite: atomic import (invariant 3), export, sync answers, browse lists."""

from __future__ import annotations

import sqlite3
import unicodedata
from typing import Any

import pytest

from kiosk.catalogue.search import search
from kiosk.catalogue.store import (
    FieldCount,
    apply_sync,
    catalogue_version,
    export_catalogue,
    fields_with_counts,
    get_field,
    get_procedure,
    import_catalogue,
    procedures_in_field,
)
from kiosk.errors import CatalogueError, StoreError
from tests.fixtures_catalogue import FIELDS, PROCEDURES, catalogue_document, procedure


def codes(db: sqlite3.Connection, query: str) -> list[str]:
    return [hit.code for hit in search(db, query)]


def test_import_counts_and_version(db: sqlite3.Connection) -> None:
    assert catalogue_version(db) is None
    counts = import_catalogue(db, catalogue_document(version=42))
    assert (counts.previous_version, counts.version) == (None, 42)
    assert (counts.fields, counts.procedures, counts.keywords) == (len(FIELDS), len(PROCEDURES), 5)
    assert catalogue_version(db) == 42


def test_import_replaces_the_whole_catalogue(catalogue_db: sqlite3.Connection) -> None:
    new = catalogue_document([procedure("7.000001", "Cấp thẻ bảo hiểm y tế")], version=2)
    counts = import_catalogue(catalogue_db, new)
    assert counts.previous_version == 1
    assert get_procedure(catalogue_db, "1.001193") is None
    assert codes(catalogue_db, "khai sinh") == []
    assert codes(catalogue_db, "bao hiem y te") == ["7.000001"]
    assert codes(catalogue_db, "bao hiem y tê") == ["7.000001"]


def test_rejected_import_leaves_the_catalogue_serving(catalogue_db: sqlite3.Connection) -> None:
    before = export_catalogue(catalogue_db)
    bad = catalogue_document(version=2)
    bad["procedures"].append(procedure("9.9", "Thủ tục lỗi", "khong-co"))
    with pytest.raises(CatalogueError) as caught:
        import_catalogue(catalogue_db, bad)
    assert caught.value.errors == [("$.procedures[10].field", "no field has the id 'khong-co'")]
    assert export_catalogue(catalogue_db) == before
    assert codes(catalogue_db, "khai sinh")[:1] == ["1.001193"]
    assert not catalogue_db.in_transaction


def test_older_version_needs_to_be_asked_for(catalogue_db: sqlite3.Connection) -> None:
    import_catalogue(catalogue_db, catalogue_document(version=5))
    older = catalogue_document([procedure("7.000001", "Cấp thẻ bảo hiểm y tế")], version=4)
    with pytest.raises(CatalogueError) as caught:
        import_catalogue(catalogue_db, older)
    assert caught.value.errors == [("$.version", "4 is older than the current 5")]
    assert catalogue_version(catalogue_db) == 5 and get_procedure(catalogue_db, "1.001193")
    import_catalogue(catalogue_db, older, allow_older=True)
    assert catalogue_version(catalogue_db) == 4 and get_procedure(catalogue_db, "1.001193") is None


def test_same_version_can_be_imported_again(catalogue_db: sqlite3.Connection) -> None:
    assert import_catalogue(catalogue_db, catalogue_document()).version == 1


def test_export_round_trips(catalogue_db: sqlite3.Connection) -> None:
    exported = export_catalogue(catalogue_db)
    assert [p["code"] for p in exported["procedures"]] == [p["code"] for p in PROCEDURES]
    assert exported["published_at"] == "2026-11-01T00:00:00+07:00"
    import_catalogue(catalogue_db, exported)
    assert export_catalogue(catalogue_db) == exported


def test_export_before_any_import_says_so(db: sqlite3.Connection) -> None:
    with pytest.raises(CatalogueError, match="no catalogue"):
        export_catalogue(db)


def test_text_is_stored_nfc(db: sqlite3.Connection) -> None:
    nfd = unicodedata.normalize("NFD", "Đăng ký khai sinh")
    import_catalogue(db, catalogue_document([procedure("1.001193", nfd, keywords=[nfd])]))
    stored = get_procedure(db, "1.001193")
    assert stored is not None
    assert stored["name"] == "Đăng ký khai sinh" and stored["keywords"] == ["Đăng ký khai sinh"]
    assert procedures_in_field(db, "ho-tich")[0].name == "Đăng ký khai sinh"


def test_get_procedure_returns_the_whole_object(catalogue_db: sqlite3.Connection) -> None:
    p = get_procedure(catalogue_db, "1.001193")
    assert p is not None
    assert p["agency"] == "Ủy ban nhân dân cấp xã"
    assert p["methods"][0] == {
        "channel": "truc-tiep",
        "time": "Ngay trong ngày tiếp nhận",
        "time_days": 1,
        "fee": "Miễn phí",
        "fee_vnd": 0,
    }
    assert p["documents"][0]["copies"] == 0 and p["documents"][0]["form_url"] == ""
    assert get_procedure(catalogue_db, "1.001612.000.00.00.h48 ") is not None  # case, spaces
    assert get_procedure(catalogue_db, "0.000000") is None
    assert get_field(catalogue_db, "ho-tich") == {
        "id": "ho-tich",
        "name": "Hộ tịch",
        "name_en": "Civil status",
    }


def test_fields_with_counts_in_vietnamese_order(catalogue_db: sqlite3.Connection) -> None:
    assert fields_with_counts(catalogue_db, "vi") == [
        FieldCount("chung-thuc", "Chứng thực", 1),
        FieldCount("dat-dai", "Đất đai", 1),
        FieldCount("hoa-giai", "Hoà giải ở cơ sở", 2),
        FieldCount("ho-tich", "Hộ tịch", 4),
        FieldCount("doanh-nghiep", "Thành lập và hoạt động doanh nghiệp", 1),
        FieldCount("thuy-loi", "Thuỷ lợi", 1),
    ]


def test_fields_in_english_fall_back_to_vietnamese(catalogue_db: sqlite3.Connection) -> None:
    names = [f.name for f in fields_with_counts(catalogue_db, "en")]
    assert names == [
        "Certification",
        "Civil status",
        "Hoà giải ở cơ sở",
        "Irrigation",
        "Land",
        "Thành lập và hoạt động doanh nghiệp",
    ]


def test_procedures_in_field_in_vietnamese_order(catalogue_db: sqlite3.Connection) -> None:
    assert [p.name for p in procedures_in_field(catalogue_db, "ho-tich")] == [
        "Đăng ký kết hôn",
        "Đăng ký khai sinh",
        "Đăng ký khai sinh có yếu tố nước ngoài",
        "Đăng ký khai tử",
    ]
    assert procedures_in_field(catalogue_db, "khong-co") == []


def sync_answer(**overrides: Any) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "version": 2,
        "full": False,
        "fields": [],
        "upserts": [],
        "deletes": [],
    }
    answer.update(overrides)
    return answer


def test_full_sync_replaces_everything(catalogue_db: sqlite3.Connection) -> None:
    answer = sync_answer(
        full=True,
        fields=[{"id": "y-te", "name": "Y tế"}],
        upserts=[procedure("7.000001", "Cấp thẻ bảo hiểm y tế", "y-te")],
        deletes=["ignored-in-a-full-answer"],
    )
    assert apply_sync(catalogue_db, answer) == 2
    assert [p["code"] for p in export_catalogue(catalogue_db)["procedures"]] == ["7.000001"]
    assert fields_with_counts(catalogue_db) == [FieldCount("y-te", "Y tế", 1)]


def test_full_sync_into_an_empty_kiosk(db: sqlite3.Connection) -> None:
    answer = sync_answer(
        version=7, full=True, fields=FIELDS, upserts=PROCEDURES, extra_key_from_a_newer_server=1
    )
    assert apply_sync(db, answer) == 7
    assert codes(db, "khai sinh")[:1] == ["1.001193"]


def test_delta_upserts_and_deletes(catalogue_db: sqlite3.Connection) -> None:
    renamed = procedure("1.000894", "Đăng ký kết hôn lưu động", keywords=["cưới"])
    added = procedure("7.000001", "Cấp thẻ bảo hiểm y tế", "y-te")
    answer = sync_answer(
        fields=[{"id": "y-te", "name": "Y tế"}],
        upserts=[renamed, added],
        deletes=["1.001022", "0.000000"],  # an unknown code is already gone
    )
    assert apply_sync(catalogue_db, answer) == 2
    assert catalogue_version(catalogue_db) == 2
    assert get_procedure(catalogue_db, "1.001022") is None
    assert codes(catalogue_db, "khai tu") == []
    assert codes(catalogue_db, "ket hon luu dong") == ["1.000894"]
    assert codes(catalogue_db, "cuoi") == ["1.000894"]
    assert codes(catalogue_db, "bao hiem") == ["7.000001"]
    exported = [p["code"] for p in export_catalogue(catalogue_db)["procedures"]]
    # An updated procedure keeps its place, a new one goes last.
    assert exported.index("1.000894") == 2 and exported[-1] == "7.000001"
    assert export_catalogue(catalogue_db)["published_at"] == "2026-11-01T00:00:00+07:00"


def test_delta_keeps_shorter_names_first(catalogue_db: sqlite3.Connection) -> None:
    apply_sync(catalogue_db, sync_answer(upserts=[procedure("7.000001", "Đăng ký khác")]))
    hits = search(catalogue_db, "dang ky k")
    assert hits[0].code == "7.000001" and hits[0].match == "name_prefix"


def test_delta_renaming_a_field_reindexes_its_procedures(
    catalogue_db: sqlite3.Connection,
) -> None:
    apply_sync(catalogue_db, sync_answer(fields=[{"id": "ho-tich", "name": "Đăng ký hộ tịch"}]))
    assert "1.001193" in codes(catalogue_db, "dang ky ho tich")
    assert [h.field_name for h in search(catalogue_db, "1.001193")] == ["Đăng ký hộ tịch"]


def test_delta_deleting_the_last_of_a_field_hides_it(catalogue_db: sqlite3.Connection) -> None:
    apply_sync(catalogue_db, sync_answer(deletes=["2.000908"]))
    assert "chung-thuc" not in [f.id for f in fields_with_counts(catalogue_db)]


def test_typo_vocabulary_follows_a_delta(catalogue_db: sqlite3.Connection) -> None:
    assert codes(catalogue_db, "bao hiem y tee") == []
    apply_sync(catalogue_db, sync_answer(upserts=[procedure("7.000001", "Cấp thẻ bảo hiểm y tế")]))
    assert codes(catalogue_db, "bao hiem y tee") == ["7.000001"]  # "tee" corrected to "te"
    assert codes(catalogue_db, "baoo hiem y te") == ["7.000001"]


@pytest.mark.parametrize(
    ("answer", "path", "problem"),
    [
        (sync_answer(version=1), "$.version", "must be newer than the current 1"),
        (
            sync_answer(version=0, full=True, fields=FIELDS, upserts=PROCEDURES),
            "$.version",
            "newer",
        ),
        (sync_answer(version=None), "$.version", "is required"),
        (sync_answer(full="yes"), "$.full", "true or false"),
        (sync_answer(upserts={"code": "1"}), "$.upserts", "must be a list"),
        (sync_answer(upserts=[procedure("7.1", "Y tế", "y-te")]), "$.upserts[0].field", "no field"),
        (sync_answer(upserts=[procedure("7.1", "")]), "$.upserts[0].name", "must not be empty"),
        (sync_answer(deletes="1.001193"), "$.deletes", "must be a list"),
        (sync_answer(deletes=[7]), "$.deletes[0]", "letters, digits"),
        (
            sync_answer(upserts=[procedure("1.001193", "Đăng ký khai sinh")], deletes=["1.001193"]),
            "$.deletes[0]",
            "also in $.upserts",
        ),
        (sync_answer(full=True, fields=FIELDS, upserts=[]), "$.upserts", "at least one procedure"),
        (sync_answer(full=True, fields=[], upserts=PROCEDURES), "$.fields", "at least one field"),
        (
            sync_answer(fields=[{"id": "y-te", "name": "Y tế"}, {"id": "y-te", "name": "Y"}]),
            "$.fields[1].id",
            "duplicate",
        ),
    ],
)
def test_bad_sync_answer_changes_nothing(
    catalogue_db: sqlite3.Connection, answer: dict[str, Any], path: str, problem: str
) -> None:
    before = export_catalogue(catalogue_db)
    with pytest.raises(CatalogueError) as caught:
        apply_sync(catalogue_db, answer)
    assert any(p == path and problem in m for p, m in caught.value.errors), caught.value.errors
    assert export_catalogue(catalogue_db) == before
    assert catalogue_version(catalogue_db) == 1


def test_sync_answer_that_is_not_an_object(catalogue_db: sqlite3.Connection) -> None:
    with pytest.raises(CatalogueError) as caught:
        apply_sync(catalogue_db, ["not", "an", "answer"])  # type: ignore[arg-type]
    assert caught.value.errors == [("$", "must be an object")]


def test_delta_needs_a_catalogue(db: sqlite3.Connection) -> None:
    with pytest.raises(CatalogueError) as caught:
        apply_sync(db, sync_answer(upserts=[procedure("1.001193", "Đăng ký khai sinh")]))
    assert caught.value.errors[-1][0] == "$.full"
    assert catalogue_version(db) is None


@pytest.fixture
def failing_storage(catalogue_db: sqlite3.Connection) -> sqlite3.Connection:
    """A real SQLite failure half-way through writing: the database refuses one row, after
    the old catalogue's rows have been deleted and others written."""
    catalogue_db.execute(
        "CREATE TRIGGER refuse_row BEFORE INSERT ON catalogue_procedure "
        "WHEN NEW.code = '9.000009' BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
    )
    return catalogue_db


def test_storage_failure_during_import_rolls_all_back(
    failing_storage: sqlite3.Connection,
) -> None:
    before = export_catalogue(failing_storage)
    document = catalogue_document([procedure("9.000001", "Một"), procedure("9.000009", "Hai")], version=2)
    with pytest.raises(StoreError, match="not changed"):
        import_catalogue(failing_storage, document)
    assert export_catalogue(failing_storage) == before
    assert codes(failing_storage, "khai sinh")[:1] == ["1.001193"]
    assert codes(failing_storage, "mot") == []


def test_storage_failure_during_sync_rolls_all_back(failing_storage: sqlite3.Connection) -> None:
    before = export_catalogue(failing_storage)
    answer = sync_answer(
        upserts=[procedure("9.000001", "Một"), procedure("9.000009", "Hai")], deletes=["1.001193"]
    )
    with pytest.raises(StoreError):
        apply_sync(failing_storage, answer)
    assert export_catalogue(failing_storage) == before
    assert catalogue_version(failing_storage) == 1

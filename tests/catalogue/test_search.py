"""Procedure search on a real SQLite catalogue: folding, as-you-type, codes, keywords, typos,
ranking, and input that is hostile to FTS5 syntax."""

from __future__ import annotations

import logging
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk import store
from kiosk.catalogue.search import MAX_QUERY_CHARS, parse_query, search
from kiosk.catalogue.store import import_catalogue
from tests.fixtures_catalogue import catalogue_document, procedure

BIRTH = "1.001193"
LAND = "1.001612.000.00.00.H48"


def codes(db: sqlite3.Connection, query: str, limit: int = 20) -> list[str]:
    return [hit.code for hit in search(db, query, limit=limit)]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("Đăng ký khai sinh", BIRTH),
        ("dang ky khai sinh", BIRTH),
        ("DANG KY KHAI SINH", BIRTH),
        (unicodedata.normalize("NFD", "Đăng ký khai sinh"), BIRTH),
        ("khai sinh", BIRTH),
        ("khai si", BIRTH),  # as you type
        ("dang ky khai s", BIRTH),
        ("1.001193", BIRTH),  # full code
        ("001193", BIRTH),  # part of a code
        ("1.0011", BIRTH),  # start of a code
        (LAND, LAND),
        ("1.001612.000.00.00.h48", LAND),  # code in lower case
        ("h48", LAND),
        ("sổ đỏ", LAND),  # a keyword: what people say, not in the name
        ("so do", LAND),
        ("SO DO", LAND),
        ("lam so do", LAND),
        ("giay khai sinh", BIRTH),
        ("kết hôn", "1.000894"),
        ("ket hon", "1.000894"),
        ("khai tu", "1.001022"),
        ("ban sao", "2.000908"),
        ("công nhận hòa giải", "2.002162"),  # new tone placement finds old "hoà"
        ("thôi làm hoà giải", "1.009994"),  # old placement finds new "hòa"
        ("thủy lợi", "1.003456"),
        ("thuỷ lợi", "1.003456"),
        ("Đất đai", LAND),  # field name
        ("chung thuc", "2.000908"),
        ("dang ky khia sinh", BIRTH),  # a swap typo
        ("dang ky kai sinh", BIRTH),  # a missing letter
        ("chứng thuc bna sao", "2.000908"),
        ("ket hpn", "1.000894"),  # a wrong letter in the word being typed
    ],
)
def test_search_finds(shared_catalogue_db: sqlite3.Connection, query: str, first: str) -> None:
    assert codes(shared_catalogue_db, query)[:1] == [first]


@pytest.mark.parametrize("query", ["hòa giải viên", "hoà giải viên", "HOA GIAI VIEN"])
def test_old_and_new_tone_placement_find_both_spellings(
    shared_catalogue_db: sqlite3.Connection, query: str
) -> None:
    # The catalogue writes "Công nhận hoà …" (old placement) and "Thôi làm hòa …" (new).
    assert set(codes(shared_catalogue_db, query)[:2]) == {"2.002162", "1.009994"}


def test_prefix_lists_every_name_that_starts_so(shared_catalogue_db: sqlite3.Connection) -> None:
    found = codes(shared_catalogue_db, "DANG KY")
    assert {BIRTH, "1.000656", "1.000894", "1.001022", LAND} <= set(found)
    # Shorter names first within the prefix tier: the closest to what was typed.
    assert found[:2] == ["1.001022", "1.000894"] or found[:2] == ["1.000894", "1.001022"]


def test_each_keystroke_keeps_birth_registration_in_view(
    shared_catalogue_db: sqlite3.Connection,
) -> None:
    typed = "dang ky khai sinh"
    for end in range(len("dang ky khai "), len(typed) + 1):
        assert BIRTH in codes(shared_catalogue_db, typed[:end], limit=5), typed[:end]


def test_what_people_say_outranks_words_scattered_in_a_name(
    shared_catalogue_db: sqlite3.Connection,
) -> None:
    hits = search(shared_catalogue_db, "so do")
    assert [(h.code, h.match) for h in hits[:2]] == [(LAND, "keyword"), ("2.001610", "name_words")]
    # Only a whole keyword counts as one: while it is typed it is a phrase in the keywords.
    first = search(shared_catalogue_db, "lam so d")[0]
    assert (first.code, first.match) == (LAND, "keyword_phrase")


def test_keywords_that_start_with_the_query_do_not_push_names_down(
    db: sqlite3.Connection,
) -> None:
    # From the demo catalogue: "kết hôn lưu động" is a keyword of a longer procedure.
    roaming = procedure("1.000593", "Đăng ký kết hôn lưu động", keywords=["kết hôn lưu động"])
    import_catalogue(db, catalogue_document([roaming, procedure("1.000894", "Đăng ký kết hôn")]))
    assert codes(db, "ket hon") == ["1.000894", "1.000593"]


def test_finished_word_is_not_a_prefix(shared_catalogue_db: sqlite3.Connection) -> None:
    # While typing, "kha" is the start of "khai"; after a space it is a whole word that no
    # name has, and only the typo fallback can offer "khai".
    assert {h.match for h in search(shared_catalogue_db, "kha")} == {"name_words"}
    assert {h.match for h in search(shared_catalogue_db, "kha ")} == {"typo"}
    assert BIRTH in codes(shared_catalogue_db, "khai ")


def test_hits_carry_name_field_and_falling_scores(
    shared_catalogue_db: sqlite3.Connection,
) -> None:
    hits = search(shared_catalogue_db, "dang ky")
    assert hits[0].field == "ho-tich" and hits[0].field_name == "Hộ tịch"
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(unicodedata.is_normalized("NFC", h.name) for h in hits)


def test_limit_is_respected(shared_catalogue_db: sqlite3.Connection) -> None:
    assert len(search(shared_catalogue_db, "d", limit=3)) == 3
    assert search(shared_catalogue_db, "d", limit=0) == []


@pytest.fixture
def ranking_db(db: sqlite3.Connection) -> sqlite3.Connection:
    fields = [
        {"id": "khac", "name": "Khác"},
        {"id": "khai-sinh", "name": "Khai sinh và hộ tịch"},
    ]
    procedures = [
        procedure("9.000007", "Cấp bản sao hồ sơ", "khai-sinh"),  # field only
        procedure("9.000006", "Xác nhận hồ sơ", "khac", keywords=["sinh con", "khai báo"]),
        procedure("9.000005", "Cấp giấy tờ", "khac", keywords=["trích lục khai sinh"]),
        procedure("9.000004", "Khai báo tạm vắng khi sinh sống xa", "khac"),  # words apart
        procedure("9.000003", "Đăng ký lại khai sinh", "khac"),  # phrase inside the name
        procedure("9.000002", "Cấp trích lục", "khac", keywords=["Khai sinh"]),  # a keyword
        procedure("9.000001", "Khai sinh có yếu tố nước ngoài", "khac"),  # name starts so
        procedure("9.000000", "Khai sinh", "khac"),  # exact name
    ]
    import_catalogue(db, catalogue_document(procedures, fields))
    return db


def test_ranking_tiers(ranking_db: sqlite3.Connection) -> None:
    hits = search(ranking_db, "khai sinh")
    assert [(h.code, h.match) for h in hits] == [
        ("9.000000", "name"),
        ("9.000001", "name_prefix"),
        ("9.000002", "keyword"),
        ("9.000003", "name_phrase"),
        ("9.000005", "keyword_phrase"),
        ("9.000004", "name_words"),
        ("9.000006", "keyword_words"),
        ("9.000007", "field"),
    ]
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True) and len(set(int(s) for s in scores)) == 8


def test_words_spread_over_name_and_field(ranking_db: sqlite3.Connection) -> None:
    assert [(h.code, h.match) for h in search(ranking_db, "ban sao ho tich")] == [("9.000007", "words")]


def test_shorter_names_first_within_a_name_tier(db: sqlite3.Connection) -> None:
    long_name = procedure("9.1", "Cấp lại giấy phép xây dựng có thời hạn cho nhà ở riêng lẻ")
    short = procedure("9.2", "Cấp mới giấy phép xây dựng nhà")
    shorter = procedure("9.3", "Gia hạn giấy phép xây dựng")
    import_catalogue(db, catalogue_document([long_name, short, shorter]))
    hits = search(db, "giay phep xay d")
    assert [h.code for h in hits] == ["9.3", "9.2", "9.1"]
    assert {h.match for h in hits} == {"name_phrase"}


def test_exact_code_comes_before_names(ranking_db: sqlite3.Connection) -> None:
    assert [h.match for h in search(ranking_db, "9.000003")][:1] == ["code"]
    # The start of a code lists every code that starts so, in code order.
    hits = search(ranking_db, "9.00000")
    assert [h.code for h in hits] == [f"9.00000{i}" for i in range(8)]
    assert {h.match for h in hits} == {"code_partial"}


HOSTILE = [
    '"',
    '""',
    "*",
    "NEAR(",
    "NEAR(khai sinh)",
    "' OR 1=1 --",
    "khai sinh' OR '1'='1",
    "x" * 10_000,
    "khai " * 2_000,
    " " * 50,
    "",
    "\t\n",
    "AND",
    "OR NOT AND",
    "-khai",
    "khai -sinh",
    "(khai",
    "khai)",
    "{name}: khai",
    "name:khai",
    "^khai",
    "khai + sinh",
    '"khai" *',
    "khai*",
    "%",
    "_",
    "\\",
    "\x00",
    "khai\x00sinh",
    "\ud800",
    "🙂 khai sinh",
    "ᅟ",
    "Ꭰ",
    "1.",
    ".",
    "1..001193",
    "0",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_input_is_just_text(
    shared_catalogue_db: sqlite3.Connection, query: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        hits = search(shared_catalogue_db, query)
    assert isinstance(hits, list)
    assert not caplog.records, "search hit a database error"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"khai sinh"', ["1.001193", "1.000656"]),
        ("-khai sinh", ["1.001193", "1.000656"]),
        ("khai + sinh", ["1.001193", "1.000656"]),
        ("🙂 khai sinh", ["1.001193", "1.000656"]),
        ("khai*", ["1.001022", "1.001193", "1.000656"]),
        # "near" and "or" are words here, and no procedure has them, nor a word near them: only
        # the relaxed tier finds the one with most of the words.
        ("NEAR(khai sinh)", ["1.001193", "1.000656"]),
        ("' OR 1=1 --", []),
    ],
)
def test_syntax_characters_are_ignored_words_still_count(
    shared_catalogue_db: sqlite3.Connection, query: str, expected: list[str]
) -> None:
    assert codes(shared_catalogue_db, query) == expected


def test_long_input_is_cut() -> None:
    assert len(" ".join(parse_query("x" * 10_000).words)) <= MAX_QUERY_CHARS


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_search_never_raises(shared_catalogue_db: sqlite3.Connection, query: str) -> None:
    assert isinstance(search(shared_catalogue_db, query), list)


FTS_SYNTAX = st.text(alphabet="\"*-+^:(){}. 'NEARORANDNOTkhaisn0123", max_size=40)


@given(FTS_SYNTAX)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_search_never_raises_on_fts_syntax(shared_catalogue_db: sqlite3.Connection, query: str) -> None:
    hits = search(shared_catalogue_db, query)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_database_fault_gives_no_hits_and_is_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    database = store.connect(tmp_path / "closed.db")
    import_catalogue(database, catalogue_document())
    database.close()
    with caplog.at_level(logging.ERROR):
        assert search(database, "khai sinh") == []
    assert "catalogue search failed" in caplog.text


def test_search_inside_a_callers_transaction(catalogue_db: sqlite3.Connection) -> None:
    with store.transaction(catalogue_db):
        assert codes(catalogue_db, "khai sinh")[:1] == [BIRTH]
    assert not catalogue_db.in_transaction


def test_search_before_any_import(db: sqlite3.Connection) -> None:
    assert search(db, "khai sinh") == []


def test_search_sees_a_committed_change_from_another_connection(
    catalogue_db: sqlite3.Connection, state_dir: Path
) -> None:
    other = store.open_state(state_dir)
    try:
        import_catalogue(
            other, catalogue_document([procedure("7.000001", "Cấp thẻ bảo hiểm y tế")], version=2)
        )
    finally:
        other.close()
    assert codes(catalogue_db, "bao hiem") == ["7.000001"]
    assert codes(catalogue_db, "khai sinh") == []

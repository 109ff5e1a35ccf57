"""Search the way citizens type (issue 16): i/y spellings, compatibility forms, sentences with
filler words, abbreviations and synonyms, English, typo results ranked by tiers, the relaxed
tier. On the demo catalogue, the one a kiosk ships with."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.search_quality import Case, evaluate, import_demo, load_cases
from kiosk import store
from kiosk.catalogue.folding import fold_i_y, search_words
from kiosk.catalogue.search import search
from kiosk.catalogue.understanding import parse_query, without_fillers

BIRTH, DEATH, MARRIAGE, TEMPORARY = "1.001193", "1.000656", "1.000894", "1.004194"
ID_CARD, LAND, CRIMINAL_RECORD = "2.000200", "1.013978", "3.000333"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    db = store.connect(Path(tmp_path_factory.mktemp("demo")) / store.DB_NAME)
    import_demo(db)
    yield db
    db.close()


def first(db: sqlite3.Connection, query: str, language: str = "vi") -> str | None:
    hits = search(db, query, 5, language=language)
    return hits[0].code if hits else None


@pytest.mark.parametrize(
    ("word", "folded"),
    [
        ("ky", "ki"),
        ("ki", "ki"),
        ("ly", "li"),
        ("my", "mi"),
        ("ty", "ti"),
        ("hy", "hi"),
        ("sy", "si"),
        ("quy", "qui"),
        ("nghy", "nghi"),
        # other sounds stay as written
        ("tay", "tay"),
        ("tai", "tai"),
        ("thuy", "thuy"),
        ("y", "y"),
        ("yen", "yen"),
        ("kyx", "kyx"),
    ],
)
def test_i_and_y_spellings_fold_to_one(word: str, folded: str) -> None:
    assert fold_i_y(word) == folded


def test_search_words_fold_i_y_and_compatibility_forms() -> None:
    assert search_words("Đăng kí lí lịch") == search_words("ĐĂNG KÝ LÝ LỊCH") == ["dang", "ki", "li", "lich"]
    assert search_words("１.００１１９３ ＫＴ３") == ["1", "001193", "kt3"]  # full-width forms (NFKC)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("dang ki tam tru", TEMPORARY),
        ("đăng kí tạm trú", TEMPORARY),
        ("li lich tu phap", CRIMINAL_RECORD),
        ("１.００１１９３", BIRTH),
        ("ｄａｎｇ ｋｙ ｋｈａｉ ｓｉｎｈ", BIRTH),
    ],
)
def test_i_y_spellings_and_full_width_text_find_the_procedure(
    demo_db: sqlite3.Connection, query: str, code: str
) -> None:
    assert first(demo_db, query) == code


def test_catalogue_text_is_shown_as_written(demo_db: sqlite3.Connection) -> None:
    assert search(demo_db, "dang ki khai sinh")[0].name == "Đăng ký khai sinh"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("thủ tục đăng ký tạm trú", TEMPORARY),
        ("đăng ký tạm trú ở đâu", TEMPORARY),
        ("muốn làm giấy khai tử cho bố", DEATH),
        ("cần giấy tờ gì để làm căn cước lần đầu", ID_CARD),
        ("làm giấy khai sinh cho con như thế nào", BIRTH),
        ("thủ tục đăng ký kết hôn ở xã", MARRIAGE),
    ],
)
def test_sentences_find_their_procedure_first(demo_db: sqlite3.Connection, query: str, code: str) -> None:
    assert first(demo_db, query) == code


def test_fillers_are_dropped_only_when_something_is_left() -> None:
    dropped = without_fillers(parse_query("thủ tục đăng ký tạm trú ở đâu"))
    assert dropped is not None and dropped.words == ("dang", "ki", "tam", "tru")
    assert without_fillers(parse_query("thủ tục")) is None  # nothing else: the fillers are the search
    assert without_fillers(parse_query("đăng ký khai sinh")) is None  # nothing to drop
    # Words that fold like a filler but mean something stay: chứng minh, căn cước, sổ đỏ.
    assert without_fillers(parse_query("chứng minh căn cước sổ đỏ")) is None


def test_a_sentence_matching_no_name_whole_is_ranked_by_the_words_it_covers(
    demo_db: sqlite3.Connection,
) -> None:
    hits = search(demo_db, "chuyển hộ khẩu về nhà chồng")
    assert hits and hits[0].code == "1.004222"  # Đăng ký thường trú ("chuyển hộ khẩu")
    hits = search(demo_db, "đăng ký tạm trú cho sinh viên thuê phòng trọ gần trường")
    assert hits[0].code == TEMPORARY and hits[0].match == "relaxed"


def test_the_relaxed_tier_needs_most_of_the_words(demo_db: sqlite3.Connection) -> None:
    # One word of two is not an answer: "khai" alone would list every birth registration.
    assert search(demo_db, "khai xyzw") == []
    assert search(demo_db, "qwv xyzw khai") == []


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("KT3", TEMPORARY),
        ("làm CMND", ID_CARD),
        ("làm CCCD", ID_CARD),
        ("đăng ký HKTT", "1.004222"),
        ("ĐKKD", "1.001612"),
        ("LLTP", CRIMINAL_RECORD),
        ("sổ hồng", LAND),  # a term that names a procedure
        ("giấy độc thân", "1.004873"),
    ],
)
def test_abbreviations_and_everyday_names_from_the_synonyms_table(
    demo_db: sqlite3.Connection, query: str, code: str
) -> None:
    assert first(demo_db, query) == code


def test_synonyms_come_from_the_catalogue(demo_db: sqlite3.Connection, db: sqlite3.Connection) -> None:
    from kiosk.catalogue.store import export_catalogue, import_catalogue

    document = export_catalogue(demo_db)
    assert first(demo_db, "KT3") == TEMPORARY
    document["synonyms"] = [s for s in document["synonyms"] if s["term"] != "KT3"]
    import_catalogue(db, document)
    assert first(db, "KT3") != TEMPORARY


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("death registration", DEATH),
        ("birth regis", BIRTH),
        ("how do I register a death", DEATH),
        ("ID card", ID_CARD),
        ("police check", CRIMINAL_RECORD),
        ("marriage certificate", MARRIAGE),
    ],
)
def test_english_names_and_keywords_on_the_english_screen(
    demo_db: sqlite3.Connection, query: str, code: str
) -> None:
    assert first(demo_db, query, language="en") == code


def test_english_is_a_lower_tier_on_the_vietnamese_screen(demo_db: sqlite3.Connection) -> None:
    hits = search(demo_db, "death registration")
    assert hits[0].code == DEATH and hits[0].match == "english_name"
    english = search(demo_db, "death registration", language="en")[0]
    assert english.score > hits[0].score  # the English screen puts it in a higher tier


def test_a_misspelt_exact_name_comes_first(demo_db: sqlite3.Connection) -> None:
    # Corrected words go through the tiers: the exact name first, not whatever bm25 likes best.
    hits = search(demo_db, "dang ky khai tuu ")
    assert hits[0].code == DEATH and hits[0].match == "typo"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    strict = search(demo_db, "dang ky khai tuu ", mode="strict")
    assert strict and {h.match for h in strict} == {"typo"}


def test_short_words_are_repaired_when_safe(demo_db: sqlite3.Connection) -> None:
    assert first(demo_db, "dang kt khai sinh ") == BIRTH  # kt → ki (ký), one edit, same first letter
    assert search(demo_db, "dang ky khai sinh", mode="strict")[0].code == BIRTH


@pytest.mark.parametrize(
    "query",
    [
        "x" * 10_000,
        "thủ tục " * 2_000,
        "khai\x00sinh",
        "🙂🙂 đăng ký 🙂 tạm trú",
        "\u202eđăng ký\u202c \u200ftạm trú",
        "'\"; DROP TABLE catalogue_procedure; --",
        'cmnd" OR "1"="1',
        "KT3 NEAR(tạm trú) * ^",
        "muốn làm giấy khai tử cho bố " * 50,
    ],
)
def test_hostile_input_through_the_new_paths_is_results_or_nothing(
    demo_db: sqlite3.Connection, query: str
) -> None:
    for language in ("vi", "en"):
        assert isinstance(search(demo_db, query, language=language), list)
    assert demo_db.execute("SELECT count(*) FROM catalogue_procedure").fetchone()[0] == 127


# The floor of the quality set: raise it when search gets better, never lower it.
RECALL_AT_1_FLOOR = 0.95
RECALL_AT_3_FLOOR = 0.99
MRR_FLOOR = 0.97


def test_quality_set_has_150_queries_in_both_languages() -> None:
    cases = load_cases()
    assert len(cases) >= 150
    assert sum(c.language == "en" for c in cases) >= 25


def test_search_quality_on_citizen_queries_stays_above_the_floor(demo_db: sqlite3.Connection) -> None:
    cases = load_cases()
    quality = evaluate(demo_db, cases)
    assert quality.recall_at_1 >= RECALL_AT_1_FLOOR, quality.misses
    assert quality.recall_at_3 >= RECALL_AT_3_FLOOR, quality.misses
    assert quality.mrr >= MRR_FLOOR
    # …and the strict search (as before) is clearly below it: the set tests what changed.
    assert evaluate(demo_db, cases, mode="strict").recall_at_1 < RECALL_AT_1_FLOOR - 0.1


def test_every_expected_procedure_is_in_the_demo_catalogue(demo_db: sqlite3.Connection) -> None:
    codes = {row[0] for row in demo_db.execute("SELECT code FROM catalogue_procedure")}
    assert {c.code for c in load_cases()} <= codes
    assert Case("x", "y", "english").language == "en"

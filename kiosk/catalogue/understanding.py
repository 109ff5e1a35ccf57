"""How a citizen's words become searches: filler words set aside, abbreviations expanded.

People type what they would say at the counter: "thủ tục đăng ký tạm trú", "muốn làm giấy khai
tử cho bố", "cần giấy tờ gì để làm căn cước", "how do I register a death". The words around the
procedure (thủ tục, muốn, làm, cho, ở đâu, giấy tờ gì, how do I …) are fillers: a search is also
tried without them, so the rest can still match a name exactly. And the words of the
catalogue's synonyms table (CMND, HKTT, BHYT …) are replaced by what they stand for, as a
further try. docs/lookup.md lists the fillers and explains the order.

Fillers are compared as search words (folded, i/y made one), so a filler must never be the
folded form of a word that means something in a procedure: "can" (cần) is also căn (căn cước),
"do" is đỏ (sổ đỏ), "the" is thẻ, "di" is di (di chúc), "o" is ở (nhà ở); those are only
fillers inside the phrases below; and "mình", "em", "cháu", "hỏi", "vậy" are left out because
they are also minh (chứng minh), em (trẻ em), cháu (nhận cháu làm con nuôi), hội, vay.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace

from kiosk.catalogue.folding import fold_i_y, fold_vietnamese, search_words

# Longer input is not a search a citizen types; cutting it keeps every query cheap.
MAX_QUERY_CHARS = 200
MAX_WORDS = 12
MAX_EXPANSIONS = 3
_LONGEST_TERM = 4
_CODE_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyz.-_")

_FILLER_TEXT = """
thủ tục hành chính | thủ tục | hướng dẫn | quy trình | cách | làm sao | làm thế nào | như thế nào |
thế nào | ra sao | ở đâu | nộp ở đâu | làm ở đâu | mất bao lâu | bao lâu | bao nhiêu tiền |
hết bao nhiêu | bao nhiêu | cần gì | cần những gì | cần giấy tờ gì | cần những giấy tờ gì |
giấy tờ gì | những giấy tờ gì | gồm những gì | hồ sơ gồm những gì | cần chuẩn bị | chuẩn bị gì |
nộp hồ sơ | được không | có được không | có phải | không ạ | muốn | xin | làm | cho | để | phải |
về | gì | nào | ạ | nhé | tôi | cho hỏi | cho em hỏi | em muốn | em cần | xin hỏi | giúp |
how do i | how to | how can i | how | what documents | which documents | what do i need |
do i need | i need | i want to | i want | want to | where | what | which | need | please |
apply for | apply | get | for my | for | a | i | of | is | are | in vietnam | in viet nam
"""


def _phrases(text: str) -> tuple[tuple[str, ...], ...]:
    phrases = {tuple(search_words(p)) for p in text.split("|")} - {()}
    return tuple(sorted(phrases, key=len, reverse=True))


FILLERS = _phrases(_FILLER_TEXT)
_BY_FIRST_WORD: dict[str, list[tuple[str, ...]]] = {}
for _phrase in FILLERS:  # longest first, as FILLERS is
    _BY_FIRST_WORD.setdefault(_phrase[0], []).append(_phrase)


@dataclass(frozen=True)
class Query:
    """A citizen's input made safe: search words, and the code it might be."""

    words: tuple[str, ...]
    # The last word is still being typed (no space after it yet): match it as a prefix.
    typing_last: bool
    code: str | None

    @property
    def text(self) -> str:
        return " ".join(self.words)


def parse_query(query: str) -> Query:
    """Fold and cut the input (NFKC, case, marks, đ, i/y); never raises, whatever the text."""
    raw = query[:MAX_QUERY_CHARS]
    words = tuple(search_words(raw)[:MAX_WORDS])
    folded = fold_vietnamese(raw)
    looks_like_code = folded != "" and set(folded) <= _CODE_CHARS and any(c.isdigit() for c in folded)
    return Query(words, bool(raw) and not raw[-1].isspace(), folded if looks_like_code else None)


def without_fillers(q: Query, *, edges_only: bool = False) -> Query | None:
    """The query with its filler words and phrases left out (only those before and after the
    rest with `edges_only`); None when it has none, or when nothing else is left (then the
    fillers are the search)."""
    kept: list[int] = []
    i = 0
    while i < len(q.words):
        n = _filler_at(q.words, i)
        if n and not (edges_only and kept and _more_after(q.words, i + n)):
            i += n
            continue
        kept.append(i)
        i += 1
    if not kept or len(kept) == len(q.words):
        return None
    last_kept = kept[-1] == len(q.words) - 1
    return Query(tuple(q.words[i] for i in kept), q.typing_last and last_kept, None)


def _more_after(words: tuple[str, ...], i: int) -> bool:
    """Whether anything but fillers comes from `i` on."""
    while i < len(words):
        n = _filler_at(words, i)
        if not n:
            return True
        i += n
    return False


def _filler_at(words: tuple[str, ...], i: int) -> int:
    """How many words from `i` on make a filler phrase (the longest), 0 when none does."""
    for phrase in _BY_FIRST_WORD.get(words[i], ()):
        if tuple(words[i : i + len(phrase)]) == phrase:
            return len(phrase)
    return 0


def expansions(db: sqlite3.Connection, q: Query) -> list[Query]:
    """The query with the terms of the synonyms table replaced by what they mean ("cmnd" →
    "chung minh nhan dan"): the first meaning of every term, then the second, … at most
    MAX_EXPANSIONS queries. Longer terms win over the shorter ones inside them."""
    meanings = _meanings(db, q.words)
    if not meanings:
        return []
    out: list[Query] = []
    for choice in range(MAX_EXPANSIONS):
        words: list[str] = []
        i, replaced = 0, False
        while i < len(q.words):
            term = _term_at(q.words, i, meanings)
            if term is None:
                words.append(q.words[i])
                i += 1
                continue
            options = meanings[term]
            words += options[min(choice, len(options) - 1)].split()
            replaced = replaced or choice < len(options)
            i += len(term.split())
        if replaced:
            out.append(
                Query(tuple(words[: MAX_WORDS * 2]), q.typing_last and not _ends_in_term(q, meanings), None)
            )
    return list(dict.fromkeys(out))


def _meanings(db: sqlite3.Connection, words: tuple[str, ...]) -> dict[str, list[str]]:
    grams = {
        " ".join(words[i : i + n]) for n in range(1, _LONGEST_TERM + 1) for i in range(len(words) - n + 1)
    }
    if not grams:
        return {}
    marks = ", ".join("?" * len(grams))
    rows = db.execute(
        f"SELECT term_key, means_key FROM catalogue_synonym WHERE term_key IN ({marks}) "
        "ORDER BY term_key, position",
        sorted(grams),
    )
    meanings: dict[str, list[str]] = {}
    for term, means in rows:
        meanings.setdefault(term, []).append(means)
    return meanings


def _term_at(words: tuple[str, ...], i: int, meanings: dict[str, list[str]]) -> str | None:
    for n in range(_LONGEST_TERM, 0, -1):
        gram = " ".join(words[i : i + n])
        if i + n <= len(words) and gram in meanings:
            return gram
    return None


def _ends_in_term(q: Query, meanings: dict[str, list[str]]) -> bool:
    return any(q.text == t or q.text.endswith(" " + t) for t in meanings)


def variants(db: sqlite3.Connection, q: Query) -> list[Query]:
    """Every way to search for `q`, best first: as typed, without the fillers it starts and
    ends with ("làm giấy khai sinh cho con | như thế nào" keeps a keyword whole), without any
    fillers, with the synonyms table's meanings (as typed, then without fillers)."""
    plain = without_fillers(q)
    edges = without_fillers(q, edges_only=True)
    found = [q] + [f for f in (edges, plain) if f] + expansions(db, q)
    found += expansions(db, plain) if plain else []
    return list(dict.fromkeys(found))


def meaningful(q: Query) -> Query:
    """The words that say what is wanted: the query without fillers (or as typed)."""
    return without_fillers(q) or replace(q, code=None)


__all__ = [
    "FILLERS",
    "Query",
    "expansions",
    "fold_i_y",
    "meaningful",
    "parse_query",
    "variants",
    "without_fillers",
]

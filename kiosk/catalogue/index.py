"""The catalogue's search rows: what search.py reads, written by kiosk/catalogue/store.py.

Everything here is folded in Python (kiosk/catalogue/folding.py: diacritics, đ, i/y spellings),
because SQLite can fold none of it. The rows are written inside the store's transaction, so a
reader sees the old index or the new one.

- catalogue_fts: per procedure the words of its name, its keywords (plus the terms of the
  synonyms table that name it), its code, its field's name, and its English name and English
  keywords; rowid = catalogue_procedure.id.
- catalogue_keyword: each keyword, English keyword and procedure-naming synonym term as whole
  search words.
- catalogue_synonym: each term of the synonyms table with each thing it means, as search words.
- catalogue_word (+ trigram index): every indexed word, for the typo fallback.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from kiosk.catalogue.folding import search_words

# Grows whenever what the rows hold changes; a kiosk whose rows are older rebuilds them
# (kiosk.catalogue.store.ensure_search_index). 1: i/y folding, English column, synonyms.
SEARCH_INDEX_VERSION = 1


def index_text(text: str) -> str:
    """Text as the index holds it: the search words joined by single spaces."""
    return " ".join(search_words(text))


def write_search_rows(
    db: sqlite3.Connection,
    numbered: Sequence[tuple[int, Mapping[str, Any]]],
    synonyms: Sequence[Mapping[str, Any]],
) -> None:
    """Index the procedures (id, Procedure object) and the synonyms table into cleared tables."""
    field_names = dict(db.execute("SELECT id, name FROM catalogue_field").fetchall())
    extra = _terms_by_code(synonyms)
    keywords = {pid: list(p["keywords"]) + extra.get(p["code"], []) for pid, p in numbered}
    keywords_en = {pid: list(p.get("keywords_en") or []) for pid, p in numbered}
    db.executemany(
        "INSERT INTO catalogue_fts (rowid, name, keywords, code, field, english) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                pid,
                index_text(p["name"]),
                index_text(" ".join(keywords[pid])),
                index_text(p["code"]),
                index_text(field_names[p["field"]]),
                index_text(" ".join([p.get("name_en") or ""] + keywords_en[pid])),
            )
            for pid, p in numbered
        ],
    )
    db.executemany(
        "INSERT OR IGNORE INTO catalogue_keyword (keyword_key, procedure_id) VALUES (?, ?)",
        [
            (key, pid)
            for pid, _ in numbered
            for key in map(index_text, keywords[pid] + keywords_en[pid])
            if key
        ],
    )
    db.execute("DELETE FROM catalogue_synonym")
    db.executemany(
        "INSERT OR IGNORE INTO catalogue_synonym (term_key, means_key, position) VALUES (?, ?, ?)",
        [
            (index_text(entry["term"]), index_text(meaning), position)
            for entry in synonyms
            for position, meaning in enumerate(entry.get("means") or [])
            if index_text(meaning)
        ],
    )
    _rebuild_words(db)


def _terms_by_code(synonyms: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Terms of the synonyms table that name procedures, by code: indexed as their keywords
    (a code the catalogue does not hold is simply not found)."""
    terms: dict[str, list[str]] = defaultdict(list)
    for entry in synonyms:
        for code in entry.get("procedures") or []:
            terms[code].append(entry["term"])
    return terms


def _rebuild_words(db: sqlite3.Connection) -> None:
    """Refresh the vocabulary the typo fallback corrects against: every indexed word with a
    letter in it (codes and numbers are not corrected), padded so its first and last letters
    make trigrams of their own."""
    db.execute("DELETE FROM catalogue_word")
    db.execute("DELETE FROM catalogue_word_trigram")
    db.execute(
        "INSERT INTO catalogue_word (word) SELECT term FROM catalogue_fts_terms WHERE term GLOB '*[a-z]*'"
    )
    db.execute("INSERT INTO catalogue_word_trigram (word) SELECT ' ' || word || ' ' FROM catalogue_word")

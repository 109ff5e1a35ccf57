"""The search quality set: citizen queries on the demo catalogue, each with the procedure it
should find (bench/data/search_queries.tsv), and how to score a search on them.

Used by bench/bench_search_quality.py (figures, before and after) and by
tests/catalogue/test_search_quality.py (a floor that only goes up)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from kiosk.catalogue.search import Mode, search
from kiosk.catalogue.store import import_catalogue

REPO = Path(__file__).resolve().parent.parent
QUERIES = REPO / "bench" / "data" / "search_queries.tsv"
DEMO_CATALOGUE = REPO / "config" / "demo" / "catalogue.json"


@dataclass(frozen=True)
class Case:
    query: str
    code: str
    kind: str

    @property
    def language(self) -> str:
        """English queries are typed on the English screen."""
        return "en" if self.kind == "english" else "vi"


@dataclass(frozen=True)
class Quality:
    cases: int
    recall_at_1: float
    recall_at_3: float
    mrr: float
    misses: tuple[tuple[str, str, list[str]], ...]  # query, expected, the first three found


def load_cases(path: Path = QUERIES) -> list[Case]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            query, code, kind = line.split("\t")
            cases.append(Case(query, code, kind))
    return cases


def import_demo(db: sqlite3.Connection) -> None:
    import_catalogue(db, json.loads(DEMO_CATALOGUE.read_text(encoding="utf-8")))


def evaluate(db: sqlite3.Connection, cases: list[Case], mode: Mode = "full") -> Quality:
    """Recall at 1 and 3 and mean reciprocal rank (over the first 20 hits) of `search`."""
    at1 = at3 = 0
    reciprocal = 0.0
    misses = []
    for case in cases:
        found = [h.code for h in search(db, case.query, 20, language=case.language, mode=mode)]
        rank = found.index(case.code) + 1 if case.code in found else 0
        at1 += rank == 1
        at3 += 0 < rank <= 3
        reciprocal += 1 / rank if rank else 0.0
        if rank != 1:
            misses.append((case.query, case.code, found[:3]))
    n = len(cases)
    return Quality(n, at1 / n, at3 / n, reciprocal / n, tuple(misses))

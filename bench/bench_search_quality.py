"""Search quality on citizen queries (bench/data/search_queries.tsv, the demo catalogue):
recall at 1 and 3 and MRR of the search before query understanding (`mode="strict"`: words as
typed, Vietnamese tiers, typo fallback by bm25) and after, side by side."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench import Figure
from bench.search_quality import evaluate, import_demo, load_cases
from kiosk import store


def run() -> list[Figure]:
    cases = load_cases()
    with tempfile.TemporaryDirectory() as tmp:
        db = store.connect(Path(tmp) / store.DB_NAME)
        import_demo(db)
        before = evaluate(db, cases, mode="strict")
        after = evaluate(db, cases)
        kinds = sorted({c.kind for c in cases})
        by_kind = [
            Figure(
                f"recall@1 {kind} ({sum(c.kind == kind for c in cases)}), before → after",
                f"{evaluate(db, [c for c in cases if c.kind == kind], 'strict').recall_at_1:.2f} → "
                f"{evaluate(db, [c for c in cases if c.kind == kind]).recall_at_1:.2f}",
            )
            for kind in kinds
        ]
        db.close()
    return [
        Figure("citizen queries", len(cases)),
        Figure("recall@1 before (strict)", before.recall_at_1),
        Figure("recall@1 after", after.recall_at_1, "", "floor 0.95 (test)"),
        Figure("recall@3 before (strict)", before.recall_at_3),
        Figure("recall@3 after", after.recall_at_3, "", "floor 0.99 (test)"),
        Figure("MRR before (strict)", before.mrr),
        Figure("MRR after", after.mrr, "", "floor 0.97 (test)"),
        *by_kind,
    ]

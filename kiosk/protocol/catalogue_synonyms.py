"""The abbreviations and synonyms table of a catalogue (`synonyms`, docs/catalogue.md).

A list beside `fields` and `procedures`: each entry names a `term` citizens type ("CMND",
"KT3", "sổ hồng") and what it stands for: `means`, words to search for in its place
("chứng minh nhân dân"), and/or `procedures`, the codes it should find (as if it were one of
their keywords). Optional, so every catalogue without it is valid as before; checked as strictly
as the rest (unknown keys, blank text, duplicate terms and unknown codes are errors).
"""

from __future__ import annotations

from typing import Any

from kiosk.protocol.folding import search_words

Errors = list[tuple[str, str]]
KEYS = ("term", "means", "procedures")


def validate_synonyms(
    items: Any, path: str, procedure_codes: set[str] | None, errors: Errors, check: Any
) -> list[dict[str, Any]]:
    """Normalise the synonyms list. `check(spec)` is the format's object checker (so text rules
    are the format's own); `procedure_codes` None skips the code check (a sync delta, whose
    codes the central server checked against the whole catalogue when it was published)."""
    if items is None:
        return []
    if not isinstance(items, list):
        errors.append((path, "must be a list"))
        return []
    synonyms: list[dict[str, Any]] = []
    first_seen: dict[str, str] = {}
    for i, item in enumerate(items):
        item_path = f"{path}[{i}]"
        entry = check(item, item_path, errors)
        if entry is None or entry["term"] is None:
            continue
        key = " ".join(search_words(entry["term"]))
        if not key:
            errors.append((f"{item_path}.term", "must contain a letter or digit"))
            continue
        if key in first_seen:
            errors.append((f"{item_path}.term", f"duplicate of {first_seen[key]}.term"))
            continue
        first_seen[key] = item_path
        if not entry["means"] and not entry["procedures"]:
            errors.append((item_path, "needs `means` or `procedures` (what the term stands for)"))
            continue
        for j, code in enumerate(entry["procedures"] or []):
            if procedure_codes is not None and code is not None and code not in procedure_codes:
                errors.append((f"{item_path}.procedures[{j}]", f"no procedure has the code {code!r}"))
        synonyms.append(entry)
    return synonyms

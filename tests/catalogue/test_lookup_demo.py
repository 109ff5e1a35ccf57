"""The demo state gets the demo catalogue: imported once, never downgraded, never half."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk import store
from kiosk.catalogue.store import catalogue_version, fields_with_counts
from kiosk.demo_site import seed_catalogue, seed_state
from kiosk.errors import CatalogueError
from tests.fixtures_catalogue import PROCEDURES, catalogue_document


def write(path: Path, document: dict) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def changed_at(state_dir: Path) -> str:
    db = store.open_state(state_dir)
    try:
        return str(db.execute("SELECT changed_at FROM catalogue_meta").fetchone()[0])
    finally:
        db.close()


def test_seeding_imports_the_demo_catalogue_once(tmp_path: Path, state_dir: Path) -> None:
    path = write(tmp_path / "catalogue.json", catalogue_document(version=7))
    seed_state(state_dir, catalogue=path)
    first = changed_at(state_dir)
    seed_state(state_dir, catalogue=path)  # `make run` seeds on every start
    assert changed_at(state_dir) == first
    db = store.open_state(state_dir)
    try:
        assert catalogue_version(db) == 7
        assert sum(f.count for f in fields_with_counts(db)) == len(PROCEDURES)
        assert seed_catalogue(db, write(tmp_path / "v8.json", catalogue_document(version=8))) is True
        assert catalogue_version(db) == 8
        # An older demo file never replaces a newer catalogue (e.g. one synced from the server).
        assert seed_catalogue(db, path) is False
        assert catalogue_version(db) == 8
    finally:
        db.close()


def test_no_demo_catalogue_file_seeds_nothing(tmp_path: Path, state_dir: Path) -> None:
    seed_state(state_dir, catalogue=tmp_path / "missing.json")
    db = store.open_state(state_dir)
    try:
        assert catalogue_version(db) is None
    finally:
        db.close()


def test_a_broken_demo_catalogue_is_refused_whole(tmp_path: Path, state_dir: Path) -> None:
    good = write(tmp_path / "good.json", catalogue_document(version=1))
    seed_state(state_dir, catalogue=good)
    bad = catalogue_document(version=2)
    bad["procedures"][0]["field"] = "no-such-field"
    with pytest.raises(CatalogueError) as error:
        seed_state(state_dir, catalogue=write(tmp_path / "bad.json", bad))
    assert any("field" in problem for _path, problem in error.value.errors)
    db = store.open_state(state_dir)
    try:
        assert catalogue_version(db) == 1
    finally:
        db.close()

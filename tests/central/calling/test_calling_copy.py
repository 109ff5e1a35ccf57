"""A SQLite office in the middle of its day, moved with `store copy` to PostgreSQL: the queue,
every counter action, the counters, the officers and their sessions arrive as they were
(the copy itself checks counts and checksums per table), and the day goes on there: an
officer's browser keeps its session, a no-show is called back, a paused counter stays paused,
and the site's events go on numbering after the copied ones."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from central.store.copy import copy_sqlite_to_postgres
from central.store.postgres.url import parse_postgres_url
from tests.fixtures_calling import CallingSite, Counter, make_calling_site
from tests.fixtures_central import SITE, RunningServer, start_server
from tests.fixtures_postgres import PostgresServer


@pytest.fixture
def moved(postgres_server: PostgresServer, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    directory = tmp_path / "moved"
    directory.mkdir()
    yield postgres_server.database("calling_copy"), directory


def test_a_calling_day_copied_to_postgresql_goes_on(
    central_server: RunningServer, moved: tuple[str, Path]
) -> None:
    site: CallingSite = make_calling_site(central_server)
    site.issue("A001", "A002", "A003", "B001")
    lan = site.officer("lan", "1", ["A"])
    minh = site.officer("minh", "3", ["B"])
    assert lan.called() == "A001"
    assert lan.called("no_show", ticket="A001") == "A001"
    assert lan.called() == "A002"
    assert minh.press("pause").status_code == 200
    source = central_server.store

    target, directory = moved
    copied = {t.table: t.rows for t in copy_sqlite_to_postgres(Path(source.path), parse_postgres_url(target))}  # type: ignore[union-attr]
    assert copied["staff"] == copied["staff_sessions"] == copied["counters"] == 2
    assert copied["calling_events"] == 6 and copied["tickets"] == 4

    server = start_server(directory, db_url=target)
    try:
        assert server.store.calling_tickets(SITE.id, site.day) == source.calling_tickets(SITE.id, site.day)
        assert server.store.calling_events(SITE.id, 0, 100) == source.calling_events(SITE.id, 0, 100)
        assert server.store.counter_states(SITE.id) == source.counter_states(SITE.id)
        assert server.store.list_staff(SITE.id) == source.list_staff(SITE.id)
        last = source.last_calling_seq(SITE.id)
        # The same browsers, pointed at the new server: still signed in, still seated.
        assert Counter(server.url, "lan", http=lan.http).called("call_back", ticket="A001") == "A001"
        paused = Counter(server.url, "minh", http=minh.http).press("call_next")
        assert paused.status_code == 409 and paused.json()["error"]["code"] == "counter_paused"
        events = server.store.calling_events(SITE.id, last, 100)
        assert [(e.seq, e.action, e.ticket) for e in events] == [(last + 1, "call_back", "A001")]
        assert events[0].data["auto_served"] == ["A002"]
    finally:
        server.stop()

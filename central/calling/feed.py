"""Live pushes of counter actions to displays and phones.

The store is the truth (each action an event with a per-site `seq`); this is only how a server
process learns of new events fast. One watcher per site and process, running while someone
listens: it is woken at once by actions done in this process (`poke`) and otherwise looks at the
store's last seq every POLL_S, so actions done by another `kiosk-central` instance behind the
same proxy reach this one's displays within that time. A PostgreSQL store may replace the
polling by LISTEN/NOTIFY; nothing else changes. However many displays listen, the store is read
once per change."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from dataclasses import dataclass, field

from central.store.calling import CallEvent, CallingStore

POLL_S = 0.25
KEEP = 200  # events kept in memory per site for listeners that fall a little behind


@dataclass
class _Site:
    site_id: str
    last_seq: int
    events: deque[CallEvent] = field(default_factory=lambda: deque(maxlen=KEEP))
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    poke: asyncio.Event = field(default_factory=asyncio.Event)
    listeners: int = 0
    task: asyncio.Task[None] | None = None


class CallFeed:
    def __init__(self, store: CallingStore) -> None:
        self._store = store
        self._sites: dict[str, _Site] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def poke(self, site_id: str) -> None:
        """Called from any thread after an action was stored: wake that site's watcher."""
        loop, site = self._loop, self._sites.get(site_id)
        if loop is not None and site is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop stopped meanwhile
                loop.call_soon_threadsafe(site.poke.set)

    async def listen(self, site_id: str, after_seq: int, timeout_s: float) -> list[CallEvent] | None:
        """Events after `after_seq` as soon as there are any; [] after `timeout_s` without;
        None when the listener fell too far behind (it should reload the whole state)."""
        site = await self._site(site_id)
        site.listeners += 1
        try:
            deadline = asyncio.get_running_loop().time() + timeout_s
            while True:
                if after_seq < site.last_seq and (not site.events or after_seq < site.events[0].seq - 1):
                    return None  # what it missed is no longer in memory
                found = [e for e in site.events if e.seq > after_seq]
                if found:
                    return found
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    return []
                changed = site.changed
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), remaining)
        finally:
            site.listeners -= 1

    async def _site(self, site_id: str) -> _Site:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a restarted server runs the same app on a new loop
            self._sites, self._loop = {}, loop
        site = self._sites.get(site_id)
        if site is None:
            last = await asyncio.to_thread(self._store.last_calling_seq, site_id)
            site = self._sites.setdefault(site_id, _Site(site_id, last))
        if site.task is None or site.task.done():
            site.task = asyncio.create_task(self._watch(site))
        return site

    async def _watch(self, site: _Site) -> None:
        idle_rounds = 0
        while idle_rounds < 40:  # stop ~10 s after the last listener left
            idle_rounds = idle_rounds + 1 if site.listeners == 0 else 0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(site.poke.wait(), POLL_S)
            site.poke.clear()
            try:
                await self._catch_up(site)
            except Exception:  # noqa: BLE001 - a store hiccup must not end the watcher
                await asyncio.sleep(POLL_S)

    async def _catch_up(self, site: _Site) -> None:
        while True:
            new = await asyncio.to_thread(self._store.calling_events, site.site_id, site.last_seq, 500)
            if not new:
                return
            site.events.extend(new)
            site.last_seq = new[-1].seq
            changed, site.changed = site.changed, asyncio.Event()
            changed.set()
            if len(new) < 500:
                return

"""Printing off the UI thread: one worker thread prints layouts in order and hands back a Future.

The UI submits and attaches a done-callback that reschedules itself on its own thread (Kivy:
Clock.schedule_once); the queue service may instead submit its whole allocate → print → record
call. Either way the UI thread never waits on the serial port."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from kiosk.tickets import Layout, TicketPrinter

T = TypeVar("T")


class PrintWorker:
    """A single printing thread (tickets come out in the order they were submitted)."""

    def __init__(self, printer: TicketPrinter) -> None:
        self.printer = printer
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="printer")

    def submit(self, layout: Layout) -> Future[None]:
        """Print `layout` on the worker; the Future raises what print_layout raised."""
        return self._pool.submit(self.printer.print_layout, layout)

    def run(self, job: Callable[[], T]) -> Future[T]:
        """Run any printing job (e.g. issuing.issue_and_print with its arguments) on the worker."""
        return self._pool.submit(job)

    def close(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait)

"""Which answer on the printer's line belongs to which question.

DLE EOT answers carry no name: a printer answers each query with one byte, in the order it
received the queries. So the ledger counts the answers still owed to queries already sent; the
next answers to arrive are those, and only the answers after them are the new query's. More
answers than were owed (a duplicated or garbled answer) put the line out of step: from then on no
answer can be trusted as fresh until the next resynchronisation (the check before a ticket, whose
worst mistake is not sending one). A GS ( H process ID response names its question: it is
recognised by its ID, and an ID from an earlier question is simply not ours.

Imports only the status parser.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from kiosk.drivers.escpos.status import StatusStream


@dataclass
class AnswerLedger:
    """What was asked on one connection and not answered yet."""

    owed: int = 0  # DLE EOT answers still owed to queries already sent
    out_of_step: bool = False  # more answers came than were owed
    process_ids: set[str] = field(default_factory=set)  # process ID responses seen
    _next_id: int = field(default_factory=lambda: random.randrange(10_000))

    def settle(self, stream: StatusStream) -> None:
        """Count what arrived outside a question of ours (the drain) against what is owed."""
        if len(stream.answers) > self.owed:
            self.out_of_step = True
        self.owed = max(0, self.owed - len(stream.answers))
        self.process_ids.update(stream.process_ids)

    def forgive(self) -> None:
        """Resynchronise: answers owed so far are taken as lost (only where a stale answer
        cannot make a wrong claim: the check before sending, the idle poll)."""
        self.owed = 0
        self.out_of_step = False

    @property
    def in_step(self) -> bool:
        """Nothing is owed and nothing extra came: the next answers are the next question's."""
        return self.owed == 0 and not self.out_of_step

    def ask(self, count: int) -> int:
        """Record `count` new queries; returns how many answers ahead of theirs are stale."""
        stale = self.owed
        self.owed += count
        return stale

    def ours(self, stream: StatusStream, stale: int, count: int) -> list[int]:
        """The answers to the `count` queries asked after `stale` older ones, as far as they came
        (a read that started right after asking); updates what is owed."""
        answers = stream.answers
        if len(answers) > stale + count:
            self.out_of_step = True
        self.owed = max(0, stale + count - len(answers))
        self.process_ids.update(stream.process_ids)
        return answers[stale : stale + count]

    def new_process_id(self) -> str:
        """Four digits not used lately on this connection (a counter from a random start)."""
        self._next_id = (self._next_id + 1) % 10_000
        return f"{self._next_id:04d}"

"""Which segments say a call: "Mời công dân có số thứ tự A không một hai đến quầy số ba".

The ticket is read letter by letter and digit by digit (A012: "A không một hai"), as Vietnamese
one-stop-shop systems read it; the counter as a number ("quầy số mười lăm", "hai mươi mốt"), up
to 99, then digit by digit. A priority ticket is called with "Mời công dân ưu tiên …"."""

from __future__ import annotations

CHIME = "chime"
CALL = "phrases/call"
CALL_PRIORITY = "phrases/call_priority"
TO_COUNTER = "phrases/to_counter"
TEN = "words/muoi"  # mười (10–19)
TENS = "words/muoi_tens"  # mươi (20, 30, …)
ONE_AFTER_TENS = "words/mot"  # mốt (21, 31, …)
FIVE_AFTER_TEN = "words/lam"  # lăm (15, 25, …)
FOUR_AFTER_TENS = "words/tu"  # tư (24, 34, …)


def digit(d: str) -> str:
    return f"digits/{d}"


def letter(c: str) -> str:
    return f"letters/{c}"


def spell(text: str) -> list[str]:
    """Letters and digits one by one; anything else is skipped."""
    out: list[str] = []
    for c in text.upper():
        if c.isdigit():
            out.append(digit(c))
        elif "A" <= c <= "Z":
            out.append(letter(c))
    return out


def number(n: int) -> list[str]:
    """0–99 as Vietnamese reads it; larger numbers digit by digit."""
    if n < 0 or n > 99:
        return spell(str(abs(n)))
    if n < 10:
        return [digit(str(n))]
    tens, units = divmod(n, 10)
    head = [TEN] if tens == 1 else [digit(str(tens)), TENS]
    if units == 0:
        return head
    if units == 5:
        return [*head, FIVE_AFTER_TEN]
    if units == 1 and tens > 1:
        return [*head, ONE_AFTER_TENS]
    if units == 4 and tens > 1:
        return [*head, FOUR_AFTER_TENS]
    return [*head, digit(str(units))]


def counter_words(counter: str) -> list[str]:
    return number(int(counter)) if counter.isdigit() else spell(counter)


def announcement(ticket: str, counter: str, priority: bool = False) -> list[str]:
    """The segments of one call, the chime first."""
    return [CHIME, CALL_PRIORITY if priority else CALL, *spell(ticket), TO_COUNTER, *counter_words(counter)]


def every_segment() -> list[str]:
    """Every segment a call can need: what a voice pack must hold."""
    letters = [letter(chr(c)) for c in range(ord("A"), ord("Z") + 1)]
    words = [TEN, TENS, ONE_AFTER_TENS, FIVE_AFTER_TEN, FOUR_AFTER_TENS]
    return [CHIME, CALL, CALL_PRIORITY, TO_COUNTER, *[digit(str(d)) for d in range(10)], *words, *letters]

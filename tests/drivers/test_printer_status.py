"""Our parser of DLE EOT replies and ASB blocks (table-driven, plus properties)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.drivers.escpos.status import (
    StatusStream,
    is_realtime_reply,
    status_from_asb,
    status_from_replies,
)
from kiosk.drivers.escpos.writer import EscposWriter
from kiosk.drivers.ports import PrinterState as S

OK = 0x12  # a DLE EOT reply with only its fixed bits


@pytest.mark.parametrize(
    ("replies", "state", "detail"),
    [
        ((OK, OK, OK, OK), S.ready, ""),
        ((OK, OK, OK, 0x1E), S.paper_near_end, "nearly empty"),
        ((0x1A, 0x32, OK, 0x72), S.paper_out, "empty"),
        ((OK, OK, OK, 0x72), S.paper_out, "empty"),  # end sensor alone is enough
        ((0x1A, 0x16, OK, OK), S.cover_open, "cover"),
        ((0x1A, 0x56, 0x1A, 0x72), S.cover_open, "cover"),  # cover first: that is what to fix
        ((0x1A, 0x52, 0x1A, OK), S.error, "autocutter"),
        ((0x1A, 0x52, 0x32, OK), S.error, "unrecoverable"),
        ((0x1A, 0x52, 0x52, OK), S.error, "recoverable"),
        ((0x1A, 0x52, OK, OK), S.error, "reports an error"),
        ((0x1A, 0x1A, OK, OK), S.offline, "FEED"),
        ((0x1A, OK, OK, OK), S.offline, "offline"),
        ((OK,), S.ready, ""),  # a printer that answers only DLE EOT 1
    ],
)
def test_realtime_replies(replies: tuple[int, ...], state: S, detail: str) -> None:
    status = status_from_replies(dict(enumerate(replies, start=1)))
    assert status.state == state and detail in status.detail


def test_no_reply_is_offline_never_paper_adequate() -> None:
    assert status_from_replies({}).state == S.offline


def test_a_byte_without_the_fixed_bits_is_an_error_that_names_it() -> None:
    status = status_from_replies({1: 0xFF})
    assert status.state == S.error and "0xff" in status.detail and "baud" in status.detail


@pytest.mark.parametrize(
    ("block", "state"),
    [
        (b"\x10\x00\x00\x00", S.ready),
        (b"\x10\x00\x03\x00", S.paper_near_end),
        (b"\x18\x00\x0c\x00", S.paper_out),
        (b"\x38\x00\x00\x00", S.cover_open),
        (b"\x18\x08\x00\x00", S.error),
        (b"\x18\x00\x00\x00", S.offline),
        (b"\x12\x00\x00\x00", S.error),  # not an ASB first byte
    ],
)
def test_asb_blocks(block: bytes, state: S) -> None:
    assert status_from_asb(block).state == state


def test_stream_splits_replies_asb_and_flow_control() -> None:
    stream = StatusStream()
    stream.feed(b"\x12\x11\x10\x00")  # reply, XON, start of an ASB block
    stream.feed(b"\x13\x03\x00\x1e")  # XOFF inside the block, rest of it, a reply
    assert stream.replies == [0x12, 0x1E] and stream.asb == [b"\x10\x00\x03\x00"]
    assert not stream.garbage


def test_an_echoed_query_is_garbage_not_a_status() -> None:
    stream = StatusStream()
    stream.feed(EscposWriter.status_query())
    assert stream.replies == [] and stream.asb == [] and stream.garbage


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64))
def test_any_bytes_parse_without_error_and_keep_every_reply(data: bytes) -> None:
    stream = StatusStream()
    for i in range(0, len(data), 3):
        stream.feed(data[i : i + 3])
    assert all(is_realtime_reply(b) for b in stream.replies)
    assert all(len(block) == 4 for block in stream.asb)
    kept = len(stream.replies) + 4 * len(stream.asb) + len(stream.garbage) + len(stream._partial)
    kept += 7 * len(stream.process_ids) + len(stream._pid)
    assert kept == len(data) - data.count(0x11) - data.count(0x13)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 255).map(lambda b: (b & 0b0110_1100) | 0x12), min_size=1, max_size=4))
def test_valid_replies_always_give_one_state(replies: list[int]) -> None:
    status = status_from_replies(dict(enumerate(replies, start=1)))
    if status.state == S.offline:  # only when the printer itself says so
        assert replies[0] & 0x08 or (len(replies) > 1 and replies[1] & 0x08)
    paper = replies[3] if len(replies) == 4 else OK
    if paper & 0x60 == 0x60 and not (len(replies) > 1 and replies[1] & 0x04):
        assert status.state == S.paper_out

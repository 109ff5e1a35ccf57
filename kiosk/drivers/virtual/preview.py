"""The PNG preview of a layout: its ESC/POS bytes read back by the same parser and canvas as the
virtual printer, so the preview shows what the printer is sent, not a second drawing of it."""

from __future__ import annotations

from PIL import Image

from kiosk.drivers.escpos.options import PrintOptions, profile_pages
from kiosk.drivers.escpos.render import render_escpos
from kiosk.drivers.layout import Layout
from kiosk.drivers.virtual.canvas import PrintedTicket, TicketCanvas
from kiosk.drivers.virtual.parser import EscposParser


def read_back(data: bytes, profile: str, dots: int) -> list[PrintedTicket]:
    """Every ticket that `data` prints (what follows the last cut counts as one more)."""
    tickets: list[PrintedTicket] = []
    pages = {int(n): name for n, name in profile_pages(profile).items()}
    canvas = TicketCanvas(dots, pages, on_cut=tickets.append)
    parser = EscposParser(canvas)
    parser.feed(data)
    if not canvas.is_blank:
        canvas.cut()
    return tickets


def render_png(layout: Layout, options: PrintOptions) -> Image.Image:
    """The layout as printed, one dot per pixel (576 wide on 80 mm paper, 384 on 58 mm)."""
    tickets = read_back(render_escpos(layout, options), options.profile, options.dots)
    if len(tickets) == 1:
        return tickets[0].image
    height = sum(t.image.height for t in tickets)
    sheet = Image.new("L", (options.dots, height), 255)
    y = 0
    for ticket in tickets:
        sheet.paste(ticket.image, (0, y))
        y += ticket.image.height
    return sheet

"""The document checklist a citizen takes home from a procedure's page: what it says, as a layout
(kiosk.drivers.layout) with no printer in it.

The words come from kiosk/i18n/ticket_{vi,en}.json. Imports the layout model of the printer port
and i18n; never a concrete driver.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from kiosk.drivers.layout import Block, Cut, Layout, QRCode, Rule, Text
from kiosk.i18n import Language, ticket_words


def checklist_layout(
    procedure: Mapping[str, Any], office: str, printed_at: datetime, language: Language = "vi"
) -> Layout:
    """The document checklist of one procedure (a Procedure object of kiosk-catalogue/1): name,
    code, documents with originals and copies, fee, time, where to submit, QR of the online link.
    """
    w = ticket_words(language)
    name = procedure.get("name_en") if language == "en" else None
    blocks: list[Block] = []
    if office:
        blocks.append(Text(office, bold=True))
    blocks += [
        Text(w["checklist_title"], size="large", bold=True),
        Text(str(name or procedure.get("name", "")), bold=True),
        Text(w["procedure_code"].format(code=procedure.get("code", ""))),
        Rule(),
        Text(w["documents"], align="left", bold=True),
    ]
    blocks.extend(_document_lines(procedure.get("documents") or [], w))
    blocks.append(Rule())
    blocks.extend(_method_lines(procedure, w))
    online = procedure.get("online_url")
    if online:
        blocks += [Text(w["online"], align="left"), QRCode(str(online))]
    stamp = w["printed_at"].format(time=f"{printed_at:%H:%M}", date=f"{printed_at:%d/%m/%Y}")
    blocks += [Text(stamp, size="small"), Cut()]
    return Layout(name=f"checklist {procedure.get('code', '')}", blocks=tuple(blocks))


def _document_lines(documents: list[Mapping[str, Any]], w: Mapping[str, str]) -> list[Block]:
    if not documents:
        return [Text(w["documents_none"], align="left")]
    lines: list[Block] = []
    for number, doc in enumerate(documents, start=1):
        counts = []
        if doc.get("originals"):
            counts.append(w["originals"].format(n=doc["originals"]))
        if doc.get("copies"):
            counts.append(w["copies"].format(n=doc["copies"]))
        suffix = f" ({', '.join(counts)})" if counts else ""
        prefix = f"{number}. "
        lines.append(Text(f"{prefix}{doc.get('name', '')}{suffix}", "left", indent=len(prefix)))
    return lines


def _method_lines(procedure: Mapping[str, Any], w: Mapping[str, str]) -> list[Block]:
    """Fee and time of the in-person channel (the checklist is for the counter), else the first."""
    methods = procedure.get("methods") or []
    chosen = next((m for m in methods if m.get("channel") == "truc-tiep"), None)
    chosen = chosen or (methods[0] if methods else {})
    lines: list[Block] = []
    if chosen.get("fee"):
        lines.append(Text(w["fee"].format(fee=chosen["fee"]), align="left", indent=2))
    if chosen.get("time"):
        lines.append(Text(w["time"].format(time=chosen["time"]), align="left", indent=2))
    if procedure.get("agency"):
        lines.append(Text(w["where"].format(where=procedure["agency"]), align="left", indent=2))
    return lines

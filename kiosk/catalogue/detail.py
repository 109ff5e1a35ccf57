"""What the procedure detail screen says, as a list of styled blocks (no Kivy here).

kiosk/screens/lookup_detail.py turns each block into a label; keeping the wording apart makes it
testable without a window and keeps the screen about layout and printing. Catalogue text is shown as given
(plain text, never markup); only the labels around it are translated."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from kiosk.i18n import translate
from kiosk.protocol.catalogue_format import CHANNELS  # in the order the detail lists them

Style = Literal["title", "meta", "heading", "channel", "text", "item", "bullet", "qr", "note"]


@dataclass(frozen=True)
class Block:
    """One piece of the detail: `number` is the list number of an item ("1."), `text` the QR
    data for a "qr" block."""

    style: Style
    text: str
    number: str = ""


def _key(value: str) -> str:
    """Catalogue codes ("truc-tiep") as i18n key parts ("truc_tiep")."""
    return value.replace("-", "_")


def detail_blocks(
    procedure: Mapping[str, Any], field: Mapping[str, str] | None, language: str
) -> list[Block]:
    """The whole detail of one procedure (a Procedure object of kiosk-catalogue/1), top down:
    what to bring first (the documents), then the time and the fee once each, then the steps,
    then where and how to submit, who it is for and the rest."""

    def t(key: str, **values: Any) -> str:
        return translate(language, key, **values)

    name = procedure.get("name_en") if language == "en" else None
    blocks = [Block("title", str(name or procedure["name"]))]
    blocks.append(Block("meta", t("lookup.code_level", code=procedure["code"], level=_level(procedure, t))))
    blocks += _documents(procedure.get("documents") or [], t)
    blocks += _time_and_fee(procedure, t)
    blocks += _numbered(t("lookup.detail.steps"), procedure.get("steps") or [])
    blocks += _methods(procedure, t)
    blocks += _about(procedure, field, language, t)
    blocks += _paragraph(t("lookup.detail.requirements"), procedure.get("requirements") or "")
    blocks += _paragraph(t("lookup.detail.result"), procedure.get("result") or "")
    if procedure.get("legal_basis"):
        blocks.append(Block("heading", t("lookup.detail.legal_basis")))
        blocks += [Block("bullet", str(law), "•") for law in procedure["legal_basis"]]
    if procedure.get("updated_at"):
        blocks.append(Block("note", t("lookup.detail.updated", date=_date(procedure["updated_at"]))))
    return blocks


def _about(
    procedure: Mapping[str, Any], field: Mapping[str, str] | None, language: str, t: Any
) -> list[Block]:
    """Field, agency and audience: who handles it and for whom."""
    blocks: list[Block] = []
    if field is not None:
        field_name = (field.get("name_en") or field["name"]) if language == "en" else field["name"]
        blocks.append(Block("meta", t("lookup.detail.field", field=field_name)))
    if procedure.get("agency"):
        blocks.append(Block("meta", t("lookup.detail.agency", agency=procedure["agency"])))
    if procedure.get("audience"):
        blocks.append(Block("meta", t("lookup.detail.audience", audience=", ".join(procedure["audience"]))))
    return blocks


def _sorted_methods(procedure: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return sorted(
        procedure.get("methods") or [],
        key=lambda m: CHANNELS.index(m["channel"]) if m.get("channel") in CHANNELS else len(CHANNELS),
    )


def _time_and_fee(procedure: Mapping[str, Any], t: Any) -> list[Block]:
    """The processing time and the fee, each once: one text when every channel says the same,
    else each channel's text with the channel named ("5 ngày (Nộp trực tiếp); 3 ngày (…)")."""
    methods = _sorted_methods(procedure)
    blocks = []
    for key, label in (("time", "lookup.time"), ("fee", "lookup.fee")):
        said = [(m, str(m.get(key) or "")) for m in methods if m.get(key)]
        if not said:
            continue
        if len({text for _, text in said}) == 1:
            value = said[0][1]
        else:
            value = "; ".join(f"{text} ({_channel_name(m, t)})" for m, text in said)
        blocks.append(Block("text", t(label, **{key: value})))
    return blocks


def _level(procedure: Mapping[str, Any], t: Any) -> str:
    return str(t(f"lookup.level.{_key(procedure['level'])}"))


def _channel_name(method: Mapping[str, Any], t: Any) -> str:
    return str(t(f"lookup.channel.{_key(str(method.get('channel', '')))}"))


def _methods(procedure: Mapping[str, Any], t: Any) -> list[Block]:
    """Per channel: where and how to submit (time and fee are said once, above); then the QR
    code of the online link, to carry on from a phone."""
    methods = _sorted_methods(procedure)
    online = str(procedure.get("online_url") or "")
    if not methods and not online:
        return []
    blocks = [Block("heading", t("lookup.detail.methods"))]
    for method in methods:
        channel = _key(str(method.get("channel", "")))
        blocks.append(Block("channel", t(f"lookup.channel.{channel}")))
        blocks.append(Block("text", t(f"lookup.channel.{channel}.how")))
    if online:
        blocks.append(Block("qr", online))
    return blocks


def _documents(documents: Sequence[Mapping[str, Any]], t: Any) -> list[Block]:
    if not documents:
        return []
    blocks = [Block("heading", t("lookup.detail.documents"))]
    for number, document in enumerate(documents, start=1):
        counts = []
        if document.get("originals"):
            counts.append(t("lookup.originals", n=document["originals"]))
        if document.get("copies"):
            counts.append(t("lookup.copies", n=document["copies"]))
        text = str(document.get("name", ""))
        if counts:
            text += "\n" + " · ".join(counts)
        blocks.append(Block("item", text, f"{number}."))
    return blocks


def _numbered(heading: str, items: Sequence[Any]) -> list[Block]:
    if not items:
        return []
    return [Block("heading", heading)] + [Block("item", str(s), f"{i}.") for i, s in enumerate(items, 1)]


def _paragraph(heading: str, text: str) -> list[Block]:
    return [Block("heading", heading), Block("text", text)] if text.strip() else []


def _date(iso: str) -> str:
    """ "2026-10-01" → "01/10/2026" (as dates are written in Vietnam); other text as given."""
    parts = str(iso)[:10].split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{parts[2]}/{parts[1]}/{parts[0]}"
    return str(iso)

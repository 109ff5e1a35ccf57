"""`kiosk catalogue import | search | show | export`: the procedure catalogue from a shell."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from kiosk.catalogue import store as catalogue_store
from kiosk.catalogue.search import DEFAULT_LIMIT, MAX_LIMIT, search
from kiosk.commands import open_db, print_json
from kiosk.errors import CatalogueError
from kiosk.protocol.catalogue_format import parse_document

_CHANNELS = {"truc-tiep": "in person", "truc-tuyen": "online", "buu-chinh": "by post"}


def register(sub: argparse._SubParsersAction) -> None:
    cat = sub.add_parser("catalogue", help="import, search, show and export procedures")
    actions = cat.add_subparsers(dest="catalogue_command", required=True, metavar="ACTION")
    imp = actions.add_parser("import", help="validate FILE and replace the catalogue with it")
    imp.add_argument("file", metavar="FILE", help="a kiosk-catalogue/1 JSON document")
    imp.add_argument("--allow-older", action="store_true", help="accept a version older than the current one")
    imp.set_defaults(handler=import_file)
    find = actions.add_parser("search", help="search as the lookup screen does")
    find.add_argument("query", metavar="QUERY")
    find.add_argument("--limit", type=_limit, default=DEFAULT_LIMIT, metavar="N")
    find.add_argument("--json", action="store_true", help="a JSON list, best first")
    find.set_defaults(handler=search_catalogue)
    show = actions.add_parser("show", help="one procedure by its code")
    show.add_argument("code", metavar="CODE")
    show.add_argument("--json", action="store_true", help="the Procedure object")
    show.set_defaults(handler=show_procedure)
    exp = actions.add_parser("export", help="write the catalogue as kiosk-catalogue/1 JSON")
    exp.add_argument("file", metavar="FILE", help="where to write; - for standard output")
    exp.set_defaults(handler=export_file)


def import_file(args: argparse.Namespace) -> int:
    db = open_db(args)
    try:
        document = parse_document(_read(Path(args.file)))
        counts = catalogue_store.import_catalogue(db, document, allow_older=args.allow_older)
    except CatalogueError as exc:
        print(f"kiosk: {args.file}: {exc}", file=sys.stderr)
        for path, problem in exc.errors:
            print(f"  {path}: {problem}", file=sys.stderr)
        current = catalogue_store.catalogue_version(db)
        kept = "no catalogue yet" if current is None else f"version {current} kept, unchanged"
        print(f"nothing imported ({kept})", file=sys.stderr)
        return 1
    was = "" if counts.previous_version is None else f" (was {counts.previous_version})"
    print(
        f"imported catalogue version {counts.version}{was}: {counts.fields} fields, "
        f"{counts.procedures} procedures, {counts.keywords} keywords"
    )
    return 0


def search_catalogue(args: argparse.Namespace) -> int:
    hits = search(open_db(args), args.query, limit=args.limit)
    if args.json:
        print_json(
            [
                {
                    "code": h.code,
                    "name": h.name,
                    "field": h.field,
                    "field_name": h.field_name,
                    "score": h.score,
                    "match": h.match,
                }
                for h in hits
            ]
        )
        return 0
    if not hits:
        print("no procedure found", file=sys.stderr)
    for h in hits:
        print(f"{h.score:6.2f}  {h.code:<24} {h.name}  [{h.field_name}]")
    return 0


def show_procedure(args: argparse.Namespace) -> int:
    db = open_db(args)
    procedure = catalogue_store.get_procedure(db, args.code)
    if procedure is None:
        raise CatalogueError(f"no procedure has the code {args.code!r}")
    if args.json:
        print_json(procedure)
        return 0
    field = catalogue_store.get_field(db, procedure["field"])
    print("\n".join(describe(procedure, field["name"] if field else procedure["field"])))
    return 0


def describe(procedure: dict[str, Any], field_name: str) -> list[str]:
    """A procedure as plain text lines for a technician's terminal."""
    p = procedure
    lines = [p["name"], f"  code {p['code']} · {field_name} · level {p['level']}"]
    if p["agency"]:
        lines.append(f"  agency: {p['agency']}")
    for m in p["methods"]:
        channel = _CHANNELS.get(m["channel"], m["channel"])
        lines.append(f"  {channel}: {m['time'] or '—'}; fee: {m['fee'] or '—'}")
    if p["documents"]:
        lines.append("  documents:")
    for d in p["documents"]:
        counts = ", ".join(
            f"{n} {label}" for n, label in ((d["originals"], "original"), (d["copies"], "copy")) if n
        )
        lines.append(f"    - {d['name']}" + (f" ({counts})" if counts else ""))
    for title, items in (("steps", p["steps"]), ("legal basis", p["legal_basis"])):
        if items:
            lines.append(f"  {title}:")
            lines.extend(f"    {i}. {item}" for i, item in enumerate(items, start=1))
    for title in ("requirements", "result", "online_url"):
        if p[title]:
            lines.append(f"  {title.replace('_', ' ')}: {p[title]}")
    if p["keywords"]:
        lines.append(f"  keywords: {', '.join(p['keywords'])}")
    return lines


def export_file(args: argparse.Namespace) -> int:
    document = catalogue_store.export_catalogue(open_db(args))
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if args.file == "-":
        sys.stdout.write(text)
        return 0
    target = Path(args.file)
    partial = target.with_name(target.name + ".partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, target)  # a reader never sees half a file
    except OSError as exc:
        raise CatalogueError(f"cannot write {target}: {exc}") from exc
    print(
        f"exported catalogue version {document['version']}: {len(document['fields'])} fields, "
        f"{len(document['procedures'])} procedures to {target}"
    )
    return 0


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CatalogueError(f"cannot read the file: {exc.strerror}") from exc


def _limit(text: str) -> int:
    value = int(text) if text.isdigit() else 0
    if not 1 <= value <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_LIMIT}")
    return value

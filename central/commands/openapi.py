"""`kiosk-central openapi`: print the server's OpenAPI document (docs/openapi.json)."""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("openapi", help="print the OpenAPI document of the server's API")
    p.set_defaults(handler=print_openapi)


def print_openapi(args: argparse.Namespace) -> int:
    from central.app import openapi_document

    json.dump(openapi_document(), sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    return 0

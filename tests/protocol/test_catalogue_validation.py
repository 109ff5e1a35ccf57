"""The kiosk-catalogue/1 validator: each rule rejects with the JSON path, every problem is
listed, and what passes comes back normalised (NFC, every optional key present)."""

from __future__ import annotations

import copy
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.errors import CatalogueError
from kiosk.protocol.catalogue_format import FORMAT, parse_document, validate
from tests.fixtures_catalogue import catalogue_document, procedure

Doc = dict[str, Any]


def rejected(document: Any) -> list[tuple[str, str]]:
    with pytest.raises(CatalogueError) as caught:
        validate(document)
    assert caught.value.errors, "a rejection must list its problems"
    return caught.value.errors


def _set(path: list[str | int], value: Any) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _drop(path: list[str | int]) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


def _append_procedure(p: Doc) -> Callable[[Doc], None]:
    return lambda doc: doc["procedures"].append(p)


P0 = ["procedures", 0]
RULES: list[tuple[str, Callable[[Doc], None], str, str]] = [
    (
        "format wrong",
        _set(["format"], "kiosk-catalogue/2"),
        "$.format",
        "must be 'kiosk-catalogue/1'",
    ),
    ("format missing", _drop(["format"]), "$.format", "is required"),
    ("version missing", _drop(["version"]), "$.version", "is required"),
    ("version text", _set(["version"], "42"), "$.version", "whole number"),
    ("version fraction", _set(["version"], 4.5), "$.version", "whole number"),
    ("version boolean", _set(["version"], True), "$.version", "whole number"),
    ("version negative", _set(["version"], -1), "$.version", "negative"),
    ("published_at", _set(["published_at"], "yesterday"), "$.published_at", "ISO 8601"),
    ("unknown top key", _set(["extra"], 1), "$.extra", "unknown key"),
    ("fields missing", _drop(["fields"]), "$.fields", "is required"),
    ("fields not list", _set(["fields"], {"id": "x"}), "$.fields", "must be a list"),
    ("fields empty", _set(["fields"], []), "$.fields", "at least one field"),
    ("field not object", _set(["fields", 0], "ho-tich"), "$.fields[0]", "must be an object"),
    ("field id missing", _drop(["fields", 1, "id"]), "$.fields[1].id", "is required"),
    ("field id spaces", _set(["fields", 1, "id"], "dat dai"), "$.fields[1].id", "letters, digits"),
    (
        "field id duplicate",
        _set(["fields", 1, "id"], "ho-tich"),
        "$.fields[1].id",
        "duplicate of $.fields[0].id",
    ),
    ("field name missing", _drop(["fields", 0, "name"]), "$.fields[0].name", "is required"),
    (
        "field name blank",
        _set(["fields", 0, "name"], "  "),
        "$.fields[0].name",
        "must not be empty",
    ),
    ("field name number", _set(["fields", 0, "name"], 7), "$.fields[0].name", "must be a string"),
    (
        "field name two lines",
        _set(["fields", 0, "name"], "Hộ\ntịch"),
        "$.fields[0].name",
        "line breaks",
    ),
    ("field unknown key", _set(["fields", 0, "code"], "G09"), "$.fields[0].code", "unknown key"),
    ("procedures missing", _drop(["procedures"]), "$.procedures", "is required"),
    ("procedures empty", _set(["procedures"], []), "$.procedures", "at least one procedure"),
    ("procedures not list", _set(["procedures"], "none"), "$.procedures", "must be a list"),
    ("procedure not object", _set(P0, ["1.001193"]), "$.procedures[0]", "must be an object"),
    ("code missing", _drop([*P0, "code"]), "$.procedures[0].code", "is required"),
    (
        "code with space",
        _set([*P0, "code"], "1.001 193"),
        "$.procedures[0].code",
        "letters, digits",
    ),
    ("code too long", _set([*P0, "code"], "1" * 65), "$.procedures[0].code", "1–64"),
    (
        "code duplicate",
        _append_procedure(procedure("1.001193", "Đăng ký khai sinh lần hai")),
        "$.procedures[10].code",
        "duplicate of $.procedures[0].code",
    ),
    ("name missing", _drop([*P0, "name"]), "$.procedures[0].name", "is required"),
    ("name null", _set([*P0, "name"], None), "$.procedures[0].name", "is required"),
    ("name blank", _set([*P0, "name"], ""), "$.procedures[0].name", "must not be empty"),
    ("name control char", _set([*P0, "name"], "Đăng ký\x07"), "$.procedures[0].name", "control"),
    (
        "name lone surrogate",
        _set([*P0, "name"], "Đăng \ud800"),
        "$.procedures[0].name",
        "surrogate",
    ),
    ("field missing", _drop([*P0, "field"]), "$.procedures[0].field", "is required"),
    (
        "field unknown",
        _set([*P0, "field"], "y-te"),
        "$.procedures[0].field",
        "no field has the id 'y-te'",
    ),
    ("level missing", _drop([*P0, "level"]), "$.procedures[0].level", "is required"),
    ("level unknown", _set([*P0, "level"], "quan"), "$.procedures[0].level", "must be one of"),
    ("unknown procedure key", _set([*P0, "fees"], "0"), "$.procedures[0].fees", "unknown key"),
    ("methods not list", _set([*P0, "methods"], {}), "$.procedures[0].methods", "must be a list"),
    (
        "method channel",
        _set([*P0, "methods", 0, "channel"], "fax"),
        "$.procedures[0].methods[0].channel",
        "one of",
    ),
    (
        "method no channel",
        _drop([*P0, "methods", 0, "channel"]),
        "$.procedures[0].methods[0].channel",
        "is required",
    ),
    (
        "time_days negative",
        _set([*P0, "methods", 0, "time_days"], -1),
        "$.procedures[0].methods[0].time_days",
        "negative",
    ),
    (
        "time_days text",
        _set([*P0, "methods", 0, "time_days"], "1"),
        "$.procedures[0].methods[0].time_days",
        "number",
    ),
    (
        "time_days NaN",
        _set([*P0, "methods", 0, "time_days"], float("nan")),
        "$.procedures[0].methods[0].time_days",
        "number",
    ),
    (
        "fee_vnd fraction",
        _set([*P0, "methods", 0, "fee_vnd"], 0.5),
        "$.procedures[0].methods[0].fee_vnd",
        "whole number",
    ),
    (
        "fee_vnd boolean",
        _set([*P0, "methods", 0, "fee_vnd"], False),
        "$.procedures[0].methods[0].fee_vnd",
        "whole number",
    ),
    (
        "document no name",
        _drop([*P0, "documents", 0, "name"]),
        "$.procedures[0].documents[0].name",
        "is required",
    ),
    (
        "originals negative",
        _set([*P0, "documents", 0, "originals"], -2),
        "$.procedures[0].documents[0].originals",
        "negative",
    ),
    (
        "form_url script",
        _set([*P0, "documents", 0, "form_url"], "javascript:alert(1)"),
        "$.procedures[0].documents[0].form_url",
        "http",
    ),
    (
        "online_url ftp",
        _set([*P0, "online_url"], "ftp://example.org/x"),
        "$.procedures[0].online_url",
        "http",
    ),
    ("step not text", _set([*P0, "steps", 1], 2), "$.procedures[0].steps[1]", "must be a string"),
    ("step blank", _set([*P0, "steps", 0], " "), "$.procedures[0].steps[0]", "must not be empty"),
    (
        "keyword blank",
        _set([*P0, "keywords", 0], ""),
        "$.procedures[0].keywords[0]",
        "must not be empty",
    ),
    (
        "keywords text",
        _set([*P0, "keywords"], "sổ đỏ"),
        "$.procedures[0].keywords",
        "must be a list",
    ),
    (
        "audience not list",
        _set([*P0, "audience"], "Công dân"),
        "$.procedures[0].audience",
        "must be a list",
    ),
    (
        "legal basis item",
        _set([*P0, "legal_basis", 0], {"law": 1}),
        "$.procedures[0].legal_basis[0]",
        "must be a string",
    ),
    (
        "updated_at",
        _set([*P0, "updated_at"], "01/10/2026"),
        "$.procedures[0].updated_at",
        "ISO 8601 date",
    ),
    ("odd key", _set([*P0, "tên thủ tục"], "x"), "$.procedures[0]['tên thủ tục']", "unknown key"),
]


@pytest.mark.parametrize(("rule", "change", "path", "problem"), RULES, ids=[r[0] for r in RULES])
def test_each_rule_rejects_with_its_json_path(
    rule: str, change: Callable[[Doc], None], path: str, problem: str
) -> None:
    document = catalogue_document()
    change(document)
    errors = rejected(document)
    assert any(p == path and problem in message for p, message in errors), errors


def test_document_not_an_object() -> None:
    assert rejected([1, 2]) == [("$", "must be an object")]


def test_every_problem_is_listed_at_once() -> None:
    document = catalogue_document()
    document["version"] = "new"
    document["fields"][0]["name"] = ""
    document["procedures"][2]["level"] = "phuong"
    document["procedures"][5]["code"] = None
    document["procedures"][7]["methods"] = [{"channel": "fax", "fee_vnd": -5}]
    paths = [path for path, _ in rejected(document)]
    assert paths == [
        "$.version",
        "$.fields[0].name",
        "$.procedures[2].level",
        "$.procedures[5].code",
        "$.procedures[7].methods[0].channel",
        "$.procedures[7].methods[0].fee_vnd",
    ]


def test_valid_document_is_normalised() -> None:
    document = catalogue_document()
    document["procedures"][1]["name"] = unicodedata.normalize("NFD", "Đăng ký khai sinh")
    document["procedures"][1]["keywords"] = [unicodedata.normalize("NFD", "giấy khai sinh")]
    document["procedures"][2]["online_url"] = None  # null is the same as absent
    catalogue = validate(document)
    second = catalogue.procedures[1]
    assert second["name"] == "Đăng ký khai sinh" and unicodedata.is_normalized("NFC", second["name"])
    assert second["keywords"] == ["giấy khai sinh"]
    assert catalogue.procedures[2]["online_url"] == ""
    assert second["methods"] == [] and second["documents"] == [] and second["agency"] == ""
    assert catalogue.fields[3]["name_en"] == ""
    first = catalogue.procedures[0]
    assert first["methods"][0]["fee_vnd"] == 0 and first["documents"][0]["form_url"] == ""
    assert catalogue.version == 1 and catalogue.to_document()["format"] == FORMAT


def test_markup_is_kept_as_text() -> None:
    document = catalogue_document()
    document["procedures"][0]["requirements"] = "<b>Đủ 18 tuổi</b>\n<script>x()</script>"
    catalogue = validate(document)
    assert catalogue.procedures[0]["requirements"] == "<b>Đủ 18 tuổi</b>\n<script>x()</script>"


def test_validation_does_not_change_the_input() -> None:
    document = catalogue_document()
    before = copy.deepcopy(document)
    validate(document)
    assert document == before


def test_district_level_from_older_exports_is_accepted() -> None:
    document = catalogue_document()
    document["procedures"][0]["level"] = "huyen"
    assert validate(document).procedures[0]["level"] == "huyen"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b'{"format": "kiosk-catalogue/1", "version": 1, "fields": [', "is not valid JSON"),
        (b"", "is not valid JSON"),
        (b"\xff\xfe{}", "is not UTF-8"),
        (b'{"version": NaN}', "NaN is not a JSON number"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_parse_document_rejects_what_is_not_json(data: bytes, problem: str) -> None:
    with pytest.raises(CatalogueError) as caught:
        parse_document(data)
    [(path, message)] = caught.value.errors
    assert path == "$" and problem in message


def test_parse_document_accepts_a_byte_order_mark() -> None:
    assert parse_document("\ufeff{}".encode()) == {}


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(JSON)
@settings(max_examples=200)
def test_validator_only_ever_raises_catalogue_error(value: Any) -> None:
    try:
        validate(value)
    except CatalogueError as exc:
        assert exc.errors


KEYS = st.sampled_from(
    [
        "format",
        "version",
        "fields",
        "procedures",
        "id",
        "name",
        "code",
        "field",
        "level",
        "methods",
        "documents",
        "keywords",
        "channel",
        "fee_vnd",
        "originals",
        "steps",
    ]
)


@given(st.lists(st.tuples(st.integers(0, 10_000), KEYS, JSON), min_size=1, max_size=3))
@settings(max_examples=200)
def test_damaged_documents_are_rejected_cleanly_or_pass_whole(
    damage: list[tuple[int, str, Any]],
) -> None:
    document = catalogue_document()
    for where, key, value in damage:
        objects = _objects_in(document)
        objects[where % len(objects)][key] = value
    try:
        catalogue = validate(document)
    except CatalogueError as exc:
        assert exc.errors and all(path.startswith("$") for path, _ in exc.errors)
    else:
        assert len(catalogue.procedures) == len(document["procedures"])


def _objects_in(value: Any) -> list[dict[str, Any]]:
    found = []
    if isinstance(value, dict):
        found.append(value)
        for item in value.values():
            found.extend(_objects_in(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_objects_in(item))
    return found


def test_validator_needs_neither_database_nor_kivy() -> None:
    # The central server imports the validator; it must not drag the kiosk's storage or UI in.
    code = (
        "import sys, kiosk.protocol.catalogue_format; "
        "loaded = {'sqlite3', 'kivy', 'kiosk.store'} & set(sys.modules); "
        "print(sorted(loaded))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"

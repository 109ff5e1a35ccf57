"""The server's OpenAPI: docs/openapi.json is what the server serves, and schemathesis, run
against the real server on loopback from that document, finds no 5xx and no answer that breaks
the schema (status, content type, headers, body). Bounded examples keep it to seconds."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from central.app import openapi_document
from tests.fixtures_central import ADMIN_TOKEN, RunningServer, start_server

OPENAPI = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
schema = schemathesis.openapi.from_path(OPENAPI)


def test_docs_openapi_is_what_the_server_serves() -> None:
    committed = json.loads(OPENAPI.read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(openapi_document())), (
        "docs/openapi.json is stale: run `kiosk-central openapi > docs/openapi.json`"
    )


@pytest.fixture(scope="module")
def schema_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One server for every operation: generated requests do not need a fresh one each."""
    server = start_server(tmp_path_factory.mktemp("schema"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def device_token(schema_server: RunningServer) -> str:
    schema_server.admin(
        "POST",
        "/catalogue",
        {
            "format": "kiosk-catalogue/1",
            "version": 1,
            "fields": [{"id": "ho-tich", "name": "Hộ tịch"}],
            "procedures": [
                {"code": "1.001193", "name": "Đăng ký khai sinh", "field": "ho-tich", "level": "xa"}
            ],
        },
    )
    answer = requests.post(
        f"{schema_server.url}/api/v1/enroll",
        json={
            "enrollment_code": schema_server.enrollment_code(),
            "hardware_id": "rpi-schema",
            "app_version": "0.1.0",
        },
        timeout=10,
    )
    return str(answer.json()["token"])


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_server_answers_match_its_openapi(case: Any, schema_server: RunningServer, device_token: str) -> None:
    token = ADMIN_TOKEN if case.path.startswith("/api/v1/admin") else device_token
    case.call_and_validate(
        base_url=schema_server.url, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
    )

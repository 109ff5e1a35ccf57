"""Catalogue fixtures: small kiosk-catalogue/1 documents built in the tests, imported into real
SQLite files. The demo catalogue (config/demo/catalogue.json) is not used here, so these tests
say exactly which procedures they rely on."""

from __future__ import annotations

import copy
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk import store
from kiosk.catalogue.store import import_catalogue

FIELDS: list[dict[str, Any]] = [
    {"id": "ho-tich", "name": "Hộ tịch", "name_en": "Civil status"},
    {"id": "dat-dai", "name": "Đất đai", "name_en": "Land"},
    {"id": "chung-thuc", "name": "Chứng thực", "name_en": "Certification"},
    {"id": "doanh-nghiep", "name": "Thành lập và hoạt động doanh nghiệp"},
    # Old-style tone placement in the data ("thuỷ", "hoà"): search must meet "thủy", "hòa".
    {"id": "thuy-loi", "name": "Thuỷ lợi", "name_en": "Irrigation"},
    {"id": "hoa-giai", "name": "Hoà giải ở cơ sở"},
]


def procedure(code: str, name: str, field: str = "ho-tich", **extra: Any) -> dict[str, Any]:
    """A Procedure object with the required keys and whatever else the test needs."""
    return {"code": code, "name": name, "field": field, "level": "xa", **extra}


PROCEDURES: list[dict[str, Any]] = [
    procedure(
        "1.001193",
        "Đăng ký khai sinh",
        name_en="Birth registration",
        agency="Ủy ban nhân dân cấp xã",
        keywords=["giấy khai sinh", "làm giấy khai sinh cho con"],
        methods=[
            {
                "channel": "truc-tiep",
                "time": "Ngay trong ngày tiếp nhận",
                "time_days": 1,
                "fee": "Miễn phí",
                "fee_vnd": 0,
            },
        ],
        documents=[{"name": "Tờ khai đăng ký khai sinh", "originals": 1, "copies": 0}],
        steps=["Nộp hồ sơ tại Bộ phận Một cửa", "Nhận kết quả"],
        result="Giấy khai sinh",
        legal_basis=["Luật Hộ tịch số 60/2014/QH13"],
        updated_at="2026-10-01",
    ),
    procedure("1.000656", "Đăng ký khai sinh có yếu tố nước ngoài", level="huyen"),
    procedure("1.000894", "Đăng ký kết hôn"),
    procedure("1.001022", "Đăng ký khai tử"),
    procedure("2.000908", "Chứng thực bản sao từ bản chính giấy tờ, văn bản", "chung-thuc"),
    procedure(
        "1.001612.000.00.00.H48",
        "Đăng ký đất đai, cấp Giấy chứng nhận quyền sử dụng đất lần đầu",
        "dat-dai",
        keywords=["sổ đỏ", "làm sổ đỏ", "sổ hồng"],
    ),
    # A decoy for "sổ đỏ": "số" and "đổi"/"doanh" in its name, but not as a phrase.
    procedure("2.001610", "Cấp đổi số hiệu đăng ký doanh nghiệp", "doanh-nghiep"),
    procedure("1.003456", "Cấp giấy phép hoạt động trong phạm vi bảo vệ công trình thủy lợi", "thuy-loi"),
    procedure("2.002162", "Công nhận hoà giải viên", "hoa-giai"),
    procedure("1.009994", "Thôi làm hòa giải viên", "hoa-giai"),
]


def catalogue_document(
    procedures: list[dict[str, Any]] | None = None,
    fields: list[dict[str, Any]] | None = None,
    version: int = 1,
) -> dict[str, Any]:
    """A valid kiosk-catalogue/1 document (deep copies, safe to mutate)."""
    return {
        "format": "kiosk-catalogue/1",
        "version": version,
        "published_at": "2026-11-01T00:00:00+07:00",
        "fields": copy.deepcopy(FIELDS if fields is None else fields),
        "procedures": copy.deepcopy(PROCEDURES if procedures is None else procedures),
    }


@pytest.fixture
def small_catalogue() -> dict[str, Any]:
    return catalogue_document()


@pytest.fixture
def catalogue_db(db: sqlite3.Connection, small_catalogue: dict[str, Any]) -> sqlite3.Connection:
    """The state database with the small catalogue imported."""
    import_catalogue(db, small_catalogue)
    return db


@pytest.fixture(scope="module")
def shared_catalogue_db(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[sqlite3.Connection]:
    """One database per module for read-only tests that run many examples (hypothesis)."""
    path: Path = tmp_path_factory.mktemp("catalogue") / store.DB_NAME
    database = store.connect(path)
    import_catalogue(database, catalogue_document())
    yield database
    database.close()

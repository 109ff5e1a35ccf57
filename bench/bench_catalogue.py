"""Catalogue import and search on a generated catalogue the size of the national one (6,000
procedures): import time, per-keystroke search latency for as-you-type queries, the typo
fallback, and a plain LIKE scan over folded names as the baseline."""

from __future__ import annotations

import random
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import Figure, median, percentile
from kiosk import store
from kiosk.catalogue.folding import search_tokens
from kiosk.catalogue.search import search
from kiosk.catalogue.store import apply_sync, import_catalogue
from kiosk.protocol.catalogue_format import FORMAT, validate

PROCEDURES = 6_000
LIMIT = 20
ROUNDS = 3


def _listed(text: str) -> list[str]:
    return text.split(", ")


FIELDS = _listed(
    "Hộ tịch, Chứng thực, Đất đai, Xây dựng, Nhà ở, Đăng ký kinh doanh, Thành lập và hoạt "
    "động doanh nghiệp, Hợp tác xã, Đường bộ, Đường thủy nội địa, Y tế, Khám bệnh chữa "
    "bệnh, Dược phẩm, Giáo dục và Đào tạo, Lao động, Việc làm, Bảo hiểm xã hội, Người có "
    "công, Bảo trợ xã hội, Trẻ em, Văn hóa, Du lịch, Thể dục thể thao, Tài nguyên nước, Môi "
    "trường, Khoáng sản, Trồng trọt, Chăn nuôi, Thú y, Thủy lợi, Lâm nghiệp, Thủy sản, Điện "
    "lực, An toàn thực phẩm, Thương mại, Xuất nhập khẩu, Luật sư, Công chứng, Hòa giải ở cơ "
    "sở, Nuôi con nuôi, Quốc tịch, Lý lịch tư pháp, Thuế, Hải quan, Tôn giáo, Thi đua khen "
    "thưởng, Báo chí, Xuất bản, Khoa học và công nghệ, Cư trú, Phòng cháy chữa cháy, Dân "
    "tộc, Đấu thầu, Đầu tư"
)
ACTIONS = _listed(
    "Cấp, Cấp lại, Cấp đổi, Điều chỉnh, Gia hạn, Thu hồi, Đăng ký, Đăng ký thay đổi, Xác "
    "nhận, Công nhận, Thẩm định, Phê duyệt, Chấp thuận, Thông báo, Giải quyết, Hỗ trợ, Cho "
    "phép, Cấp bản sao, Đình chỉ, Sửa đổi"
)
OBJECTS = _listed(
    "giấy phép xây dựng, Giấy chứng nhận quyền sử dụng đất, giấy khai sinh, giấy chứng nhận "
    "kết hôn, giấy phép lái xe, giấy chứng nhận đăng ký hộ kinh doanh, chứng chỉ hành nghề, "
    "giấy chứng nhận đủ điều kiện an toàn thực phẩm, trợ cấp xã hội hằng tháng, giấy phép "
    "môi trường, giấy phép khai thác khoáng sản, giấy phép hoạt động, thẻ bảo hiểm y tế, "
    "giấy phép lao động, chế độ thai sản, chế độ ưu đãi người có công, giấy phép tổ chức lễ "
    "hội, thông tin doanh nghiệp, con dấu, giấy phép khai thác tài nguyên nước, giấy phép "
    "xuất bản, giấy phép nhập khẩu, chứng chỉ quy hoạch, thiết kế cơ sở, dự án đầu tư, "
    "quyết định giao đất, chuyển mục đích sử dụng đất, tách thửa, hợp thửa, giấy phép kinh "
    "doanh vận tải, biển số xe, phiếu lý lịch tư pháp, giấy xác nhận tình trạng hôn nhân, "
    "hồ sơ nhận con nuôi, trích lục khai tử, quốc tịch Việt Nam, văn bằng, chứng chỉ, học "
    "bổng chính sách, hỗ trợ tiền điện, giấy phép bán lẻ rượu, giấy phép sản xuất thuốc lá, "
    "giống cây trồng, kiểm dịch động vật, giấy phép hoạt động điện lực, phương án phòng "
    "cháy, thẻ căn cước"
)
QUALIFIERS = _listed(
    ", , , cho tổ chức, cho cá nhân, có yếu tố nước ngoài, đối với doanh nghiệp nhỏ và vừa, "
    "trong trường hợp bị mất hoặc hư hỏng, lần đầu, tại cấp xã, tại cấp tỉnh, cho người "
    "nước ngoài, đối với công trình cấp III, do thay đổi thông tin, theo thủ tục rút gọn"
)
KEYWORDS = _listed(
    "sổ đỏ, sổ hồng, bằng lái, làm giấy tờ, xin phép xây nhà, đăng ký xe, tiền trợ cấp, làm "
    "sổ, giấy phép con, mở quán, làm thẻ, xin việc, nghỉ đẻ, hưu trí, chế độ"
)
PHRASES = [
    "dang ky khai sinh",
    "giay phep xay dung",
    "so do",
    "cap lai giay phep lai xe",
    "tro cap xa hoi",
    "ho kinh doanh",
    "an toan thuc pham",
    "1.000124",
    "chung chi hanh nghe",
    "bao hiem y te",
    "khai thac khoang san",
    "giay xac nhan tinh trang hon nhan",
    "Đăng ký kết hôn",
    "chuyen muc dich su dung dat",
    "thong bao",
]
# Sentences as citizens type them: fillers, words no name has all of (the relaxed tier).
SENTENCES = [
    "thu tuc cap lai giay phep lai xe o dau",
    "muon xin giay phep xay dung cho nha o can giay to gi",
    "lam the nao de duoc tro cap xa hoi hang thang cho me",
    "em muon dang ky kinh doanh quan an nho tai nha",
    "can nhung giay to gi de lam the bao hiem y te cho con",
    "xin giay chung nhan an toan thuc pham cho bep an gia dinh",
]
TYPOS = [
    "dang ky khia sinh",
    "giay phep xay dugn",
    "tro cpa xa hoi",
    "bao hiem y tee",
    "chung chi hahn nghe",
    "kiem dihc dong vat",
]


def generate(count: int = PROCEDURES, seed: int = 5) -> dict[str, Any]:
    """A kiosk-catalogue/1 document of `count` plausible procedures (deterministic)."""
    rng = random.Random(seed)
    fields = [{"id": f"f{i:02d}", "name": name, "name_en": ""} for i, name in enumerate(FIELDS)]
    procedures = []
    for i in range(count):
        name = " ".join(
            part for part in (rng.choice(ACTIONS), rng.choice(OBJECTS), rng.choice(QUALIFIERS)) if part
        )
        code = f"{1 + i % 2}.{i:06d}" + (".000.00.00.H48" if i % 7 == 0 else "")
        procedures.append(_procedure(rng, code, name, rng.choice(fields)["id"]))
    return {"format": FORMAT, "version": 1, "fields": fields, "procedures": procedures}


def _procedure(rng: random.Random, code: str, name: str, field: str) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "field": field,
        "level": rng.choice(["xa", "tinh", "trung-uong"]),
        "agency": "Ủy ban nhân dân cấp xã",
        "methods": [
            {
                "channel": "truc-tiep",
                "time": f"{rng.randint(1, 30)} ngày làm việc",
                "time_days": rng.randint(1, 30),
                "fee": "50.000 đồng",
                "fee_vnd": 50_000,
            },
            {"channel": "truc-tuyen", "time": "05 ngày làm việc", "fee": "Miễn phí", "fee_vnd": 0},
        ],
        "documents": [
            {"name": f"Bản sao giấy tờ số {n} kèm theo {name.lower()}", "originals": 1, "copies": 1}
            for n in range(rng.randint(2, 7))
        ],
        "steps": ["Nộp hồ sơ tại Bộ phận Một cửa", "Cán bộ kiểm tra hồ sơ", "Nhận kết quả"],
        "result": name.replace("Cấp", "Kết quả cấp", 1),
        "legal_basis": ["Nghị định số 123/2015/NĐ-CP", "Thông tư số 04/2020/TT-BTP"],
        "keywords": rng.sample(KEYWORDS, rng.randint(0, 3)),
        "updated_at": "2026-10-01",
    }


def keystrokes(phrases: list[str]) -> list[str]:
    """What the box holds after each key of each phrase, as a citizen types it."""
    return [phrase[:end] for phrase in phrases for end in range(1, len(phrase) + 1)]


def like_scan(db: sqlite3.Connection, query: str) -> list[str]:
    """The baseline: every word as LIKE '%word%' over folded names, in Vietnamese order."""
    words = search_tokens(query)
    if not words:
        return []
    where = " AND ".join("name_key LIKE ?" for _ in words)
    sql = f"SELECT code FROM catalogue_procedure WHERE {where} ORDER BY sort_key LIMIT ?"
    return [row[0] for row in db.execute(sql, [f"%{w}%" for w in words] + [LIMIT])]


def timed_ms(call: Any, queries: list[str]) -> list[float]:
    times = []
    for _ in range(ROUNDS):
        for query in queries:
            started = time.perf_counter()
            call(query)
            times.append((time.perf_counter() - started) * 1000)
    return times


def run() -> list[Figure]:
    document = generate()
    with tempfile.TemporaryDirectory() as tmp:
        db = store.connect(Path(tmp) / store.DB_NAME)
        started = time.perf_counter()
        validate(document)
        validate_s = time.perf_counter() - started
        started = time.perf_counter()
        counts = import_catalogue(db, document)
        import_s = time.perf_counter() - started
        size_mb = (Path(tmp) / store.DB_NAME).stat().st_size / 1e6
        figures = [
            Figure(f"import {counts.procedures:,} procedures", import_s, "s", "≤ 5 s"),
            Figure("  of which validation", validate_s, "s"),
            Figure("database size after import", size_mb, "MB"),
            *_search_figures(db),
            _delta_figure(db, document),
        ]
        db.close()
    return figures


def _search_figures(db: sqlite3.Connection) -> list[Figure]:
    typed = keystrokes(PHRASES)
    search(db, "warm up")
    strict = timed_ms(lambda q: search(db, q, limit=LIMIT, mode="strict"), typed)
    fts = timed_ms(lambda q: search(db, q, limit=LIMIT), typed)
    like = timed_ms(lambda q: like_scan(db, q), typed)
    typos = timed_ms(lambda q: search(db, q, limit=LIMIT), TYPOS)
    found = sum(1 for q in TYPOS if search(db, q))
    return [
        Figure(f"keystrokes searched ({len(PHRASES)} phrases x {ROUNDS})", len(fts)),
        Figure("strict search per keystroke p50 (before)", median(strict), "ms"),
        Figure("strict search per keystroke p95 (before)", percentile(strict, 95), "ms"),
        Figure("search per keystroke p50", median(fts), "ms", "≤ 5 ms"),
        Figure("search per keystroke p95", percentile(fts, 95), "ms", "≤ 5 ms"),
        *_sentence_figures(db),
        Figure("baseline LIKE scan p50", median(like), "ms"),
        Figure("baseline LIKE scan p95", percentile(like, 95), "ms"),
        Figure("LIKE / search, p50", median(like) / median(fts), "x"),
        Figure("LIKE / search, p95", percentile(like, 95) / percentile(fts, 95), "x"),
        Figure("typo fallback p50", median(typos), "ms"),
        Figure("typo fallback p95", percentile(typos, 95), "ms"),
        Figure("typo queries that found something", f"{found} of {len(TYPOS)}"),
    ]


def _sentence_figures(db: sqlite3.Connection) -> list[Figure]:
    """Sentences typed key by key (fillers, synonyms and the relaxed tier at work), and the
    worst single query, which the relaxed tier's bounds keep small."""
    typed = keystrokes(SENTENCES)
    strict = timed_ms(lambda q: search(db, q, limit=LIMIT, mode="strict"), typed)
    full = timed_ms(lambda q: search(db, q, limit=LIMIT), typed)
    relaxed = [q for q in SENTENCES if (hits := search(db, q, limit=LIMIT)) and hits[0].match == "relaxed"]
    hostile = ["x" * 10_000, "thu tuc " * 2_000, "a b c d e f g h i k l m n o p q r s t u v x y"]
    worst = max(timed_ms(lambda q: search(db, q, limit=LIMIT), SENTENCES + hostile))
    return [
        Figure(f"sentence keystrokes ({len(SENTENCES)} sentences x {ROUNDS})", len(full)),
        Figure(
            "  strict per keystroke p50 / p95", f"{median(strict):.2f} / {percentile(strict, 95):.2f}", "ms"
        ),
        Figure(
            "  with relaxed tier p50 / p95",
            f"{median(full):.2f} / {percentile(full, 95):.2f}",
            "ms",
            "p95 ≤ 5 ms",
        ),
        Figure("  whole sentences answered by the relaxed tier", f"{len(relaxed)} of {len(SENTENCES)}"),
        Figure("slowest query (sentences, 10,000 characters, 24 letters)", worst, "ms", "≤ 20 ms"),
    ]


def _delta_figure(db: sqlite3.Connection, document: dict[str, Any]) -> Figure:
    rng = random.Random(7)
    upserts = [dict(p, name=p["name"] + " (sửa đổi)") for p in rng.sample(document["procedures"], 100)]
    kept = {p["code"] for p in upserts}
    deletes = [p["code"] for p in document["procedures"] if p["code"] not in kept][:20]
    answer = {"version": 2, "full": False, "fields": [], "upserts": upserts, "deletes": deletes}
    started = time.perf_counter()
    apply_sync(db, answer)
    return Figure("sync delta (100 upserts, 20 deletes)", time.perf_counter() - started, "s")

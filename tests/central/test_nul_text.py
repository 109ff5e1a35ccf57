"""Text holding U+0000 (NUL), on both stores: PostgreSQL's text and JSONB cannot keep it, so a
write holding it is answered 422 and writes nothing; a login naming it is a wrong login, not a
failure of the server. (Events with it are refused one by one: tests/central/store/.)"""

from __future__ import annotations

import requests

from tests.fixtures_central import SITE, RunningServer

NUL = "a\u0000b"


def test_writes_holding_nul_are_refused_and_write_nothing(calling_server: RunningServer) -> None:
    server = calling_server
    before = server.store.config_layers(SITE.id, "no-device")
    named = server.admin("PUT", "/sites/xa-9", {"name": NUL})
    configured = server.admin("PUT", f"/sites/{SITE.id}/config", {"settings": {"ui": {"footer": NUL}}})
    answers = {"site": named, "config": configured}
    for what, answer in answers.items():
        assert answer.status_code in (200, 422), (what, answer.status_code, answer.text)
    if server.store.__class__.__name__ == "PostgresStore":  # SQLite keeps NUL, as it did
        assert [a.status_code for a in answers.values()] == [422, 422]
        assert "NUL" in named.json()["error"]["message"]
        assert server.store.get_site("xa-9") is None
        assert server.store.config_layers(SITE.id, "no-device") == before


def test_a_login_naming_nul_is_a_wrong_login(calling_server: RunningServer) -> None:
    answer = requests.post(
        f"{calling_server.url}/console/login",
        data={"name": NUL, "password": "x"},
        headers={"Origin": calling_server.url},
        timeout=10,
    )
    assert answer.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in answer.text

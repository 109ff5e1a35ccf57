"""Whose word the server takes for a client's address and scheme.

Every limit that counts by address (wrong enrollment codes, console logins) must count the real
peer: a header any client can write must not choose the count it lands in. So the server reads
`X-Forwarded-For` and `X-Forwarded-Proto` only from the proxies the operator lists
(`kiosk-central serve --forwarded-allow-ips 127.0.0.1` for a reverse proxy on the same host, or
$KIOSK_CENTRAL_FORWARDED_ALLOW_IPS); by default from none. uvicorn's own default trusts
127.0.0.1, so any process on the machine, or a proxy that passes a client's header on, could
otherwise pick the address. Behind a listed proxy, the client is the nearest address in
`X-Forwarded-For` that is not itself a listed proxy (uvicorn's ProxyHeadersMiddleware)."""

from __future__ import annotations

import ipaddress
import os
from typing import Any

ENVIRONMENT = "KIOSK_CENTRAL_FORWARDED_ALLOW_IPS"


def parse_proxies(value: str | None) -> list[str]:
    """`"127.0.0.1, 10.0.0.0/8"` → the addresses and networks, checked; ValueError names a bad
    one. Empty or None: no proxy is trusted."""
    proxies = [item.strip() for item in (value or "").split(",") if item.strip()]
    for proxy in proxies:
        ipaddress.ip_network(proxy, strict=False)  # "*" and host names are refused on purpose
    return proxies


def default_proxies() -> str:
    return os.environ.get(ENVIRONMENT, "")


def server_options(proxies: list[str]) -> dict[str, Any]:
    """uvicorn's settings for forwarded headers: read only from `proxies`, none by default."""
    return {"proxy_headers": bool(proxies), "forwarded_allow_ips": proxies}

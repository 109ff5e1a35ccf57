"""The token in a ticket's phone link (`queue.ticket_qr_url` with `{token}`), shared by the kiosk
that prints it and the server that checks it.

The kiosk issues tickets offline, so the token cannot come from the server: it is an HMAC of
the day and the ticket under the SHA-256 of the kiosk's device token, which the server keeps
(as it keeps every token: hashed) and copies onto the ticket when its event arrives. Without
the device token nobody can make a link for a ticket, nor guess one from another (128 bits)."""

from __future__ import annotations

import base64
import hashlib
import hmac


def link_key(device_token: str) -> str:
    """What both sides key the links with: SHA-256 (hex) of the device token."""
    return hashlib.sha256(device_token.encode("utf-8")).hexdigest()


def ticket_token(key_hex: str, day: str, ticket: str) -> str:
    """22 URL-safe characters (128 bits) for ticket `ticket` of day `day` (YYYY-MM-DD)."""
    mac = hmac.new(bytes.fromhex(key_hex), f"ticket-link/1|{day}|{ticket}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:16]).rstrip(b"=").decode("ascii")

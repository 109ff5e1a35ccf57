"""Refuses request bodies larger than the protocol needs before they fill the server's memory:
an unauthenticated POST /enroll must not be able to send a gigabyte. A batch of 500 events is
a few hundred kilobytes; only operators publish large documents (a catalogue, dossiers)."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEVICE_LIMIT = 4 * 1024 * 1024
ADMIN_LIMIT = 256 * 1024 * 1024
CONSOLE_LIMIT = 64 * 1024 * 1024  # a catalogue file uploaded from the console


class TooLarge(HTTPException):
    """Raised while the body is read; FastAPI passes HTTPExceptions through to the handler that
    answers in the protocol's error shape (errors.py)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is over {limit} bytes")


class BodyLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        limit = (
            ADMIN_LIMIT
            if path.startswith("/api/v1/admin/")
            else CONSOLE_LIMIT
            if path.startswith("/console/")
            else DEVICE_LIMIT
        )
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(send, limit)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise TooLarge(limit)
            return message

        try:
            await self.app(scope, counting_receive, send)
        except TooLarge:
            await _refuse(send, limit)


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps(
        {"error": {"code": "too_large", "message": f"the request body is over {limit} bytes"}}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})

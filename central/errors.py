"""Every non-2xx answer has the body {"error": {"code": "snake_case", "message": "…"}}.

Endpoints raise `ApiError`; the handlers below also turn FastAPI's own refusals (validation,
unknown route, wrong method) and unexpected exceptions into that shape."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from central.store.records import StoreUnavailable, UnstorableText

log = logging.getLogger("central")

_STARLETTE_CODES = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
}


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class ApiError(Exception):
    """An answer other than success, with a stable code a kiosk or console can act on."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.details = details


def error_response(
    status: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
    details: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status, headers=headers)


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.headers, exc.details)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    if any(e.get("type") == "json_invalid" for e in exc.errors()):
        return error_response(400, "bad_request", "the body is not valid JSON")
    details = [
        {"path": ".".join(str(p) for p in e.get("loc", ())), "problem": str(e.get("msg", ""))}
        for e in exc.errors()[:50]
    ]
    first = details[0] if details else {"path": "", "problem": "invalid request"}
    message = f"{first['path']}: {first['problem']}"
    return error_response(422, "invalid_request", message, details=details)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _STARLETTE_CODES.get(exc.status_code, "http_error")
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Static files (a mount) name their own methods; routes are found from the app.
        headers["Allow"] = allowed_methods(request) or headers.get("Allow", "")
    return error_response(exc.status_code, code, str(exc.detail), headers)


def allowed_methods(request: Request) -> str:
    """Every method some route takes at this path (Starlette names only the first route's, and a
    path may have several: GET and POST /console/login), each tried as the router would."""
    allowed: set[str] = set()
    for route in request.app.router.routes:
        for method in _METHODS - allowed:
            if route.matches({**request.scope, "method": method})[0] == Match.FULL:
                allowed.add(method)
    return ", ".join(sorted(allowed))


# How long a client is asked to wait while the database is away (a restart, a failover).
STORE_RETRY_AFTER_S = 5


async def _store_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("store unavailable on %s %s: %s", request.method, request.url.path, exc)
    return error_response(
        503,
        "store_unavailable",
        "the server cannot reach its database just now; try again shortly",
        {"Retry-After": str(STORE_RETRY_AFTER_S)},
    )


async def _unstorable_text(request: Request, exc: Exception) -> JSONResponse:
    return error_response(
        422, "invalid_request", "the request holds a NUL character (U+0000), which cannot be stored"
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(500, "internal_error", "the server failed; the error is logged")


def install(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(StoreUnavailable, _store_unavailable)
    app.add_exception_handler(UnstorableText, _unstorable_text)
    app.add_exception_handler(Exception, _unexpected)

"""Credentials: device tokens, operators' admin tokens and enrollment codes, all stored hashed.

Tokens are 256 random bits, so one SHA-256 is enough to make a stolen database useless for
calling the API (a slow password hash would only slow every request down). Devices and
operators use separate tables and separate bearer schemes: a device token never opens the
admin API and an admin token is not a device."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from central.context import Central, central
from central.errors import ApiError
from central.store.contract import CentralStore, Device

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: codes are read aloud over the phone and typed on a touchscreen.
CODE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
CODE_LENGTH = 8

device_bearer = HTTPBearer(auto_error=False, scheme_name="device", description="device token")
admin_bearer = HTTPBearer(auto_error=False, scheme_name="admin", description="operator token")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_enrollment_code() -> str:
    """Like 7K3M-Q9TX: 8 characters of 25, about 37 bits, single-use and expiring."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{chars[:4]}-{chars[4:]}"


def issue_enrollment_code(
    store: CentralStore, site_id: str, ttl_s: int, now: datetime
) -> tuple[str, datetime]:
    """A new code for a site, stored hashed; (code, expiry). `UnknownSite` for a wrong site."""
    code = new_enrollment_code()
    expires = now + timedelta(seconds=ttl_s)
    # The last two characters stay readable so operators can tell unused codes apart.
    store.add_enrollment_code(hash_secret(normalise_code(code)), site_id, expires, code[-2:], now)
    return code, expires


def normalise_code(code: str) -> str:
    """What a person may type (lower case, spaces, no dash) to the canonical form hashed."""
    return "".join(c for c in code.upper() if c.isalnum())


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"})


async def device_token_hash(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(device_bearer)],
) -> str:
    """The hash of the device token that came with the call (not yet looked up: the heartbeat
    looks it up in its own single store call); 401 when there is none."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("a device token is required (Authorization: Bearer …)")
    return hash_secret(credentials.credentials)


def unknown_device() -> ApiError:
    return _unauthorized("the device token is unknown or revoked; enroll the kiosk again")


# async: a quick indexed read, not worth a thread-pool hop on every call.
async def current_device(
    ctx: Annotated[Central, Depends(central)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(device_bearer)],
) -> Device:
    """The enrolled, unrevoked device whose token came with the call; 401 otherwise."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("a device token is required (Authorization: Bearer …)")
    device = ctx.store.device_by_token(hash_secret(credentials.credentials))
    if device is None:
        raise unknown_device()
    return device


async def current_admin(
    ctx: Annotated[Central, Depends(central)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(admin_bearer)],
) -> str:
    """The name of the operator token that came with the call; 401 otherwise."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("an admin token is required (Authorization: Bearer …)")
    name = ctx.store.admin_by_token(hash_secret(credentials.credentials))
    if name is None:
        raise _unauthorized("the admin token is unknown")
    return name

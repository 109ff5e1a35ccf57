"""`enroll`: trade a single-use enrollment code for a device token (the agent's, on the
technician's request, and `kiosk enroll`). Who the kiosk is afterwards is
kiosk/sync/identity.py's."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from kiosk import __version__, store
from kiosk.errors import SyncError
from kiosk.sync import identity
from kiosk.sync.answers import EnrollAnswer, parse_enroll
from kiosk.sync.client import API, DEFAULT_TIMEOUTS, ServerClient, Timeouts, check_server_url


def enroll(
    db: sqlite3.Connection,
    state_dir: Path,
    server_url: str,
    code: str,
    *,
    ca_file: str = "",
    timeouts: Timeouts = DEFAULT_TIMEOUTS,
) -> EnrollAnswer:
    """Enroll with a single-use code. The token is saved first, then the device facts, so a
    crash in between leaves a kiosk that can still prove who it is."""
    url = check_server_url(server_url)
    client = ServerClient(url, ca_file=ca_file, timeouts=timeouts)
    try:
        body = {
            "enrollment_code": code.strip(),
            "hardware_id": identity.hardware_id(state_dir),
            "app_version": __version__,
        }
        reply = client.call("POST", f"{API}/enroll", body=body, accept=(201,), auth=False, retries=False)
    except SyncError as exc:
        raise SyncError(f"enrollment failed: {exc}") from None
    finally:
        client.close()
    answer = parse_enroll(reply.data)
    identity.save_token(state_dir, answer.token)
    with store.transaction(db):
        store.set_state(db, identity.SERVER_URL, url)
        store.set_state(db, identity.DEVICE_ID, answer.device_id)
        store.set_state(db, identity.SITE_ID, answer.site_id)
        store.set_state(db, identity.SITE_NAME, answer.site_name)
        db.execute("DELETE FROM device_state WHERE key = ?", [identity.NOT_ENROLLED])
    return answer

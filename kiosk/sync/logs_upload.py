"""The upload_logs command: the last day of the UI's and the agent's journal, sent to the server
(POST /api/v1/logs, an addition to protocol version 1) for the operator who asked.

The kiosk logs to standard error, which systemd keeps in the journal; the agent reads it with
journalctl (its unit is in the systemd-journal group). At most MAX_LINES lines and MAX_BYTES are
sent, the newest kept. Nothing secret is logged on purpose (tokens never are), and anything that
looks like a credential is masked before sending all the same.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

from kiosk.errors import BadAnswer, KioskError
from kiosk.sync.client import API, ServerClient

UNITS = ("kiosk.service", "kiosk-agent.service", "kiosk-rollback.service")
SINCE = "-24h"
MAX_LINES = 5000
MAX_BYTES = 512 * 1024
_SECRETS = re.compile(
    r"(?i)(bearer\s+|basic\s+|enroll\s+|(?:token|password|secret|pin|pin_hash|enrollment_code)[\"'=: ]+)"
    r"[^\s\"',;]+"
)


@dataclass(frozen=True)
class Collected:
    text: str
    lines: int


def collect(journalctl: str | None = None, timeout_s: float = 30.0) -> Collected:
    """The journal lines of the kiosk's units, newest last, trimmed to the limits."""
    program = journalctl or shutil.which("journalctl")
    if program is None:
        raise KioskError("no systemd journal on this machine (journalctl not found)")
    command = [program, "--no-pager", "-o", "short-iso", "--since", SINCE, "-n", str(MAX_LINES)]
    for unit in UNITS:
        command += ["-u", unit]
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout_s, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise KioskError(f"journalctl failed: {exc}") from exc
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip()[:300]
        raise KioskError(f"journalctl failed ({done.returncode}): {reason}")
    return trim(done.stdout.decode("utf-8", "replace"))


def trim(text: str) -> Collected:
    """Mask credentials, then keep the newest lines that fit MAX_LINES and MAX_BYTES."""
    kept: list[str] = []
    size = 0
    for line in reversed(mask(text).splitlines()[-MAX_LINES:]):
        size += len(line.encode()) + 1
        if size > MAX_BYTES:
            break
        kept.append(line)
    kept.reverse()
    return Collected("\n".join(kept) + ("\n" if kept else ""), len(kept))


def mask(text: str) -> str:
    return _SECRETS.sub(lambda m: m.group(1) + "***", text)


def upload_logs(client: ServerClient, command_id: str | None, collected: Collected) -> str:
    """Send the collected lines; returns the server's id for them."""
    body = {"command": command_id, "lines": collected.lines, "text": collected.text}
    answer = client.call("POST", f"{API}/logs", body=body, accept=(201,)).data
    if not isinstance(answer, dict) or not isinstance(answer.get("id"), str):
        raise BadAnswer(f"the server answered the logs with {str(answer)[:200]}")
    return str(answer["id"])

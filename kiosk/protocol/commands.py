"""Commands the server hands a kiosk on its heartbeat answer (docs/protocol.md). The agent
carries out sync_now, restart_ui and upload_logs; the UI carries out print_test and
reprint_ticket (kiosk/device/ui_commands.py). Each is acknowledged with a command.done event."""

from __future__ import annotations

from typing import Literal, get_args

CommandType = Literal["sync_now", "restart_ui", "print_test", "reprint_ticket", "upload_logs"]
COMMAND_TYPES: frozenset[str] = frozenset(get_args(CommandType))

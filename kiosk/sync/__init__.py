"""Everything on the kiosk that talks to the central server (docs/protocol.md).

The agent process (`kiosk agent`) runs these; the UI process only uses `lookups` (dossier status,
queue figures) from worker threads, and reads `status` and `identity` (local, no network). What
the technician asks of the agent goes through the database (kiosk/device/agent_requests.py,
carried out by `ui_requests`). Nothing here imports Kivy, and the core never imports this."""

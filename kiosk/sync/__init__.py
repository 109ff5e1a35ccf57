"""Everything on the kiosk that talks to the central server (docs/protocol.md).

The agent process (`kiosk agent`) runs these; the UI process only uses `lookups` (dossier status,
queue figures) from worker threads. Nothing here imports Kivy, and the core never imports this."""

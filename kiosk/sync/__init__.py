"""Everything that talks to the central server, run by the agent process (never by the UI)."""

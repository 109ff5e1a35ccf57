"""The reference central server for a fleet of kiosks (protocol v1, docs/protocol.md).

It imports nothing from kiosk/: the two sides share formats, not code, so the server can be
deployed without the device software."""

__version__ = "0.1.0"

"""The reference central server for a fleet of kiosks (protocol v1, docs/protocol.md).

It imports nothing from kiosk/ but the protocol package both sides share (kiosk.protocol: the
catalogue validator, the signed release manifest, event types, dossier statuses and the errors they
raise). The server can be deployed without the device's UI, drivers or sync code."""

__version__ = "0.1.0"

"""The reference central server for a fleet of kiosks (protocol v1, docs/protocol.md).

It imports nothing from kiosk/ but the formats both sides share: the catalogue validator
(kiosk.catalogue), the signed release manifest (kiosk.release_manifest) and the errors they raise
(kiosk.errors). The server can be deployed without the device's UI, drivers or sync code."""

__version__ = "0.1.0"

"""What the kiosk and the central server share, one module per subject:

- events.py: event types, ticket priorities, the batch size;
- dossiers.py: dossier statuses;  commands.py: the commands a server sends a kiosk;
- errors.py: the errors the protocol raises (the root of the kiosk's exception tree);
- transactions.py: the SQLite write transaction both sides' stores use;
- release_manifest.py: the release manifest and its Ed25519 signature check;
- catalogue_format.py (records, parsing, validation) and catalogue_rules.py (the field rules):
  the catalogue format validator.

Imports nothing else of kiosk/; central/ imports kiosk/ only through here (tests/test_architecture.py)."""

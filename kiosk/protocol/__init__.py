"""What the kiosk and the central server share: event types, dossier statuses, the release
manifest and its signature check, the catalogue format validator. Imports nothing else of kiosk/;
central/ imports kiosk/ only through here."""

"""The procedure catalogue on the kiosk: the SQLite store, search and its typo fallback, folding,
Telex typing, what the detail screen and the printed checklist say. May import protocol, store,
errors, i18n and the printer port's layout model; never screens, concrete drivers or sync."""

"""Queue numbers: services and their hours, daily numbering, issuing (allocate → print → record),
people ahead and the wait, ticket layouts, ratings. May import config, store, outbox, errors and
the printer port (kiosk.drivers.ports); never screens, concrete drivers or sync."""

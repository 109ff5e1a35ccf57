"""Technician mode without Kivy: the PIN, the status facts, printer actions and the printer
settings a technician saves. May import config, store, errors, queue, drivers and sync's
read-only status; never screens."""

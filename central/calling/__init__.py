"""Calling: the counter page (/counter/), the lobby display (/display/SITE), the ticket on the
citizen's phone (/p/DAY/TICKET/TOKEN) and the voice that announces calls (docs/calling.md).

Kiosks issue, counters call, the display and the phone show and announce. Every counter
action is one store transaction stored once as an event (central/store/calling.py); displays
and phones follow them live by server-sent events, with polling as a fallback."""

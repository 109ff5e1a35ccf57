"""The device API: the endpoints kiosks call (docs/protocol.md), their models, event checks,
the catalogue and dossier answers, the queue, the enrolment limiter."""

"""The updater (invariant 4), run by the agent: download, verify, install, self-test, switch,
health gate and rollback. May import protocol, config, store, errors, outbox, device and sync's
client; never screens, queue or drivers."""

"""Device plumbing shared by the UI and the agent: health, sd_notify, the log ring, the UI
commands hand-over and the agent requests hand-over. May import config, store, errors, outbox,
queue and technician; never screens or Kivy."""

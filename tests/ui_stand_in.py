"""Stands in for the Kivy UI in the update tests, run by a release's own interpreter:
`RELEASE/venv/bin/python ui_stand_in.py STATE_DIR`. It does what kiosk/app.py must do for the
updater (kiosk/device/health.py), with the code of the release it runs from, so a release whose health
reporting is broken crashes here as its UI would on a kiosk."""

import sys
import time
from pathlib import Path

import kiosk
from kiosk import store
from kiosk.device import health

state_dir = Path(sys.argv[1])
db = store.open_state(state_dir)
health.report_ui_started(db, kiosk.__version__)
# …the screens are built and the first frame drawn…
health.report_ui_healthy(db, kiosk.__version__, printer_driver_up=True)
while not health.exit_requested(db):
    time.sleep(0.02)
sys.exit(0)

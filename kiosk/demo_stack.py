"""`make run`: the demo kiosk with everything it talks to, on this machine.

It starts the reference central server on loopback (demo site, the demo catalogue published, demo
dossiers imported), enrols the kiosk with it once, runs the sync agent, serves the virtual printer
on a pty, and then the kiosk UI on the demo site. When the UI exits, the rest is stopped.
State lives under ./var: var/demo (the kiosk), var/demo-central (the server),
var/demo-printed (each printed ticket as PNG)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import requests

from kiosk import store
from kiosk.demo_site import DEMO_CONFIG, DEMO_DIR, seed_state

DEMO_PIN = "2468"  # the demo's technician PIN, printed in its banner; a real kiosk has its own
SITE_ID = "me-linh-xa"
SITE_NAME = "UBND xã Mê Linh"
CONSOLE_USER = "demo"
# Counter officers of the demo office (issue 14): they sign in at /counter/ with the console's password.
COUNTER_USERS = ("quay1", "quay2")


class DemoStack:
    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.state = root / "demo"
        self.central_dir = root / "demo-central"
        self.url = f"http://127.0.0.1:{port}"
        self.password_file = self.central_dir / "demo-console-password"
        self.port = port
        self.processes: list[subprocess.Popen[bytes]] = []
        self.printer: object | None = None

    def central(self, *args: str) -> str:
        """Run one `kiosk-central` command against the demo database; its output."""
        command = [sys.executable, "-m", "central.cli", *args, "--db", str(self.central_dir / "central.db")]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"demo: kiosk-central {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def start_central(self) -> None:
        first_time = not (self.central_dir / "central.db").exists()
        self.central_dir.mkdir(parents=True, exist_ok=True)
        if first_time:
            self.central("site", "set", SITE_ID, "--name", SITE_NAME)
            self.central("catalogue", "publish", str(DEMO_DIR / "catalogue.json"))
            self.central("dossiers", "import", str(DEMO_DIR / "dossiers.json"))
            # A fresh password for this machine's demo console, kept beside its database (0600).
            self.password_file.touch(mode=0o600)
            self.password_file.write_text(secrets.token_urlsafe(12) + "\n", encoding="utf-8")
            self.central("operator", "set", CONSOLE_USER, "--password-file", str(self.password_file))
        self.set_up_calling()
        log = open(self.root / "demo-central.log", "ab")  # noqa: SIM115 (closed with the process)
        self.processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "central.cli",
                    "serve",
                    "--db",
                    str(self.central_dir / "central.db"),
                    "--port",
                    str(self.port),
                    "--log-level",
                    "warning",
                ],
                stdout=log,
                stderr=log,
            )
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/api/v1/health", timeout=1).ok:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise SystemExit(f"demo: the central server did not start; see {self.root / 'demo-central.log'}")

    def set_up_calling(self) -> None:
        """Once per demo database: the site's services (the demo kiosk's own) with the tickets'
        phone link, and two counter officers."""
        marker = self.central_dir / "calling-ready"
        if marker.exists():
            return
        link = f"{self.url}/p/{{day}}/{{ticket}}/{{token}}"
        self.central("services", SITE_ID, "--from", str(DEMO_CONFIG), "--ticket-qr-url", link)
        for name in COUNTER_USERS:
            self.central("staff", "set", name, "--site", SITE_ID, "--password-file", str(self.password_file))
        marker.touch()

    def enrol_once(self) -> None:
        from kiosk.sync import enrollment, identity

        db = store.open_state(self.state)
        try:
            who = identity.identity(db, self.state)
            if who is not None and who.server_url == self.url:
                return
            code = self.central("enroll-code", "--site", SITE_ID).split()[0]
            enrollment.enroll(db, self.state, self.url, code)
        finally:
            db.close()

    def start_agent(self) -> None:
        log = open(self.root / "demo-agent.log", "ab")  # noqa: SIM115 (closed with the process)
        self.processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "kiosk",
                    "--config",
                    str(DEMO_CONFIG),
                    "--state-dir",
                    str(self.state),
                    "agent",
                ],
                stdout=log,
                stderr=log,
            )
        )

    def start_printer(self) -> str:
        from kiosk.drivers.virtual.printer import VirtualPrinter

        printer = VirtualPrinter(self.root / "demo-printed")
        self.printer = printer
        return printer.start_pty(link=self.state / "printer")

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        stop = getattr(self.printer, "stop", None)
        if callable(stop):
            stop()


def set_demo_pin(state: Path) -> None:
    """Technician mode needs a PIN: the demo sets DEMO_PIN unless one is set already."""
    from kiosk.technician.pin import hash_pin, pin_file, write_pin_file

    if not pin_file(state).exists():
        write_pin_file(state, hash_pin(DEMO_PIN))


def banner(stack: DemoStack, root: Path) -> str:
    """What `make run` started, where, and how to use and stop it."""
    from kiosk.app import _has_display

    password = stack.password_file.read_text(encoding="utf-8").strip()
    officers = " or ".join(f"{name} / {password}" for name in COUNTER_USERS)
    if os.environ.get("SDL_VIDEODRIVER") == "offscreen" or not _has_display():
        screen = (
            "no display found: the kiosk is drawing offscreen (no window). To see its screens,\n"
            "                  render them: `.venv/bin/kiosk screenshot --screen all --out var/shots`"
        )
    else:
        screen = "a window; five taps in its top-left corner open technician mode"
    lines = [
        "",
        "kiosk demo — started, all on this machine:",
        f"  central server  {stack.url}  (log: {root / 'demo-central.log'})",
        f"  fleet console   {stack.url}/console/   login: {CONSOLE_USER} / {password}",
        f"  counter page    {stack.url}/counter/   login: {officers}",
        f"  lobby display   {stack.url}/display/{SITE_ID}   (open it in a browser; it calls aloud)",
        "  sync agent      running beside the kiosk (enrolled with the server above)",
        f"  kiosk UI        {screen}",
        f"  technician PIN  {DEMO_PIN}",
        f"  printed tickets {root / 'demo-printed'}/  (one PNG per ticket, from the virtual printer)",
        "  stop            Ctrl-C",
        "",
    ]
    return "\n".join(lines)


def run_demo(argv: list[str]) -> int:
    from kiosk.cli import main as kiosk_main

    root = Path("var").resolve()
    stack = DemoStack(root, int(os.environ.get("KIOSK_DEMO_PORT", "8765")))
    seed_state(stack.state)
    try:
        stack.start_central()
        stack.enrol_once()
        stack.start_agent()
        printer_url = stack.start_printer()
        set_demo_pin(stack.state)
        print(banner(stack, root), file=sys.stderr, flush=True)
        args = [
            "--config",
            str(DEMO_CONFIG),
            "--state-dir",
            str(stack.state),
            "run",
            "--windowed",
            "--printer",
            printer_url,
        ]
        try:
            code = kiosk_main(args + argv)
        except KeyboardInterrupt:
            print("demo: stopped (Ctrl-C).", file=sys.stderr)
            return 0
        if code == 0 and not any(word.startswith("--exit-after") for word in argv):
            # The UI exits at rest to take new settings, after an update or at the technician's
            # restart; on a device systemd starts it again at once, here nobody does.
            print(
                "demo: the kiosk UI exited (it does so at rest for new settings, an update or a "
                "technician's restart; on a device systemd starts it again). `make run` starts it again.",
                file=sys.stderr,
            )
        return code
    finally:
        stack.stop()

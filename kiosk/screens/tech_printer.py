"""Technician printer screen: port, baud rate, profile, Vietnamese mode, state and paper; a test
page; a short sample printed in each Vietnamese mode (to see which one this printer gets right);
finding the port and baud rate that answer. Every printer call runs on the worker thread."""

from __future__ import annotations

from typing import Any

from kivy.properties import ListProperty

from kiosk.drivers.printer import MODES, resolve_mode
from kiosk.drivers.transport import PortSettings
from kiosk.errors import KioskError, PrinterError
from kiosk.issuing import print_failure_reason
from kiosk.screens.tech_status import paper_key
from kiosk.screens.tech_widgets import TechFact, TechScreen, fact, fill
from kiosk.technician_printer import PortFinding, current_mode, detect, print_mode_sample, print_test_page


class TechPrinterScreen(TechScreen):
    findings = ListProperty([])
    modes = ListProperty(list(MODES))

    def on_pre_enter(self, *_args: Any) -> None:
        self.show_facts()

    def on_kv_post(self, _base: Any) -> None:
        self.show_facts()

    def printer_changed(self) -> None:
        self.show_facts()

    def on_findings(self, *_args: Any) -> None:
        if "found" in self.ids:
            fill(self.ids.found, [finding_row(f) for f in self.findings])

    def show_facts(self) -> None:
        if "facts" in self.ids:
            fill(self.ids.facts, printer_rows(self.services))

    # --- actions (each on the worker) -----------------------------------------------------

    def test_page(self) -> None:
        printer = self.services.printer
        if printer is None:
            self.say("tech.printer.no_printer", True)
            return
        self.say("tech.printer.printing")
        self.run(lambda _db: print_test_page(printer), self._printed("tech.printer.test_done"))

    def sample(self, mode: str) -> None:
        printer = self.services.printer
        if printer is None:
            self.say("tech.printer.no_printer", True)
            return
        self.say("tech.printer.printing")
        self.run(
            lambda _db: print_mode_sample(printer, mode), self._printed("tech.printer.sample_done", mode)
        )

    def _printed(self, key: str, mode: str = "") -> Any:
        def done(_result: Any, error: BaseException | None) -> None:
            if error is None:
                self.say(key, mode=mode or current_mode(self.services.printer))
            elif isinstance(error, PrinterError):
                self.say("tech.printer.failed", True, reason=print_failure_reason(error), detail=str(error))
            else:
                self.say("tech.error", True, detail=str(error))
            self.show_facts()

        return done

    def find(self) -> None:
        services = self.services
        port = live_port(services)
        self.findings = []
        self.say("tech.printer.detecting")

        def job(_db: Any) -> list[PortFinding]:
            return detect(port.url, services.printer, port.baudrate)

        def done(found: list[PortFinding] | None, error: BaseException | None) -> None:
            if error is not None or found is None:
                self.say("tech.error", True, detail=str(error))
                return
            self.findings = found
            answered = [f for f in found if f.baudrate]
            self.say("tech.printer.detected" if answered else "tech.printer.none_found", not answered)

        self.run(job, done)

    def reset(self) -> None:
        super().reset()
        self.findings = []

    def shots(self) -> dict[str, Any]:
        def detected() -> None:
            self._generation += 1
            self.findings = [
                PortFinding("/dev/kiosk-printer", "", 9600, "ready", True),
                PortFinding(
                    "/dev/ttyUSB1", "/dev/serial/by-id/usb-Prolific-if00-port0", None, "offline", False
                ),
            ]
            self.say("tech.printer.detected")

        return {"": lambda: None, "detected": detected}


def live_port(services: Any) -> PortSettings:
    """Where the running printer really is (`kiosk run --printer URL` overrides printer.url)."""
    port = getattr(services.printer, "port_settings", None)
    return port if isinstance(port, PortSettings) else PortSettings.from_config(services.settings.printer)


def printing_mode(services: Any) -> str:
    """The mode the running printer prints in, else the one the settings resolve to."""
    if getattr(services.printer, "options", None) is not None:
        return current_mode(services.printer)
    settings = services.settings.printer
    try:
        return str(resolve_mode(settings.vietnamese, settings.profile))
    except KioskError:
        return "?"


def printer_rows(services: Any) -> list[TechFact]:
    settings = services.settings.printer
    port = live_port(services)
    status = services.printer_status
    mode = printing_mode(services)
    shown_mode = mode if settings.vietnamese == mode else f"{settings.vietnamese} → {mode}"
    return [
        fact("tech.printer.port", port.url, "" if port.url else "tech.printer.no_port", bad=not port.url),
        fact(
            "tech.printer.baud", value_key="tech.printer.baud_value", baud=port.baudrate, framing=port.framing
        ),
        fact(
            "tech.printer.profile",
            value_key="tech.printer.profile_value",
            profile=settings.profile,
            width=settings.paper_width_mm,
        ),
        fact("tech.printer.mode", shown_mode),
        fact(
            "tech.printer.state",
            value_key="tech.printer.state." + status.state.value,
            bad=not status.can_print,
        ),
        fact("tech.printer.detail", status.detail or "–"),
        fact("tech.status.paper", value_key=paper_key(status.state.value), bad=not status.can_print),
    ]


def finding_row(found: PortFinding) -> TechFact:
    name = found.stable or found.device
    label = f"{name} ({found.device})" if found.stable else name
    if found.baudrate is None:
        return fact("", value_key="tech.printer.no_answer", bad=True, label=label)
    key = "tech.printer.answers_live" if found.live else "tech.printer.answers"
    return fact("", value_key=key, label=label, baud=found.baudrate, state=found.state)

"""Technician printer screen: port, baud rate, profile, Vietnamese mode, state and paper; a test
page; a short sample printed in each Vietnamese mode (to see which one this printer gets right);
finding the port and baud rate that answer; and saving what worked on the kiosk itself
(kiosk/technician/settings.py), after which the UI restarts at its next idle moment to print
with it. Every printer call and every write runs on the worker thread."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty

from kiosk.drivers.escpos.options import MODES, options_from_settings, resolve_mode
from kiosk.drivers.printer_detect import PortFinding, detect
from kiosk.drivers.transport import PortSettings
from kiosk.errors import KioskError, PrinterError
from kiosk.queue.issuing import print_failure_reason
from kiosk.screens.tech_status import paper_key
from kiosk.screens.tech_widgets import TechFact, TechScreen, fact, fill
from kiosk.technician.printer import current_mode, print_mode_sample, print_test_page
from kiosk.technician.settings import save_printer


class TechPrinterScreen(TechScreen):
    findings = ListProperty([])
    modes = ListProperty(list(MODES))
    offer_mode = StringProperty("")  # a mode whose sample just printed: "use this mode"
    offer_port = StringProperty("")  # a port that answered the detection: "use this port"
    offer_baud = NumericProperty(0)
    raster = BooleanProperty(False)  # the printer prints in raster mode: user glyphs on/off
    glyphs = BooleanProperty(True)

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
        self.raster = printing_mode(self.services) == "raster"
        self.glyphs = bool(self.services.settings.printer.user_glyphs)

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
        self.offer_mode = ""
        self.run(
            lambda _db: print_mode_sample(printer, mode), self._printed("tech.printer.sample_done", mode)
        )

    def _printed(self, key: str, mode: str = "") -> Any:
        def done(_result: Any, error: BaseException | None) -> None:
            if error is None:
                self.say(key, mode=mode or current_mode(self.services.printer))
                if mode:
                    self.offer_mode = mode
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
            if answered:
                self.offer_port = answered[0].stable or answered[0].device
                self.offer_baud = answered[0].baudrate or 0

        self.run(job, done)

    # --- saving what worked ---------------------------------------------------------------

    def use_mode(self) -> None:
        mode = self.offer_mode
        self._save("tech.printer.saved_mode", {"vietnamese": mode}, mode=mode)

    def use_port(self) -> None:
        port, baud = self.offer_port, int(self.offer_baud)
        self._save("tech.printer.saved_port", {"url": port, "baudrate": baud}, port=port, baud=baud)

    def toggle_glyphs(self) -> None:
        on = not self.glyphs
        key = "tech.printer.saved_glyphs_on" if on else "tech.printer.saved_glyphs_off"
        self._save(key, {"user_glyphs": on})

    def _save(self, key: str, changes: dict[str, Any], **values: Any) -> None:
        services = self.services

        def job(_db: Any) -> None:
            loaded = save_printer(services.state_dir, services.site_file, **changes)
            # The printer section only: the rest of the UI takes new settings by restarting.
            services.settings = replace(services.settings, printer=loaded.settings.printer)
            apply_print_options(services.printer, loaded.settings.printer)

        def done(_result: Any, error: BaseException | None) -> None:
            if error is not None:
                self.say("tech.error", True, detail=str(error))
                return
            self.offer_mode = self.offer_port = ""
            self.show_facts()
            self.say(key, **values)

        self.run(job, done)

    def reset(self) -> None:
        super().reset()
        self.findings = []
        self.offer_mode = self.offer_port = ""

    def shots(self) -> dict[str, Any]:
        def detected() -> None:
            self._generation += 1
            self.offer_port, self.offer_baud = "/dev/kiosk-printer", 9600
            self.findings = [
                PortFinding("/dev/kiosk-printer", "", 9600, "ready", True),
                PortFinding(
                    "/dev/ttyUSB1", "/dev/serial/by-id/usb-Prolific-if00-port0", None, "offline", False
                ),
            ]
            self.say("tech.printer.detected")

        def sampled() -> None:
            self._generation += 1
            self.offer_mode = "raster"
            self.say("tech.printer.sample_done", mode="raster")

        return {"": lambda: None, "detected": detected, "sampled": sampled}


def apply_print_options(printer: Any, settings: Any) -> None:
    """The running printer prints with the saved mode and glyph choice at once (on the worker
    thread, the only one that prints); a new port or speed waits for the UI's restart."""
    if getattr(printer, "options", None) is not None:
        printer.options = options_from_settings(settings)


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
        *([glyphs_row(settings.user_glyphs)] if mode == "raster" else []),
        fact(
            "tech.printer.state",
            value_key="tech.printer.state." + status.state.value,
            bad=not status.can_print,
        ),
        fact("tech.printer.detail", status.detail or "–"),
        fact("tech.status.paper", value_key=paper_key(status.state.value), bad=not status.can_print),
    ]


def glyphs_row(on: bool) -> TechFact:
    value = "tech.printer.glyphs_on" if on else "tech.printer.glyphs_off"
    return fact("tech.printer.glyphs", value_key=value)


def finding_row(found: PortFinding) -> TechFact:
    name = found.stable or found.device
    label = f"{name} ({found.device})" if found.stable else name
    if found.baudrate is None:
        return fact("", value_key="tech.printer.no_answer", bad=True, label=label)
    key = "tech.printer.answers_live" if found.live else "tech.printer.answers"
    return fact("", value_key=key, label=label, baud=found.baudrate, state=found.state)

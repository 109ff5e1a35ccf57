"""`kiosk printer …` and `kiosk virtual-printer` commands, against a virtual printer on a pty."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from kiosk.cli import main
from kiosk.commands.virtual_printer import control_loop, obey
from kiosk.drivers.escpos.options import PrintOptions
from kiosk.drivers.escpos.render import render_escpos
from kiosk.drivers.virtual.printer import Simulated, VirtualPrinter
from kiosk.technician.samples import sample_layout


def site_file(tmp_path: Path, url: str, **extra: str) -> Path:
    lines = [f'url = "{url}"', "write_timeout_s = 0.5"] + [f"{k} = {v}" for k, v in extra.items()]
    path = tmp_path / "site.toml"
    path.write_text("[printer]\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("mode", ["tcvn3", "cp1258", "raster", "ascii"])
def test_render_bin_writes_the_exact_bytes(tmp_path: Path, state_dir: Path, mode: str) -> None:
    out = tmp_path / f"ticket-{mode}.bin"
    argv = ["printer", "render", "--sample", "ticket", "--mode", mode, "--profile", "default"]
    assert main([*argv, "--out", str(out)]) == 0
    assert out.read_bytes() == render_escpos(sample_layout("ticket"), PrintOptions(mode=mode))  # type: ignore[arg-type]


def test_render_png_at_printer_resolution(tmp_path: Path, state_dir: Path) -> None:
    for width, dots in ((80, 576), (58, 384)):
        out = tmp_path / f"checklist-{width}.png"
        argv = ["printer", "render", "--sample", "checklist", "--mode", "raster", "--profile", "default"]
        assert main([*argv, "--width", str(width), "--out", str(out)]) == 0
        with Image.open(out) as picture:
            assert picture.width == dots


def test_render_refuses_other_extensions(
    tmp_path: Path, state_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["printer", "render", "--out", str(tmp_path / "t.pdf")]) == 2
    assert "use a .bin or .png" in capsys.readouterr().err


def test_status_and_test_page_on_a_virtual_printer(
    tmp_path: Path, state_dir: Path, virtual_printer: VirtualPrinter, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(site_file(tmp_path, virtual_printer.device))
    assert main(["--config", config, "printer", "status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["state"] == "ready"
    assert main(["--config", config, "printer", "test"]) == 0
    [page] = virtual_printer.wait_for_tickets(1)
    assert "Chế độ tiếng Việt: tcvn3" in page.lines and "Ă Ằ Ẳ Ẵ Ắ Ặ" in page.lines
    virtual_printer.set_state(Simulated.paper_out)
    assert main(["--config", config, "printer", "status"]) == 1
    assert "paper_out" in capsys.readouterr().out
    assert main(["--config", config, "printer", "test"]) == 1
    assert "paper roll is empty" in capsys.readouterr().err


def test_detect_finds_the_port_that_answers(
    state_dir: Path, virtual_printer: VirtualPrinter, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["printer", "detect", "--port", virtual_printer.device, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    mine = [row for row in report if row["device"] == virtual_printer.device]
    assert mine[0]["answers_at"] == 9600 and mine[0]["state"] == "ready"


def test_detect_reports_silence(
    state_dir: Path, virtual_printer: VirtualPrinter, capsys: pytest.CaptureFixture[str]
) -> None:
    virtual_printer.set_state(Simulated.offline)
    assert main(["printer", "detect", "--port", virtual_printer.device]) == 0
    out = capsys.readouterr().out
    assert virtual_printer.device in out and "no printer answered at 9600, 19200, 38400, 115200" in out


def test_technician_commands(virtual_printer: VirtualPrinter) -> None:
    assert obey(virtual_printer, ["state", "cover_open"]) == "state: cover_open"
    assert virtual_printer.state == Simulated.cover_open
    assert obey(virtual_printer, ["tickets"]) == "no tickets yet"
    assert obey(virtual_printer, ["pull"]) == "cable pulled"
    assert obey(virtual_printer, ["plug"]).startswith("cable plugged: /dev/")
    assert "unplug_mid_ticket" in (obey(virtual_printer, ["state", "bogus"]) or "")
    assert obey(virtual_printer, ["quit"]) is None
    control_loop(virtual_printer, io.StringIO("state paper_out\nquit\n"))
    assert virtual_printer.state == Simulated.paper_out


def test_virtual_printer_command_runs_as_a_process(tmp_path: Path) -> None:
    env = {**os.environ, "KIOSK_STATE_DIR": str(tmp_path / "state")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "virtual-printer", "--pty", "--link", str(tmp_path / "printer"),
         "--out", str(tmp_path / "out"), "--state", "paper_near_end"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert proc.stdout is not None and proc.stdin is not None
        assert "virtual printer ready" in proc.stdout.readline()
        config = site_file(tmp_path, str(tmp_path / "printer"))
        status = subprocess.run(
            [sys.executable, "-m", "kiosk", "--config", str(config), "printer", "status"],
            capture_output=True, text=True, env=env, timeout=60,
        )  # fmt: skip
        assert status.returncode == 0 and "paper_near_end" in status.stdout
        proc.stdin.write("quit\n")
        proc.stdin.flush()
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            time.sleep(0.1)


def test_stable_names_come_from_serial_by_id(tmp_path: Path, virtual_printer: VirtualPrinter) -> None:
    from kiosk.drivers.printer_detect import stable_names

    by_id = tmp_path / "by-id"
    by_id.mkdir()
    (by_id / "usb-Prolific_PL2303-if00-port0").symlink_to(virtual_printer.device)
    assert stable_names(by_id) == {
        os.path.realpath(virtual_printer.device): str(by_id / "usb-Prolific_PL2303-if00-port0")
    }
    assert stable_names(tmp_path / "absent") == {}

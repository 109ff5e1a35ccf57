"""The yardstick for the kiosk's memory: a bare Kivy app with one label, drawn at the same size
with the same window and graphics settings as `kiosk run` (offscreen, no multisampling).

Under Mesa's llvmpipe the GL driver alone is over 200 MB once it has drawn a frame; what the
kiosk adds on top of a bare app is what its own code costs. bench_startup runs both in one run.
Run as `python -m bench.bare_app WIDTHxHEIGHT`: it prints "first frame drawn" to standard error
after its first frame and keeps running until it is signalled."""

from __future__ import annotations

import os
import sys
import tempfile


def main(size: str) -> None:
    width, height = size.split("x")
    os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="bare-kivy-"))
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    os.environ.setdefault("KCFG_KIVY_LOG_LEVEL", "warning")
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    from kivy.config import Config

    Config.set("graphics", "width", width)
    Config.set("graphics", "height", height)
    Config.set("graphics", "multisamples", "0")
    Config.set("graphics", "fullscreen", "0")
    from kivy.app import App
    from kivy.core.window import Window
    from kivy.uix.label import Label

    def drawn(*_args: object) -> None:  # as kiosk/app.py marks its first frame
        Window.unbind(on_draw=drawn)
        print("first frame drawn", file=sys.stderr, flush=True)

    class BareApp(App):
        def build(self) -> Label:
            Window.bind(on_draw=drawn)
            return Label(text="Xin chào", font_size=48)

    BareApp().run()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "1080x1920")

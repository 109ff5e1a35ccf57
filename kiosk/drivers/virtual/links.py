"""The virtual printer's end of the cable: a pty master or a TCP server. Each runs one reader
thread that hands every chunk to the printer, and can be pulled and plugged like a USB adapter."""

from __future__ import annotations

import contextlib
import os
import select
import socket
import threading
import time
import tty
from collections.abc import Callable
from pathlib import Path

Receiver = Callable[[bytes], None]
POLL_S = 0.05
SLOW_CHUNK = 16


class Link:
    """Common part: the reader thread, slow reading, stop."""

    url = ""

    def __init__(self, on_data: Receiver) -> None:
        self.on_data = on_data
        self.slow_bytes_per_s = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        """Plug in and start reading; returns the URL the kiosk opens."""
        self.plug()
        name = f"virtual-printer-{type(self).__name__.lower()}"
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()
        return self.url

    def _deliver(self, data: bytes) -> None:
        self.on_data(data)
        if self.slow_bytes_per_s:
            time.sleep(len(data) / self.slow_bytes_per_s)

    def _chunk(self) -> int:
        return SLOW_CHUNK if self.slow_bytes_per_s else 4096

    def _run(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        self._stop.set()
        self.pull()
        if self._thread is not None:
            self._thread.join(2.0)

    def pull(self) -> None:
        raise NotImplementedError

    def plug(self) -> str:
        raise NotImplementedError

    def send(self, data: bytes) -> None:
        raise NotImplementedError


class PtyLink(Link):
    """A pty pair: the kiosk opens the slave (or `link`, a symlink to it); we read the master."""

    def __init__(self, on_data: Receiver, link: Path | None = None) -> None:
        super().__init__(on_data)
        self.link = link
        self._master: int | None = None
        self._slave: int | None = None
        self._generation = 0  # bumped on every plug: fd numbers are reused, generations are not

    def plug(self) -> str:
        with self._lock:
            master, slave = os.openpty()
            tty.setraw(slave)  # no line discipline: binary passes untouched
            os.set_blocking(master, False)  # a read must never hold the lock waiting for data
            self._generation += 1
            name = os.ttyname(slave)
            # Keeping our own slave fd open keeps the pty alive while the kiosk reopens it.
            self._master, self._slave = master, slave
            if self.link is not None:
                temporary = self.link.with_name(self.link.name + ".new")
                with contextlib.suppress(FileNotFoundError):
                    temporary.unlink()
                temporary.symlink_to(name)
                temporary.replace(self.link)
            self.url = str(self.link or name)
            return self.url

    def pull(self) -> None:
        with self._lock:
            for fd in (self._master, self._slave):
                if fd is not None:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            self._master = self._slave = None
            if self.link is not None:
                with contextlib.suppress(FileNotFoundError):
                    self.link.unlink()

    def send(self, data: bytes) -> None:
        with self._lock:
            if self._master is not None:
                with contextlib.suppress(OSError):
                    os.write(self._master, data)

    def _run(self) -> None:
        while not self._stop.is_set():
            master, generation = self._master, self._generation
            if master is None:
                time.sleep(POLL_S)
                continue
            try:
                ready, _, _ = select.select([master], [], [], POLL_S)
            except (OSError, ValueError):
                continue  # pulled while we waited
            if not ready:
                continue
            with self._lock:
                if self._master is None or self._generation != generation:
                    continue  # pulled (and maybe plugged again) since select
                try:
                    data = os.read(master, self._chunk())
                except OSError:  # BlockingIOError included: nothing after all
                    data = b""
            if data:
                self._deliver(data)
            else:
                time.sleep(POLL_S)


class TcpLink(Link):
    """A TCP server taking one client at a time (printer.url = socket://host:port)."""

    def __init__(self, on_data: Receiver, host: str, port: int) -> None:
        super().__init__(on_data)
        self.host = host
        self.port = port
        self._server: socket.socket | None = None
        self._client: socket.socket | None = None

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port

    def plug(self) -> str:
        with self._lock:
            server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind((self.host, self.port))
            server.listen(1)
            self.port = server.getsockname()[1]
            self._server = server
            self.url = f"socket://{self.host}:{self.port}"
            return self.url

    def pull(self) -> None:
        with self._lock:
            for sock in (self._client, self._server):
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.close()
            self._client = self._server = None

    def send(self, data: bytes) -> None:
        with self._lock:
            if self._client is not None:
                with contextlib.suppress(OSError):
                    self._client.sendall(data)

    def _run(self) -> None:
        while not self._stop.is_set():
            server, client = self._server, self._client
            if server is None:
                time.sleep(POLL_S)
                continue
            watched = [s for s in (server, client) if s is not None]
            try:
                ready, _, _ = select.select(watched, [], [], POLL_S)
            except (OSError, ValueError):
                continue
            if server in ready:
                self._accept(server)
            if client is not None and client in ready:
                self._read(client)

    def _accept(self, server: socket.socket) -> None:
        try:
            accepted, _ = server.accept()
        except OSError:
            return
        accepted.setblocking(False)
        with self._lock:
            if self._client is not None:
                self._client.close()  # a printer has one cable: the newest connection wins
            self._client = accepted

    def _read(self, client: socket.socket) -> None:
        try:
            data = client.recv(self._chunk())
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data:
            self._deliver(data)
            return
        with self._lock:
            if self._client is client:
                client.close()
                self._client = None

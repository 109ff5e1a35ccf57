"""A loopback HTTP server with the two release endpoints of PROTOCOL.md, serving a releases
directory in the central server's layout (VERSION/manifest.json = the signed envelope, files
beside it), with `Range: bytes=N-` and faults to inject: cut the connection after N bytes, or
stall (send nothing more) after N bytes. It logs every request and the bytes it sent."""

from __future__ import annotations

import json
import re
import shutil
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from central.fleet.bundles import ENVELOPE_FILE, read_envelope

_PATH = re.compile(r"^/api/v1/releases/([^/]+)/(manifest|files/([^/]+))$")
_RANGE = re.compile(r"^bytes=(\d+)-$")


@dataclass
class Served:
    path: str
    range: str | None
    status: int
    bytes_sent: int


class ReleaseServer:
    def __init__(self, releases_dir: Path) -> None:
        self.releases_dir = releases_dir
        releases_dir.mkdir(parents=True, exist_ok=True)
        self.log: list[Served] = []
        # file name → ("cut" | "stall", after this many bytes); used once, by the next request.
        self.faults: dict[str, tuple[str, int]] = {}
        self.release_stalls = threading.Event()
        self.honour_range = True  # False: answer every Range with the whole file (200)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.release_stalls.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def put_unchecked(self, bundle: Path) -> None:
        """Serve a bundle as it is, without the checks `publish` makes."""
        envelope = read_envelope(bundle)
        target = self.releases_dir / envelope["manifest"]["version"]
        target.mkdir(parents=True, exist_ok=True)
        for entry in envelope["manifest"]["files"]:
            shutil.copyfile(bundle / entry["name"], target / entry["name"])
        (target / ENVELOPE_FILE).write_text(json.dumps(envelope), encoding="utf-8")

    def file_requests(self, name: str) -> list[Served]:
        return [s for s in self.log if s.path.endswith(f"/files/{name}")]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                match = _PATH.match(self.path)
                path = None
                if match:
                    version, _, name = match.groups()
                    path = server.releases_dir / version / (name or ENVELOPE_FILE)
                if path is None or not path.is_file():
                    self._send_status(404)
                    return
                self._send_file(path, name)

            def _send_status(self, status: int) -> None:
                body = b'{"error": {"code": "not_found", "message": "no such release"}}'
                # Logged before answering: the client may look at the log as soon as it has read.
                server.log.append(Served(self.path, self.headers.get("Range"), status, 0))
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _send_file(self, path: Path, name: str | None) -> None:
                data = path.read_bytes()
                asked = self.headers.get("Range")
                match = _RANGE.match(asked or "") if server.honour_range else None
                start = int(match.group(1)) if match else 0
                if start >= len(data) and match:
                    self._send_status(416)
                    return
                status = 206 if match else 200
                self.send_response(status)
                self.send_header("Content-Length", str(len(data) - start))
                self.send_header("Accept-Ranges", "bytes")
                if match:
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                self.end_headers()
                body = data[start:]
                fault = server.faults.pop(name, None) if name else None
                if fault is not None:
                    body = body[: fault[1]]
                server.log.append(Served(self.path, asked, status, len(body)))
                self.wfile.write(body)
                self.wfile.flush()
                if fault is not None and fault[0] == "stall":
                    server.release_stalls.wait(10)
                if fault is not None:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)

        return Handler

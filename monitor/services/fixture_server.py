"""A small real HTTP server on loopback that serves fixture feeds (demo and tests).

Files under ``root`` are served at their relative paths; ``routes`` override a path with a
fixed response or a callable, so tests can script statuses, headers and slow bodies.
Requests are recorded for assertions.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Route = Response | Callable[[dict[str, str]], Response]


class FixtureServer:
    def __init__(self, root: Path | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = root
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                with server._lock:
                    server.requests.append((self.path, headers))
                response = server._respond(self.path, headers)
                self.send_response(response.status)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                if "content-length" not in {k.lower() for k in response.headers}:
                    self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                self.wfile.write(response.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer((host, port), _Handler)
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def _respond(self, path: str, headers: dict[str, str]) -> Response:
        route = self.routes.get(path.split("?", 1)[0])
        if route is not None:
            return route(headers) if callable(route) else route
        if self.root is not None:
            target = (self.root / path.lstrip("/").split("?", 1)[0]).resolve()
            if target.is_file() and self.root.resolve() in target.parents:
                return Response(200, target.read_bytes(), {"Content-Type": "application/xml"})
        return Response(404, b"not found", {"Content-Type": "text/plain"})

    def start(self) -> FixtureServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FixtureServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

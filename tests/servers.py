"""Real HTTP servers on 127.0.0.1 for tests: a site is a dict of path -> Resource."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Resource:
    """What the server sends for one path."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    delay: float = 0.0


@dataclass
class LoggedRequest:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]


class LocalSite:
    """A threaded HTTP server on 127.0.0.1 serving `routes`; records every request."""

    def __init__(self, routes: dict[str, Resource] | None = None):
        self.routes: dict[str, Resource] = dict(routes or {})
        self.log: list[LoggedRequest] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 (http.server's naming)
                site.log.append(LoggedRequest("GET", self.path, {k.lower(): v for k, v in self.headers.items()}))
                resource = site.routes.get(self.path) or site.routes.get(self.path.split("?", 1)[0])
                if resource is None:
                    resource = Resource(b"<html><body><h1>Not found</h1></body></html>", status=404)
                if resource.delay:
                    time.sleep(resource.delay)
                self.send_response(resource.status)
                for name, value in resource.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(resource.body)))
                self.end_headers()
                self.wfile.write(resource.body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Base URL, without a trailing slash."""
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def paths_requested(self) -> list[str]:
        """Paths of every GET so far, in order."""
        return [r.path for r in self.log]

    def __enter__(self) -> LocalSite:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

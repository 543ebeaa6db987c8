"""The demo station sites: real HTTP servers on 127.0.0.1 built from the fixtures at run time.

`LocalSite` is the one local HTTP server of the project (the tests serve their sites with it
too). `demo_sites()` builds one site per station that has fixtures: robots.txt with a Sitemap
line, a sitemap index pointing at a sitemap with lastmod, an RSS feed, paginated section pages,
the fixtures' article pages (their bytes and content-type, with ETag and Last-Modified) and the
fixtures' non-article pages.
"""

from __future__ import annotations

import hashlib
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from crawler.fixtures import Fixture, all_fixtures
from crawler.stations import StationProfile, registry

SECTION_PAGE_SIZE = 2


@dataclass
class Resource:
    """What the server sends for one path; an ETag or Last-Modified header enables 304s.

    The fault fields make a misbehaving server: `delay` before the headers, `drip` seconds
    between chunks of `chunk_size` bytes, `repeat` the body N times (a big page without holding
    it), `reset_after` N body bytes then a TCP reset, `length=False` no Content-Length (the body
    ends when the connection closes).
    """

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(
        default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"}
    )
    delay: float = 0.0
    drip: float = 0.0
    chunk_size: int = 65536
    repeat: int = 1
    reset_after: int | None = None
    length: bool = True

    def chunks(self) -> Iterator[bytes]:
        """The body as sent: `repeat` times, in chunks of `chunk_size` bytes."""
        for _ in range(self.repeat):
            for start in range(0, len(self.body), self.chunk_size):
                yield self.body[start : start + self.chunk_size]


@dataclass
class LoggedRequest:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)  # when it arrived (time.monotonic)
    status: int = 0  # the status answered (0 until the headers are sent)


def _not_modified(resource: Resource, request_headers: dict[str, str]) -> bool:
    """Whether a conditional GET matches the resource's validators (exact comparison)."""
    if resource.status != 200:
        return False
    etag = resource.headers.get("ETag")
    if etag and "if-none-match" in request_headers:
        return request_headers["if-none-match"] == etag
    modified = resource.headers.get("Last-Modified")
    return bool(modified) and request_headers.get("if-modified-since") == modified


class LocalSite:
    """A threaded HTTP server on 127.0.0.1 serving `routes`; records every request."""

    def __init__(self, routes: dict[str, Resource] | None = None):
        self.routes: dict[str, Resource] = dict(routes or {})
        self.log: list[LoggedRequest] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # TCP_NODELAY: the headers and the body go out as two writes, and with Nagle's
            # algorithm the body waited for the client's delayed ACK of the headers (~12 ms a
            # response on a keep-alive connection, against ~0.5 ms): a crawl of this server
            # measured that wait, not its own work.
            disable_nagle_algorithm = True

            def do_GET(self):  # http.server names handlers do_<METHOD>
                headers = {k.lower(): v for k, v in self.headers.items()}
                logged = LoggedRequest("GET", self.path, headers)
                site.log.append(logged)
                resource = site.routes.get(self.path) or site.routes.get(self.path.split("?", 1)[0])
                if resource is None:
                    resource = Resource(b"<html><body><h1>Not found</h1></body></html>", status=404)
                if resource.delay:
                    time.sleep(resource.delay)
                if _not_modified(resource, headers):
                    logged.status = 304
                    self.send_response(304)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                logged.status = resource.status
                try:
                    self.send_resource(resource)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up: fine
                    self.close_connection = True

            def send_resource(self, resource: Resource) -> None:
                self.send_response(resource.status)
                for name, value in resource.headers.items():
                    self.send_header(name, value)
                if resource.length:
                    self.send_header("Content-Length", str(len(resource.body) * resource.repeat))
                else:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                self.send_body(resource)

            def send_body(self, resource: Resource) -> None:
                sent, cut = 0, resource.reset_after
                for chunk in resource.chunks():
                    if cut is not None and sent + len(chunk) > cut:
                        self.wfile.write(chunk[: cut - sent])
                        self.close_connection = True
                        linger = struct.pack("ii", 1, 0)  # close with RST, not FIN
                        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                        self.connection.close()
                        return
                    self.wfile.write(chunk)
                    sent += len(chunk)
                    if resource.drip:
                        time.sleep(resource.drip)

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


def page_resource(body: bytes, content_type: str, modified: str) -> Resource:
    """An article page with validators: ETag from its bytes, Last-Modified from `modified`."""
    return Resource(
        body=body,
        headers={
            "Content-Type": content_type,
            "ETag": f'"{hashlib.sha256(body).hexdigest()[:16]}"',
            "Last-Modified": format_datetime(datetime.fromisoformat(modified), usegmt=False),
        },
    )


def _path(url: str, keep_query: bool) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if keep_query and parts.query else "")


def _xml(text: str) -> Resource:
    return Resource(text.encode("utf-8"), headers={"Content-Type": "application/xml"})


def _html(title: str, links: list[tuple[str, str]], head: str = "") -> Resource:
    items = "".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for h, t in links)
    body = f"<!doctype html><html><head><title>{escape(title)}</title>{head}</head><body>"
    body += f"<h1>{escape(title)}</h1><ul>{items}</ul></body></html>"
    return Resource(body.encode("utf-8"))


@dataclass(frozen=True)
class DemoArticle:
    """One fixture article as the demo site serves it."""

    path: str
    title: str
    lastmod: str
    fixture: Fixture


def station_routes(profile: StationProfile, fixtures: list[Fixture], origin: str) -> dict:
    """Every route of one station's demo site, served under `origin` (scheme://host:port)."""
    routes: dict[str, Resource] = {}
    articles: list[DemoArticle] = []
    others: list[str] = []
    for fixture in fixtures:
        meta, expected = fixture.meta, fixture.expected
        content_type = meta.get("headers", {}).get("content-type", "text/html")
        body = (fixture.path / "page.html").read_bytes()
        if "not_article" in expected:
            path = _path(meta["url"], keep_query=True)
            routes[path] = Resource(body, headers={"Content-Type": content_type})
            others.append(path)
            continue
        lastmod = expected.get("updated") or expected.get("published") or meta["fetched_at"]
        path = _path(meta["url"], keep_query=False)
        routes[path] = page_resource(body, content_type, lastmod)
        articles.append(DemoArticle(path, expected["title"], lastmod, fixture))
    articles.sort(key=lambda a: a.lastmod, reverse=True)
    sitemap = urlsplit(profile.sources.sitemaps[0]).path if profile.sources.sitemaps else None
    sitemap = sitemap or "/sitemap.xml"
    routes["/robots.txt"] = Resource(
        f"User-agent: *\nDisallow: /search/\nSitemap: {origin}{sitemap}\n".encode(),
        headers={"Content-Type": "text/plain"},
    )
    routes[sitemap] = _xml(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{origin}/sitemap-articles.xml</loc>"
        f"<lastmod>{articles[0].lastmod if articles else ''}</lastmod></sitemap></sitemapindex>"
    )
    routes["/sitemap-articles.xml"] = _xml(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(
            f"<url><loc>{escape(origin + a.path)}</loc><lastmod>{a.lastmod}</lastmod></url>"
            for a in articles
        )
        + "".join(f"<url><loc>{escape(origin + path)}</loc></url>" for path in others)
        + "</urlset>"
    )
    for feed in profile.sources.feeds:
        routes[urlsplit(feed).path] = Resource(
            (
                '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
                f"<title>{escape(profile.name)}</title><link>{origin}/</link>"
                + "".join(
                    f"<item><title>{escape(a.title)}</title><link>{escape(origin + a.path)}</link>"
                    f"<pubDate>{format_datetime(datetime.fromisoformat(a.lastmod))}</pubDate>"
                    "</item>"
                    for a in articles
                )
                + "</channel></rss>"
            ).encode("utf-8"),
            headers={"Content-Type": "application/rss+xml"},
        )
    for section in profile.sources.sections:
        routes.update(section_pages(urlsplit(section).path, articles))
    return routes


def section_pages(path: str, articles: list[DemoArticle]) -> dict:
    """A section listing split into pages of SECTION_PAGE_SIZE articles, linked by rel=next;
    later pages live at `<path>/page/N/` (not `?page=N`, which a fixture listing may own)."""
    chunks = [
        articles[i : i + SECTION_PAGE_SIZE] for i in range(0, len(articles), SECTION_PAGE_SIZE)
    ] or [[]]
    base = path.rstrip("/")
    urls = [path] + [f"{base}/page/{n}/" for n in range(2, len(chunks) + 1)]
    routes = {}
    for number, chunk in enumerate(chunks):
        links = [(a.path, a.title) for a in chunk]
        next_link = f'<link rel="next" href="{urls[number + 1]}">' if number + 1 < len(urls) else ""
        routes[urls[number]] = _html(f"Section {path} page {number + 1}", links, next_link)
    return routes


# The demo's pages ship inside the package (a link to the checkout's fixtures/ that the wheel
# copies), so `radioscrape demo` works from any directory after a plain `pip install`.
DEMO_PAGES = Path(__file__).resolve().parent / "demo_pages"


@contextmanager
def demo_sites(
    stations: list[str] | None = None, root: Path | None = None
) -> Iterator[dict[str, LocalSite]]:
    """Serve every station that has pages under `root` (default: the fixtures; the demo
    passes DEMO_PAGES), or those of `stations`, on its own 127.0.0.1 port: {key: site}."""
    by_station: dict[str, list[Fixture]] = {}
    for fixture in all_fixtures(root=root):
        station = fixture.meta.get("station")
        if station and (stations is None or station in stations):
            by_station.setdefault(station, []).append(fixture)
    with ExitStack() as stack:
        sites = {}
        for key, fixtures in sorted(by_station.items()):
            site = stack.enter_context(LocalSite())
            site.routes.update(station_routes(registry().get(key), fixtures, site.url))
            sites[key] = site
        yield sites

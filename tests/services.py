"""Real servers on 127.0.0.1 for the scale-out tests and bench/scale.py: a throwaway PostgreSQL
cluster, a redis-server, and a generated station site of any number of articles.

The binaries come from the machine (`scripts/services.sh` installs them). As root, PostgreSQL
runs as the `postgres` OS user (initdb refuses root). A server that cannot start raises
ServiceError with the reason and the server's log.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import redis

from crawler.demo_site import LocalSite, page_resource, station_routes
from crawler.fixtures import all_fixtures
from crawler.stations import registry

START_TIMEOUT = 30.0
SITE_STATION = "jacaranda"


class ServiceError(RuntimeError):
    """A server could not be started."""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _log_tail(path: Path) -> str:
    return path.read_text(errors="replace")[-2000:] if path.exists() else "(no log)"


def postgres_bindir() -> Path:
    """The newest PostgreSQL bin directory on the machine (Debian layout, then PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if found:
        return Path(found[-1])
    if initdb := shutil.which("initdb"):
        return Path(initdb).parent
    raise ServiceError("PostgreSQL binaries not found: run scripts/services.sh")


@dataclass(frozen=True)
class Postgres:
    """A running throwaway cluster: trust auth for user postgres on 127.0.0.1:port."""

    port: int

    @property
    def dsn(self) -> str:
        """DSN of the cluster's default database."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def new_database(self) -> str:
        """Create an empty database; return its DSN."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@contextmanager
def postgres_server() -> Iterator[Postgres]:
    """Initialise a cluster in a temp dir, serve it on a free loopback port, remove it after."""
    bindir = postgres_bindir()
    root = Path(tempfile.mkdtemp(prefix="radioscrape-pg-"))
    datadir, log = root / "data", root / "server.log"
    port = free_port()
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off"
        " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    try:
        if os.geteuid() == 0:  # initdb refuses root: the cluster belongs to `postgres`
            try:
                shutil.chown(root, "postgres", "postgres")
            except LookupError as exc:
                raise ServiceError(f"no `postgres` OS user to run PostgreSQL: {exc}") from exc
        for args in (
            [str(bindir / "initdb"), "-D", str(datadir), "-U", "postgres", "--auth=trust",
             "-E", "UTF8", "--no-sync"],
            [str(bindir / "pg_ctl"), "-D", str(datadir), "-o", options, "-l", str(log),
             "-w", "-t", str(int(START_TIMEOUT)), "start"],
        ):  # fmt: skip
            try:
                done = subprocess.run(_as_postgres(args), capture_output=True, text=True)
            except OSError as exc:
                raise ServiceError(f"PostgreSQL did not start: {exc}") from exc
            if done.returncode != 0:
                raise ServiceError(
                    f"PostgreSQL did not start ({Path(args[0]).name} exit {done.returncode}):"
                    f"\n{done.stdout}{done.stderr}\n{_log_tail(log)}"
                )
        yield Postgres(port)
    finally:
        if (datadir / "postmaster.pid").exists():
            subprocess.run(
                _as_postgres([str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "immediate",
                              "-w", "stop"]),
                capture_output=True,
            )  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


@dataclass(frozen=True)
class Redis:
    """A running redis-server on 127.0.0.1:port."""

    port: int

    def url(self, db: int = 0) -> str:
        """redis:// URL of database `db`."""
        return f"redis://127.0.0.1:{self.port}/{db}"


@contextmanager
def redis_server() -> Iterator[Redis]:
    """Run redis-server (no persistence) on a free loopback port until the block ends."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise ServiceError("redis-server not found: run scripts/services.sh")
    root = Path(tempfile.mkdtemp(prefix="radioscrape-redis-"))
    port, log = free_port(), root / "server.log"
    args = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
            "--appendonly", "no", "--dir", str(root), "--logfile", str(log)]  # fmt: skip
    try:
        server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError as exc:
        raise ServiceError(f"redis-server did not start: {exc}") from exc
    try:
        client = redis.Redis(port=port, socket_connect_timeout=1)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise ServiceError(f"redis-server did not start:\n{_log_tail(log)}") from None
                time.sleep(0.05)
        client.close()
        yield Redis(port)
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(root, ignore_errors=True)


def scaled_site_routes(articles: int, origin: str) -> dict:
    """The Jacaranda FM demo site's routes with `articles` distinct stories in its sitemap."""
    # The fixture articles, then copies under suffixed URLs with their canonical links rewritten.
    fixtures = [f for f in all_fixtures(SITE_STATION) if "not_article" not in f.expected]
    routes = station_routes(registry().get(SITE_STATION), fixtures, origin)
    entries = []
    for number in range(articles):
        fixture = fixtures[number % len(fixtures)]
        suffix = "" if number < len(fixtures) else f"-copy-{number}"
        path = urlsplit(fixture.meta["url"]).path
        canonical = urlsplit(fixture.expected["canonical_url"]).path
        new_path = path.rstrip("/") + suffix + ("/" if path.endswith("/") else "")
        body = (fixture.path / "page.html").read_bytes()
        body = body.replace(canonical.encode(), (canonical.rstrip("/") + suffix + "/").encode())
        lastmod = fixture.expected.get("updated") or fixture.expected["published"]
        content_type = fixture.meta.get("headers", {}).get("content-type", "text/html")
        routes[new_path] = page_resource(body, content_type, lastmod)
        entries.append(f"<url><loc>{origin}{new_path}</loc><lastmod>{lastmod}</lastmod></url>")
    sitemap = routes["/sitemap-articles.xml"]
    sitemap.body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(entries)
        + "</urlset>"
    ).encode()
    return routes


@contextmanager
def scaled_site(articles: int) -> Iterator[LocalSite]:
    """Serve scaled_site_routes(articles) on a free 127.0.0.1 port."""
    with LocalSite() as site:
        site.routes.update(scaled_site_routes(articles, site.url))
        yield site

"""A site with a sitemap index of many big sitemaps, served on 127.0.0.1 (discovery at scale).

robots.txt names /sitemap-index.xml, which lists `sitemaps` child sitemaps of `urls` story URLs
each, all dated 2020 (a crawl `--since` a later date finds and counts them all and fetches none
of them), and /sitemap-stories.xml with STORIES recent stories, which are served. Each child
sitemap has an ETag and the index gives no lastmod, so a second crawl asks every child again,
conditionally (a 304). Sitemaps are made when asked, not held.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from crawler.demo_site import LocalSite, Resource
from tests.test_faults import LAUNCH

ROOT = Path(__file__).resolve().parent.parent

STORIES = 3
OLD, RECENT, SINCE = "2020-01-01", "2026-11-20", "2025-01-01"
_XMLNS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def _xml(text: str, etag: str | None = None) -> Resource:
    headers = {"Content-Type": "application/xml"} | ({"ETag": f'"{etag}"'} if etag else {})
    return Resource(text.encode(), headers=headers)


def _urlset(origin: str, paths, lastmod: str) -> str:
    entries = "".join(f"<url><loc>{origin}{p}</loc><lastmod>{lastmod}</lastmod></url>"
                      for p in paths)  # fmt: skip
    return f"<urlset {_XMLNS}>{entries}</urlset>"


def _story(n: int) -> Resource:
    text = "".join(
        f"<p>Story {n} paragraph {k}: the station's morning show talked about the weather, the"
        " traffic on the motorway and the concert planned for the weekend in the city park.</p>"
        for k in range(6)
    )
    return Resource(
        f"<html><head><title>Story {n}</title><meta property='og:type' content='article'>"
        f"</head><body><article><h1>Story {n}</h1>{text}</article></body></html>".encode()
    )


class BigSitemaps(dict):
    """The routes of the site: fixed ones, and child sitemaps made from their path."""

    def __init__(self, origin: str, sitemaps: int, urls: int):
        self.origin, self.sitemaps, self.urls = origin, sitemaps, urls
        children = [f"/sitemap-{i}.xml" for i in range(sitemaps)] + ["/sitemap-stories.xml"]
        index = "".join(f"<sitemap><loc>{origin}{p}</loc></sitemap>" for p in children)
        stories = [f"/news/recent-{n}/" for n in range(STORIES)]
        super().__init__(
            {
                "/robots.txt": Resource(
                    f"Sitemap: {origin}/sitemap-index.xml\n".encode(),
                    headers={"Content-Type": "text/plain"},
                ),
                "/": Resource(b"<html><body><h1>A radio station</h1></body></html>"),
                "/sitemap-index.xml": _xml(f"<sitemapindex {_XMLNS}>{index}</sitemapindex>"),
                "/sitemap-stories.xml": _xml(_urlset(origin, stories, RECENT), "stories"),
                **{path: _story(n) for n, path in enumerate(stories)},
            }
        )

    def get(self, path, default=None):
        number = path.removeprefix("/sitemap-").removesuffix(".xml")
        if path in self or not number.isdigit() or int(number) >= self.sitemaps:
            return super().get(path, default)
        paths = (f"/news/story-{number}-{k}/" for k in range(self.urls))
        return _xml(_urlset(self.origin, paths, OLD), f"s{number}")


def big_sitemap_site(sitemaps: int, urls: int) -> LocalSite:
    """The site, not started yet (use it as a context manager)."""
    site = LocalSite()
    site.routes = BigSitemaps(site.url, sitemaps, urls)
    return site


@dataclass
class Measured:
    """One crawl process: exit code, peak RSS (MiB), wall and CPU seconds, and its report."""

    code: int
    rss_mib: float
    wall: float
    cpu: float
    report: dict


def crawl_command(db: Path, site_url: str, report: Path, *settings: str) -> list[str]:
    """`radioscrape crawl --since SINCE` of the site into `db`, fast on 127.0.0.1."""
    return [sys.executable, "-m", "crawler.cli", "crawl", "--db", str(db), "--url",
            f"{site_url}/", "--since", SINCE, "--report", str(report),
            "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=0",
            *settings]  # fmt: skip


def measured_crawl(db: Path, site_url: str, report: Path, *settings: str) -> Measured:
    """The crawl of crawl_command, measured: its own peak RSS from the small launcher that
    forks it (a child of this process would start at this process's peak), CPU from wait4."""
    log, peak = report.with_suffix(".log"), report.with_suffix(".maxrss")
    started = time.perf_counter()
    with log.open("wb") as stderr:
        command = [sys.executable, "-c", LAUNCH, str(peak),
                   *crawl_command(db, site_url, report, *settings)]  # fmt: skip
        child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise RuntimeError(f"crawl exited {code}: {log.read_text()[-2000:]}")
    return Measured(code, int(peak.read_text()) / 1024, wall,
                    usage.ru_utime + usage.ru_stime, json.loads(report.read_text()))  # fmt: skip

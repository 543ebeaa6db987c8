"""Loose ends of the crawl's edges: a discovery page that redirects in a loop, a gzipped sitemap
past the download size cap, and `scrapy crawl station` under the store's lock.

Each test crawls a site on 127.0.0.1 (crawler.demo_site.LocalSite) in a child process.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

from crawler.demo_site import LocalSite, Resource
from crawler.lock import store_lock
from tests.conftest import FAST, ROOT
from tests.test_discovery_bounds import LABEL, STORIES, article, xml

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def urlset(origin: str) -> bytes:
    entries = "".join(f"<url><loc>{origin}{s.path}</loc></url>" for s in STORIES)
    return f'<urlset xmlns="{SITEMAP_NS}">{entries}</urlset>'.encode()


def site_naming(served: LocalSite, *sitemaps: str) -> None:
    """robots.txt names `sitemaps`; /stories.xml lists the stories."""
    lines = "".join(f"Sitemap: {served.url}{path}\n" for path in sitemaps)
    served.routes.update({
        "/robots.txt": Resource(lines.encode(), headers={"Content-Type": "text/plain"}),
        "/stories.xml": xml(urlset(served.url).decode()),
        "/": Resource(b"<html><body><h1>A radio station</h1></body></html>"),
        **{s.path: article(s) for s in STORIES},
    })  # fmt: skip


def test_a_discovery_page_that_redirects_in_a_loop_gets_a_report_line(crawl):
    with LocalSite() as served:
        site_naming(served, "/stories.xml", "/loop-a.xml")
        served.routes["/loop-a.xml"] = Resource(status=301, headers={"Location": "/loop-b.xml"})
        served.routes["/loop-b.xml"] = Resource(status=301, headers={"Location": "/loop-a.xml"})
        run = crawl("--url", f"{served.url}/")
    stats = run.report["stations"][LABEL]
    assert stats["discovery"]["errors"] == {"redirect-loop": 1}, run.stdout
    assert "redirect-loop 1" in run.stdout
    assert stats["new"] == len(STORIES)
    assert run.code == 1  # a document the site named failed: partial


def test_a_gzipped_sitemap_past_the_download_cap_is_refused(crawl):
    padding = "".join(f"<!-- {n:08d} -->" for n in range(20_000)).encode()  # 320 kB
    big = gzip.compress(urlset("http://127.0.0.1").replace(b"</urlset>", padding + b"</urlset>"))
    with LocalSite() as served:
        site_naming(served, "/stories.xml", "/big.xml.gz")
        served.routes["/big.xml.gz"] = Resource(big, headers={"Content-Type": "application/gzip"})
        small = crawl("--url", f"{served.url}/", "-s", "DOWNLOAD_MAXSIZE=1000000")
        capped = crawl("--url", f"{served.url}/", "-s", "DOWNLOAD_MAXSIZE=100000")
    assert len(big) < 100_000  # the download itself is under the cap; decompressed it is not
    assert small.report["stations"][LABEL]["discovery"]["errors"] == {}
    errors = capped.report["stations"][LABEL]["discovery"]["errors"]
    assert errors == {"too-large-sitemap": 1}, capped.stdout


def test_scrapy_crawl_station_takes_the_store_lock(tmp_path):
    db = tmp_path / "crawl.db"
    with LocalSite() as served:
        site_naming(served, "/stories.xml")
        command = [sys.executable, "-m", "scrapy", "crawl", "station", "-a", f"url={served.url}/",
                   "-s", f"RADIOSCRAPE_DB={db}", "-s", f"RADIOSCRAPE_REPORT={tmp_path / 'r.json'}",
                   *FAST, "-s", "LOG_LEVEL=WARNING"]  # fmt: skip
        with store_lock(str(db)):
            held = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=60)
        refused_requests = len(served.log)
        free = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert held.returncode == 3, held.stderr
    assert "not starting" in held.stderr
    assert refused_requests == 0
    assert free.returncode == 0, free.stderr
    assert json.loads((tmp_path / "r.json").read_text())["stations"][LABEL]["new"] == len(STORIES)

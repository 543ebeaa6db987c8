"""Discovery memory stays flat however many URLs a site's sitemaps list, end to end: a real
crawl process against a site on 127.0.0.1 (tests/bigsitemaps.py), its peak RSS measured."""

from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest

from tests.bigsitemaps import ROOT, STORIES, big_sitemap_site, crawl_command, measured_crawl

URLS = 5_000  # per child sitemap: the per-document working set is the same at both sizes


@pytest.mark.slow  # measured at scale: about 200,000 sitemap URLs read
def test_peak_memory_does_not_grow_with_the_urls_discovered(tmp_path):
    runs = {}
    for sitemaps in (4, 40):
        with big_sitemap_site(sitemaps, URLS) as site:
            db = tmp_path / f"{sitemaps}.db"
            runs[sitemaps] = measured_crawl(db, site.url, tmp_path / f"{sitemaps}-1.json")
            if sitemaps == 4:
                site.log.clear()
                again = measured_crawl(db, site.url, tmp_path / f"{sitemaps}-2.json")
                children = [r.status for r in site.log if r.path.startswith("/sitemap-")]
    for sitemaps, run in runs.items():
        stats = run.report["stations"]["127.0.0.1"]
        assert (stats["discovered"], stats["new"]) == (sitemaps * URLS + STORIES, STORIES)
    grown = runs[40].rss_mib - runs[4].rss_mib
    # 180,000 more URLs: 79 MiB more when each was held (0.45 kB); 10 MiB measured, most of
    # it the documents in flight (16 at a time, not 4)
    assert grown < 20, f"peak RSS {runs[4].rss_mib:.0f} -> {runs[40].rss_mib:.0f} MiB"
    # the second run asks every child sitemap conditionally, and each answers 304
    assert children == [200] + [304] * (4 + 1), children  # the index is asked in full
    assert again.report["stations"]["127.0.0.1"]["discovery"]["unchanged"] == {"not-modified": 5}


@pytest.mark.slow  # measured at scale: 240,000 sitemap URLs read
def test_reading_big_sitemaps_does_not_starve_the_downloads_in_flight(tmp_path):
    """12 sitemaps of 20,000 URLs asked at once, a 6 s download timeout: each takes most of a
    second of CPU to read, and while a row of them held the event loop the downloads still in
    flight timed out (9 of 50 sitemaps of 50,000 URLs at the default 30 s)."""
    with big_sitemap_site(12, 20_000) as site:
        run = measured_crawl(tmp_path / "crawl.db", site.url, tmp_path / "report.json",
                             "-s", "DOWNLOAD_TIMEOUT=6")  # fmt: skip
    stats = run.report["stations"]["127.0.0.1"]
    assert stats["discovery"]["errors"] == {}
    assert stats["discovered"] == 12 * 20_000 + STORIES


@pytest.mark.slow  # measured at scale: 20 sitemaps of 50,000 URLs downloaded
def test_sigterm_while_big_sitemaps_are_read_stops_within_10_seconds(tmp_path):
    """SIGTERM once the child sitemaps are downloaded and being read: the ones not read yet
    are left to the next run (it took 54 s: every downloaded sitemap was read first)."""
    report = tmp_path / "report.json"
    with big_sitemap_site(20, 50_000) as site:
        command = crawl_command(tmp_path / "crawl.db", site.url, report)
        child = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while (
            sum(r.status == 200 for r in site.log if r.path.removeprefix("/sitemap-")[:1].isdigit())
            < 12
        ):
            assert time.monotonic() < deadline and child.poll() is None, "no sitemap served"
            time.sleep(0.1)
        time.sleep(1)
        started = time.monotonic()
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=90)
        stopped = time.monotonic() - started
    assert stopped < 10
    discovery = json.loads(report.read_text())["stations"]["127.0.0.1"]["discovery"]
    assert discovery["cut"]["shutdown"] > 0

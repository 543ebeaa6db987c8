"""End to end: one crawl of a hostile site (tests/faultsite.py) on 127.0.0.1.

The site serves six good articles and one article URL per fault. The crawl runs once, in a
child process (`radioscrape crawl --station jacaranda --url <site>`); each test reads its JSON
report, the store, the server's request log or the child's peak memory. Whatever the faults,
the crawl finishes, the report names each one, the good articles are stored exactly once and
nothing a fault serves is stored.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from crawler.demo_site import LocalSite
from crawler.discovery import xml_fault
from crawler.middlewares import retry_after_seconds
from pipelines.core.urls import url_key
from pipelines.store import open_store
from tests.conftest import ROOT
from tests.faultsite import (
    CANONICAL,
    LAUGHS,
    SECTION,
    STORED_FAULTS,
    XXE,
    fault_routes,
    generate,
    good_text,
)

GOOD = generate(6, "good")
# Each fault, where the report names it: (report group, key, how many).
FAULTS = {
    "http-500": ("errors", "http-500", 1),
    "http-503": ("errors", "http-503", 1),
    "timeout": ("errors", "timeout", 2),  # with slow-drip: DOWNLOAD_TIMEOUT is the total time
    "slow-drip": ("errors", "timeout", 2),
    "reset-mid-body": ("errors", "data-loss", 1),
    "truncated-gzip": ("errors", "bad-compression", 1),
    "gzip-bomb": ("errors", "too-large", 3),  # with huge-page and huge-stream
    "huge-page": ("errors", "too-large", 3),
    "huge-stream": ("errors", "too-large", 3),
    "binary": ("dropped", "not-html", 1),
    "redirect-loop": ("errors", "redirect-loop", 1),
    "redirect-offsite": ("errors", "offsite-redirect", 1),
    "redirect-to-fetched": ("filtered", "redirect-duplicate", 1),  # a story fetched anyway
    "redirect-to-file": ("errors", "http-302", 1),  # not followed: only http(s) redirects are
    "empty": ("dropped", "empty", 1),
    "private-story": ("filtered", "robots", 1),
    "sitemap-laughs": ("discovery/errors", "entities-sitemap", 2),  # with sitemap-xxe
    "sitemap-xxe": ("discovery/errors", "entities-sitemap", 2),
    "malformed-rss": ("discovery/errors", "malformed-feed", 1),
    "sitemap-gzip-bomb": ("discovery/errors", "too-large-sitemap", 1),
    "sitemap-index-loop": ("discovery/filtered", "sitemap-loop", 1),
}
# This crawl peaked near 185 MB when story identity loaded datasketch and scipy (about 60 MB,
# no longer loaded); the 50 MB pages and the 200 MB gzip bomb, if buffered, would go far past this.
PEAK_RSS_MB = 250


@dataclass
class FaultCrawl:
    """What one crawl of the fault site left: exit code, report, records, request log, peak RSS."""

    code: int
    stderr: str
    report: dict[str, Any]
    records: dict[str, dict[str, Any]]
    versions: list[tuple[str, int]]
    paths: list[str]
    arrivals: dict[str, list[float]]
    peak_rss_mb: float


# A child of this test process has its peak RSS for a start: subprocess spawns with vfork, and
# exec records the parent's high-water mark as the child's ru_maxrss (in a full run that is
# past 350 MB). So a small launcher forks the measured process and takes its wait4 usage.
LAUNCH = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measured(args: list[str], log: Path, timeout: float = 120) -> tuple[int, float]:
    """Run a child process; return its exit code and its own peak RSS in MB (from wait4 in a
    small launcher that forked it, so neither this process nor another child counts)."""
    peak = log.with_suffix(".maxrss")
    with log.open("wb") as out:
        child = subprocess.Popen(
            [sys.executable, "-c", LAUNCH, str(peak), *args],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        watchdog = threading.Timer(timeout, os.killpg, (child.pid, signal.SIGKILL))
        watchdog.start()
        try:
            code = child.wait()
        finally:
            watchdog.cancel()
    return code, int(peak.read_text()) / 1024


@pytest.fixture(scope="module")
def fault_crawl(tmp_path_factory) -> FaultCrawl:
    tmp = tmp_path_factory.mktemp("faults")
    db, report, log = tmp / "faults.db", tmp / "report.json", tmp / "crawl.log"
    with LocalSite() as site:
        site.routes.update(fault_routes(site.url, GOOD))
        args = [sys.executable, "-m", "crawler.cli", "crawl", "--station", "jacaranda",
                "--url", f"{site.url}/", "--db", str(db), "--report", str(report),
                "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
                "-s", "DOWNLOAD_TIMEOUT=2", "-s", "RETRY_TIMES=1"]  # fmt: skip
        code, peak_rss_mb = run_measured(args, log)
        paths = site.paths_requested()
        arrivals = {}
        for request in site.log:
            arrivals.setdefault(request.path, []).append(request.at)
    with open_store(db) as store:
        records = {url_key(r["canonical_url"]): r for r in store.records()}
        versions = [
            (row["url_key"], row["version"])
            for row in store.conn.execute("SELECT url_key, version FROM article_versions")
        ]
    return FaultCrawl(
        code=code,
        stderr=log.read_text(errors="replace"),
        report=json.loads(report.read_text()),
        records=records,
        versions=versions,
        paths=paths,
        arrivals=arrivals,
        peak_rss_mb=peak_rss_mb,
    )


def test_the_crawl_finishes_and_reports_a_partial_run(fault_crawl):
    assert fault_crawl.report["finish_reason"] == "finished"
    assert (fault_crawl.code, fault_crawl.report["status"]) == (1, "partial")
    assert "Traceback" not in fault_crawl.stderr
    assert fault_crawl.report["elapsed_seconds"] < 30


def report_group(station: dict[str, Any], group: str) -> dict[str, int]:
    """A group of a station's report: 'errors', or 'discovery/errors' inside 'discovery'."""
    for part in group.split("/"):
        station = station[part]
    return station


@pytest.mark.parametrize(("group", "key", "count"), FAULTS.values(), ids=FAULTS.keys())
def test_the_report_names_the_fault(fault_crawl, group, key, count):
    assert report_group(fault_crawl.report["stations"]["jacaranda"], group).get(key) == count


def test_the_report_names_nothing_else(fault_crawl):
    station = fault_crawl.report["stations"]["jacaranda"]
    for group in ("errors", "dropped", "filtered", "discovery/errors", "discovery/filtered"):
        expected = {key: count for g, key, count in FAULTS.values() if g == group}
        assert report_group(station, group) == expected, group


def test_good_articles_are_stored_exactly_once(fault_crawl):
    wanted = {url_key(f"{CANONICAL}{a.path}") for a in GOOD}
    wanted |= {url_key(f"{CANONICAL}{SECTION}{slug}/") for slug in STORED_FAULTS}
    assert set(fault_crawl.records) == wanted
    assert sorted(fault_crawl.versions) == sorted((key, 1) for key in wanted)
    assert fault_crawl.report["stations"]["jacaranda"]["new"] == len(wanted)
    for article in GOOD:
        record = fault_crawl.records[url_key(f"{CANONICAL}{article.path}")]
        assert record["title"] == article.title


def test_nothing_a_fault_serves_is_stored(fault_crawl):
    texts = json.dumps(list(fault_crawl.records.values()), ensure_ascii=False)
    assert "Offsite story" not in texts  # the page behind the offsite redirect
    assert "root:" not in texts and "lollol" not in texts  # no entity was expanded
    assert "\x00" not in texts
    for record in fault_crawl.records.values():
        assert urlsplit(record["url"]).hostname == "127.0.0.1"


def test_wrong_and_missing_charsets_and_nul_bytes_read_correctly(fault_crawl):
    def stored(slug):
        return fault_crawl.records[url_key(f"{CANONICAL}{SECTION}{slug}/")]

    assert stored("wrong-charset")["title"] == "Beyoncé and Morné: “wrong charset”"
    assert stored("wrong-charset")["body"] == [good_text(1), good_text(2)]
    assert stored("no-charset")["title"] == "Chané’s no-charset café story"
    assert stored("nul-bytes")["body"] == [good_text(5), good_text(6)]


def test_robots_disallow_and_hostile_sitemaps_fetch_nothing_more(fault_crawl):
    assert f"{SECTION}private-story/" not in fault_crawl.paths
    assert "/elsewhere/offsite-story/" not in fault_crawl.paths
    assert not [p for p in fault_crawl.paths if "lol" in p or "passwd" in p or "root" in p]
    assert fault_crawl.paths.count("/sitemap.xml") == 1  # the index that lists itself


def test_peak_memory_stays_bounded(fault_crawl):
    assert fault_crawl.peak_rss_mb < PEAK_RSS_MB, fault_crawl.peak_rss_mb


def test_503_is_retried_after_its_retry_after(fault_crawl):
    first, retry = fault_crawl.arrivals[f"{SECTION}http-503/"]
    assert retry - first >= 0.9  # Retry-After: 1


@pytest.mark.parametrize(
    ("body", "fault"),
    [
        (LAUGHS.encode(), "entities"),
        (XXE.encode(), "entities"),
        (b"<rss><channel><item><link>http://a/</item></channel>", "malformed"),
        (b'<?xml version="1.0"?><urlset><url><loc>http://a/</loc></url></urlset>', None),
    ],
    ids=["billion-laughs", "external-entity", "malformed", "well-formed"],
)
def test_xml_fault_names_what_is_wrong(body, fault):
    assert xml_fault(body) == fault


def test_retry_after_takes_seconds_or_a_date():
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert retry_after_seconds(b"7") == 7
    assert retry_after_seconds(b"Tue, 24 Nov 2026 12:00:30 GMT", now) == 30
    assert retry_after_seconds(b"Tue, 24 Nov 2026 12:00:30 -0000", now) == 30  # a naive date
    assert retry_after_seconds(b"soon") is None and retry_after_seconds(None) is None

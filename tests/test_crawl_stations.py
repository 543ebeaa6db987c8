"""End to end: `scrapy crawl station` over local mirrors of every station that has fixtures.

The demo sites (crawler.demo_site) serve each station's fixtures on its own 127.0.0.1 port;
the crawl runs twice in a child process; the servers' request logs show what was fetched.
"""

from __future__ import annotations

import json
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from crawler.demo_site import demo_sites
from crawler.fixtures import all_fixtures
from pipelines.core.urls import url_key
from pipelines.store import open_store
from tests.conftest import ROOT

ARTICLES = [f for f in all_fixtures() if f.meta["station"] and "not_article" not in f.expected]
OTHERS = [f for f in all_fixtures() if f.meta["station"] and "not_article" in f.expected]
# On a mirror these two differ from the fixture by design: `url` is the 127.0.0.1 URL the
# page was fetched from (the fixture has the real one), `fetched_at` is this crawl's time.
MIRROR_FIELDS = {"url", "fetched_at"}
# What the second run asks follows from the sitemaps alone: no freshness re-checks (the
# frontier's are tested in tests/test_frontier_runs.py).
NO_RECHECKS = '{"fresh_days": 0}'


def scrapy_crawl(mirrors: dict, db, report) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "station",
         "-a", "mirrors=" + ",".join(f"{k}={s.url}/" for k, s in mirrors.items()),
         "-s", f"RADIOSCRAPE_DB={db}", "-s", f"RADIOSCRAPE_REPORT={report}",
         "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=WARNING",
         "-s", f"RADIOSCRAPE_RECRAWL={NO_RECHECKS}"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip


@pytest.fixture(scope="module")
def twice(tmp_path_factory):
    """Two crawls of all mirrors: (sites, db, reports, request paths of run 1 and run 2)."""
    tmp = tmp_path_factory.mktemp("stations")
    db = tmp / "radioscrape.db"
    with demo_sites() as sites:
        first = scrapy_crawl(sites, db, tmp / "r1.json")
        assert first.returncode == 0, first.stderr
        paths1 = {k: s.paths_requested() for k, s in sites.items()}
        second = scrapy_crawl(sites, db, tmp / "r2.json")
        assert second.returncode == 0, second.stderr
        paths2 = {k: s.paths_requested()[len(paths1[k]) :] for k, s in sites.items()}
    reports = [json.loads((tmp / n).read_text()) for n in ("r1.json", "r2.json")]
    return db, reports, paths1, paths2, first.stdout


def test_every_article_stored_once_and_equal_to_its_fixture(twice):
    db, reports, *_ = twice
    with open_store(db) as store:
        records = list(store.records())
    by_key = {url_key(r["canonical_url"]): r for r in records}
    assert len(records) == len(by_key) == len(ARTICLES)
    for fixture in ARTICLES:
        expected = fixture.expected
        record = by_key[url_key(expected["canonical_url"])]
        assert urlsplit(record["url"]).hostname == "127.0.0.1"
        differing = {k for k in expected if expected[k] != record[k]}
        assert differing <= MIRROR_FIELDS, (fixture.name, differing)
    assert reports[0]["totals"]["new"] == len(ARTICLES)
    assert reports[0]["exit_code"] == 0 and not reports[0]["totals"]["errors"]


def test_non_article_pages_are_not_fetched_or_stored(twice):
    db, _, paths1, _, _ = twice
    with open_store(db) as store:
        stored_paths = {urlsplit(r["url"]).path for r in store.records()}
    for fixture in OTHERS:
        parts = urlsplit(fixture.meta["url"])
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        assert path not in paths1[fixture.meta["station"]], fixture.name
        assert parts.path not in stored_paths


def test_second_run_fetches_discovery_pages_only(twice):
    _, reports, paths1, paths2, _ = twice
    article_paths = {urlsplit(f.meta["url"]).path for f in ARTICLES}
    assert any(p in article_paths for ps in paths1.values() for p in ps)
    fetched_again = [p for ps in paths2.values() for p in ps if p in article_paths]
    assert fetched_again == []
    assert all("/robots.txt" in ps for ps in paths2.values())
    totals = reports[1]["totals"]
    assert (totals["new"], totals["updated"], totals["unchanged"]) == (0, 0, len(ARTICLES))


def test_report_counts_per_station_and_clutter(twice):
    db, reports, _, _, stdout = twice
    jacaranda = reports[0]["stations"]["jacaranda"]
    expected_jacaranda = [f for f in ARTICLES if f.meta["station"] == "jacaranda"]
    assert jacaranda["new"] == len(expected_jacaranda)
    with open_store(db) as store:
        stored = list(store.records(station="jacaranda"))
    by_rule: dict[str, int] = {}
    for record in stored:
        for rule, count in record["clutter"].items():
            by_rule[rule] = by_rule.get(rule, 0) + count
    assert jacaranda["clutter"] == dict(sorted(by_rule.items())) != {}
    assert jacaranda["pages"] > len(expected_jacaranda)  # discovery pages count too
    assert "jacaranda" in stdout and "TOTAL" in stdout

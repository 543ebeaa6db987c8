"""Distributed crawling end to end: worker processes share one crawl through a real Redis and
one PostgreSQL store, crawling a generated 300-article station site on 127.0.0.1."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
import redis

from crawler.demo_site import LocalSite
from crawler.distributed import KEY_PREFIX, crawl_keys
from pipelines.store import open_store
from tests.conftest import FAST, ROOT
from tests.faultsite import generate, generated_routes
from tests.services import scaled_site
from tests.sites import assert_workers_add_up
from tests.test_hostile_workers import slow_articles

pytestmark = pytest.mark.services

ARTICLES = 300
LEASE = "3"  # seconds: a killed worker's requests are back in the queue soon after
KEYS = crawl_keys(KEY_PREFIX % {"spider": "station"})


@pytest.fixture(scope="module")
def site():
    with scaled_site(ARTICLES) as served:
        yield served


def article_paths(site) -> set[str]:
    """The article pages: the routes served with validators (crawler.demo_site.page_resource)."""
    return {path for path, resource in site.routes.items() if "ETag" in resource.headers}


def worker(pg_dsn: str, redis_url: str, site, report: Path, *extra: str) -> subprocess.Popen:
    """Start one `radioscrape crawl --redis` worker process."""
    args = [sys.executable, "-m", "crawler.cli", "crawl", "--db", pg_dsn, "--redis", redis_url,
            "--station", "jacaranda", "--url", f"{site.url}/", "--report", str(report), *FAST,
            "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", f"RADIOSCRAPE_REDIS_LEASE={LEASE}",
            *extra]  # fmt: skip
    return subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def finish(workers: list[subprocess.Popen]) -> list[int]:
    """Wait for the workers; their exit codes (stderr shown on failure)."""
    codes = []
    for child in workers:
        _, err = child.communicate(timeout=120)
        assert child.returncode in (0, -signal.SIGKILL), err.decode()[-3000:]
        codes.append(child.returncode)
    return codes


def fetched(site, since: int = 0) -> Counter:
    """How often each article path was requested since log entry `since`."""
    wanted = article_paths(site)
    return Counter(p for r in site.log[since:] if (p := urlsplit(r.path).path) in wanted)


def stored_once(pg_dsn: str) -> None:
    """Every article of the site is stored exactly once, in one version."""
    with open_store(pg_dsn) as store:
        records = list(store.records())
        assert len(records) == len({r["canonical_url"] for r in records}) == ARTICLES
    with psycopg.connect(pg_dsn) as conn:
        versions = conn.execute("SELECT COUNT(*), MAX(version) FROM article_versions").fetchone()
    assert versions == (ARTICLES, 1)


def test_three_workers_split_one_crawl(pg_dsn, redis_url, site, tmp_path):
    mark = len(site.log)
    reports = [tmp_path / f"worker-{n}.json" for n in range(3)]
    assert finish([worker(pg_dsn, redis_url, site, r) for r in reports]) == [0, 0, 0]
    counts = fetched(site, mark)
    assert set(counts) == article_paths(site) and set(counts.values()) == {1}
    discovery = Counter(urlsplit(r.path).path for r in site.log[mark:])
    for path in ("/sitemap.xml", "/sitemap-articles.xml", "/rss/", "/news/entertainment/"):
        assert discovery[path] == 1, path  # discovery happened once
    loaded = [json.loads(r.read_text()) for r in reports]
    assert_workers_add_up(loaded)
    figures = [r["totals"] for r in loaded]
    assert sum(f["new"] for f in figures) == ARTICLES
    assert sum(1 for f in figures if f["new"]) >= 2  # the work was shared
    stored_once(pg_dsn)
    assert redis.Redis.from_url(redis_url).keys("radioscrape:*") == []  # the last one cleaned

    mark = len(site.log)  # a second run: the shared store says nothing changed
    again = [tmp_path / f"again-{n}.json" for n in range(3)]
    assert finish([worker(pg_dsn, redis_url, site, r) for r in again]) == [0, 0, 0]
    paths = article_paths(site)
    rechecked = [r for r in site.log[mark:] if urlsplit(r.path).path in paths]
    assert all(r.status == 304 for r in rechecked)  # recent ones re-checked, none in full
    assert set(fetched(site, mark).values()) <= {1}
    assert_workers_add_up([json.loads(r.read_text()) for r in again])
    stored_once(pg_dsn)


def holding(client: redis.Redis, workers: list[subprocess.Popen], role: str) -> subprocess.Popen:
    """The worker whose id (host:pid:uuid) holds the leader key, or has requests in flight."""
    by_pid = {w.pid: w for w in workers}
    if role == "leader":
        ids = [client.get(KEYS["leader"]) or b""]
    else:
        ids = [k[len(KEYS["inflight:"]) :] for k in client.scan_iter(KEYS["inflight:"] + "*")]
        ids = [i for i in ids if client.hlen(KEYS["inflight:"].encode() + i)]
    pids = [int(i.decode().rsplit(":", 2)[1]) for i in ids if i]
    return next((by_pid[pid] for pid in pids if pid in by_pid), None)


def test_killed_worker_loses_nothing(pg_dsn, redis_url, site, tmp_path):
    for path in article_paths(site):
        site.routes[path].delay = 0.05
    client = redis.Redis.from_url(redis_url)
    mark = len(site.log)
    workers = [worker(pg_dsn, redis_url, site, tmp_path / f"w{n}.json",
                      "-s", "CONCURRENT_REQUESTS=4") for n in range(3)]  # fmt: skip
    try:
        victim = None
        deadline = time.monotonic() + 60
        while victim is None and time.monotonic() < deadline:
            time.sleep(0.05)
            if sum(fetched(site, mark).values()) >= ARTICLES // 4:
                victim = holding(client, workers, "inflight")
        assert victim is not None, "no worker had requests in flight"
        victim.send_signal(signal.SIGKILL)
        codes = finish(workers)
    finally:
        for path in article_paths(site):
            site.routes[path].delay = 0
    assert sorted(codes) == [-signal.SIGKILL, 0, 0]
    counts = fetched(site, mark)
    assert set(counts) == article_paths(site)
    assert ARTICLES < sum(counts.values()) <= ARTICLES + 16  # the victim's leases, done again
    stored_once(pg_dsn)
    assert client.keys("radioscrape:*") == []


def test_dead_leaders_discovery_is_taken_over(pg_dsn, redis_url, site, tmp_path):
    sitemap = site.routes["/sitemap-articles.xml"]
    sitemap.delay = 2.0
    client = redis.Redis.from_url(redis_url)
    mark = len(site.log)
    workers = [worker(pg_dsn, redis_url, site, tmp_path / f"w{n}.json") for n in range(3)]
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(
            r.path == "/sitemap-articles.xml" for r in site.log[mark:]
        ):
            time.sleep(0.05)
        leader = holding(client, workers, "leader")
        assert leader is not None, "no worker leads discovery"
        leader.send_signal(signal.SIGKILL)
        codes = finish(workers)
    finally:
        sitemap.delay = 0
    assert sorted(codes) == [-signal.SIGKILL, 0, 0]
    counts = fetched(site, mark)
    assert set(counts) == article_paths(site) and set(counts.values()) == {1}
    stored_once(pg_dsn)


def test_keys_left_by_dead_workers_do_not_stop_the_next_crawl(pg_dsn, redis_url, site, tmp_path):
    client = redis.Redis.from_url(redis_url)
    client.set(KEYS["discovered"], 1)  # a finished crawl whose last worker died before cleaning
    client.zadd(KEYS["workers"], {"ghost:1:dead": 0})
    mark = len(site.log)
    assert finish([worker(pg_dsn, redis_url, site, tmp_path / "w.json")]) == [0]
    assert set(fetched(site, mark)) == article_paths(site)
    stored_once(pg_dsn)


def test_a_worker_busy_cleaning_keeps_its_leases(pg_dsn, redis_url, tmp_path):
    """Cleaning a page holds a worker's reactor (8,000 paragraphs: about half a second of CPU,
    more by the clock on a loaded machine), here for longer than a lease of 0.25 s: its
    heartbeats go on all the same, so no other worker takes its requests or its discovery over,
    and each page is fetched once."""
    articles = [*generate(4, "quick"), *slow_articles(4)]
    with LocalSite() as site:
        site.routes.update(generated_routes(site.url, articles))
        workers = [worker(pg_dsn, redis_url, site, tmp_path / f"w{n}.json",
                          "-s", "RADIOSCRAPE_REDIS_LEASE=0.25") for n in range(2)]  # fmt: skip
        assert finish(workers) == [0, 0]
        requested = Counter(urlsplit(r.path).path for r in site.log)
    assert {a.path: requested[a.path] for a in articles} == {a.path: 1 for a in articles}
    assert requested["/sitemap.xml"] == 1  # discovery happened once
    with open_store(pg_dsn) as store:
        assert len(list(store.records())) == len(articles)

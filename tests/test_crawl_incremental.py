"""End to end: incremental re-runs, new versions, --since/--limit, failures, lock, resume.

Each test crawls a local mirror of Jacaranda FM (crawler.demo_site, served from the fixtures)
with `radioscrape crawl --station jacaranda --url <mirror>` in a child process, and reads the
server's request log and the store.
"""

from __future__ import annotations

import contextlib
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from urllib.parse import urlsplit

import pytest

from crawler.demo_site import Resource, demo_sites, page_resource
from crawler.fixtures import all_fixtures
from crawler.lock import store_lock
from pipelines.core.fetch import DISCOVERY
from pipelines.store import open_store
from tests.conftest import FAST, ROOT, edited_lastmod

FIXTURES = [f for f in all_fixtures("jacaranda") if "not_article" not in f.expected]
PATHS = {urlsplit(f.meta["url"]).path: f for f in FIXTURES}
# the fetched pages' states (the discovery documents have theirs too: crawler/frontier.py)
ARTICLE_STATES = f"SELECT url FROM fetch_state WHERE kind != '{DISCOVERY}'"
THANDI = "/news/entertainment/thandi-mokoena-homecoming-tour-dates/"
MOVED = "/news/entertainment/thandi-tour-dates-moved/"


def lastmod(fixture) -> str:
    return fixture.expected["updated"] or fixture.expected["published"]


@pytest.fixture
def site():
    with demo_sites(["jacaranda"]) as sites:
        yield sites["jacaranda"]


def crawl_args(site) -> tuple[str, ...]:
    """The mirror, with no freshness re-checks (tests/test_frontier_runs.py has those): what
    is requested here follows from the sitemap alone."""
    no_rechecks = '{"fresh_days": 0}'
    return ("--station", "jacaranda", "--url", f"{site.url}/",
            "-s", f"RADIOSCRAPE_RECRAWL={no_rechecks}")  # fmt: skip


def articles_requested(site, since: int = 0) -> list:
    return [r for r in site.log[since:] if urlsplit(r.path).path in PATHS]


def edit_sitemap(site, pattern: str, replacement: str) -> None:
    """Edit the articles' sitemap, and its lastmod in the index as a site does."""
    resource = site.routes["/sitemap-articles.xml"]
    resource.body = re.sub(pattern, replacement, resource.body.decode()).encode()
    newest = max(re.findall(r"<lastmod>([^<]+)</lastmod>", resource.body.decode()), default="")
    index = next(r for r in site.routes.values() if b"<sitemapindex" in r.body)
    index.body = re.sub(rb"<lastmod>[^<]*</lastmod>", f"<lastmod>{newest}</lastmod>".encode(),
                        index.body)  # fmt: skip


def test_edited_article_becomes_a_new_version(site, crawl):
    first = crawl(*crawl_args(site))
    assert first.code == 0 and first.report["totals"]["new"] == len(FIXTURES)
    old = site.routes[THANDI]
    body = old.body.replace(b"five-city South African tour", b"six-city South African tour")
    lastmod = edited_lastmod()
    site.routes[THANDI] = page_resource(body, old.headers["Content-Type"], lastmod)
    edit_sitemap(site, rf"({re.escape(THANDI)}</loc><lastmod>)[^<]+", rf"\g<1>{lastmod}")
    mark = len(site.log)
    second = crawl(*crawl_args(site))
    assert second.code == 0
    stats = second.report["stations"]["jacaranda"]
    assert (stats["new"], stats["updated"], stats["unchanged"]) == (0, 1, len(FIXTURES) - 1)
    assert [urlsplit(r.path).path for r in articles_requested(site, mark)] == [THANDI]
    with open_store(crawl.db) as store:
        versions = store.versions("https://www.jacarandafm.com" + THANDI)
        latest = [r for r in store.records() if r["canonical_url"].endswith(THANDI)]
    assert [v["body"][0][:37] for v in versions] == [
        "Thandi Mokoena has confirmed a five-c",
        "Thandi Mokoena has confirmed a six-ci",
    ]
    assert latest[0]["body"] == versions[1]["body"]


@pytest.mark.parametrize("validators", [True, False], ids=["etag", "no-validators"])
def test_undated_sources_use_conditional_requests_or_content_hash(site, crawl, validators):
    edit_sitemap(site, r"<lastmod>[^<]+</lastmod>", "")
    site.routes.pop("/rss/")
    if not validators:
        for path in PATHS:
            site.routes[path] = Resource(site.routes[path].body)
    assert crawl(*crawl_args(site)).report["totals"]["new"] == len(FIXTURES)
    mark = len(site.log)
    every_one_fresh = '{"fresh_days": 100000}'  # undated: re-checked when fresh or due
    second = crawl(*crawl_args(site), "-s", "RADIOSCRAPE_MAX_SECTION_PAGES=0",
                   "-s", f"RADIOSCRAPE_RECRAWL={every_one_fresh}")  # fmt: skip
    totals = second.report["totals"]
    assert (totals["new"], totals["updated"], totals["unchanged"]) == (0, 0, len(FIXTURES))
    again = articles_requested(site, mark)
    assert len(again) == len(FIXTURES)
    assert all(("if-none-match" in r.headers) == validators for r in again)
    assert second.code == 1  # the feed is gone: reported as an error, the rest still ran
    assert second.report["totals"]["errors"] == {}  # every article was fetched
    assert second.report["totals"]["discovery"]["errors"] == {"http-404": 1}


def test_articles_queued_a_few_at_a_time_are_all_fetched_once(site, crawl):
    batch = ("-s", "RADIOSCRAPE_SCHEDULE_BATCH=2")
    first = crawl(*crawl_args(site), *batch)
    assert first.code == 0 and first.report["totals"]["new"] == len(FIXTURES) > 4
    fetched = [urlsplit(r.path).path for r in articles_requested(site)]
    assert sorted(fetched) == sorted(PATHS)  # each article once, none left in the queue
    edit_sitemap(site, rf"({re.escape(THANDI)}</loc><lastmod>)[^<]+", rf"\g<1>{edited_lastmod()}")
    mark = len(site.log)
    second = crawl(*crawl_args(site), *batch)
    stats = second.report["stations"]["jacaranda"]
    assert (stats["new"], stats["unchanged"]) == (0, len(FIXTURES))  # fetch states by chunk
    assert [urlsplit(r.path).path for r in articles_requested(site, mark)] == [THANDI]


def test_limit_fetches_only_the_newest_articles(site, crawl):
    run = crawl(*crawl_args(site), "--limit", "2")
    newest = sorted(FIXTURES, key=lastmod, reverse=True)[:2]
    fetched = {urlsplit(r.path).path for r in articles_requested(site)}
    assert fetched == {urlsplit(f.meta["url"]).path for f in newest}
    stats = run.report["stations"]["jacaranda"]
    assert stats["new"] == 2 and stats["filtered"] == {"limit": len(FIXTURES) - 2}


def test_since_filters_before_download(site, crawl):
    since = "2026-01-01"
    run = crawl(*crawl_args(site), "--since", since)
    recent = {
        urlsplit(f.meta["url"]).path
        for f in FIXTURES
        if datetime.fromisoformat(lastmod(f)) >= datetime.fromisoformat(since + "T00:00:00+00:00")
    }
    assert 0 < len(recent) < len(FIXTURES)
    assert {urlsplit(r.path).path for r in articles_requested(site)} == recent
    assert run.report["totals"]["new"] == len(recent)


def test_failures_and_redirects_are_handled_and_reported(site, crawl):
    extra = {
        "/news/entertainment/missing-story/": None,
        "/news/entertainment/broken-story/": Resource(b"oops", status=500),
        "/news/entertainment/slow-story/": Resource(b"<p>late</p>", delay=5),
        "/news/entertainment/old-thandi-url/": Resource(status=301, headers={"Location": MOVED}),
    }
    site.routes[MOVED] = Resource(site.routes[THANDI].body)  # the same story, a second URL
    site.routes[THANDI].delay = 0.3  # slow, but well within the timeout
    for path, resource in extra.items():
        if resource:
            site.routes[path] = resource
    entries = "".join(f"<url><loc>{site.url}{p}</loc></url>" for p in extra)
    edit_sitemap(site, "</urlset>", entries + "</urlset>")
    run = crawl(*crawl_args(site), "-s", "DOWNLOAD_TIMEOUT=3")
    assert run.code == 1, run.stderr
    stats = run.report["stations"]["jacaranda"]
    assert stats["errors"] == {"http-404": 1, "http-500": 1, "timeout": 1}
    assert stats["redirects"] == 1
    assert stats["new"] == len(FIXTURES)
    assert stats["dropped"] == {"duplicate": 1}  # the redirect leads to a story stored already
    assert run.report["status"] == "partial"


def test_lock_refuses_a_second_run(site, crawl):
    with store_lock(str(crawl.db)):
        run = crawl(*crawl_args(site))
    assert run.code == 3
    assert "not starting" in run.stderr
    assert site.log == []


def test_killed_crawl_resumes_where_it_stopped(site, tmp_path):
    for path in PATHS:
        site.routes[path].delay = 0.4
    db = tmp_path / "resume.db"
    args = [sys.executable, "-m", "crawler.cli", "crawl", "--db", str(db), *FAST,
            "-s", "CONCURRENT_REQUESTS=1", *crawl_args(site)]  # fmt: skip
    child = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    done = 0
    while done < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
        if db.exists():
            # the schema may not exist yet
            with contextlib.suppress(sqlite3.OperationalError), sqlite3.connect(db) as conn:
                done = len(conn.execute(ARTICLE_STATES).fetchall())
    child.send_signal(signal.SIGKILL)
    child.wait()
    with sqlite3.connect(db) as conn:
        fetched = {urlsplit(u).path for (u,) in conn.execute(ARTICLE_STATES)}
    assert 3 <= len(fetched) < len(FIXTURES)
    mark = len(site.log)
    for path in PATHS:
        site.routes[path].delay = 0
    resumed = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    again = {urlsplit(r.path).path for r in articles_requested(site, mark)}
    assert again == set(PATHS) - fetched
    with open_store(db) as store:
        assert len(list(store.records())) == len(FIXTURES)

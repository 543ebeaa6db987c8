"""Nothing a sitemap listed is lost when a run does not fetch all of it (issue 12): a run cut
short by --limit, SIGTERM or kill -9 leaves its sitemap to be read in full next run (a 304
would hide the URLs never fetched); a run that took them all keeps it conditional.

The site, on 127.0.0.1: robots.txt names a sitemap (with an ETag: it answers 304 to a
conditional request) of dated stories; the home page links none of them.
"""

from __future__ import annotations

import contextlib
import hashlib
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from html import escape

import pytest

from crawler.demo_site import LocalSite, Resource
from pipelines.core.fetch import DISCOVERY
from pipelines.store import open_store
from tests.conftest import FAST, ROOT
from tests.faultsite import paragraphs

START = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
STORIES = {f"/news/story-{n}/": START + timedelta(days=n) for n in range(6)}  # newest last
NO_RECHECKS = ("-s", 'RADIOSCRAPE_RECRAWL={"fresh_days": 0}')
ARTICLE_STATES = f"SELECT url FROM fetch_state WHERE kind != '{DISCOVERY}'"


def etagged(body: bytes, content_type: str) -> Resource:
    etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
    return Resource(body, headers={"Content-Type": content_type, "ETag": etag})


def story(path: str, published: datetime) -> Resource:
    number = sum(map(ord, path))
    paras = "".join(
        f"<p>{escape(paragraphs()[(number + k) % len(paragraphs())])}</p>" for k in range(5)
    )
    title = path.strip("/").split("/")[-1].replace("-", " ").title()
    return etagged(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="og:type" content="article">'
        f'<meta property="article:published_time" content="{published.isoformat()}">'
        f"</head><body><article><h1>{title}</h1>{paras}</article></body></html>".encode(),
        "text/html; charset=utf-8",
    )


@pytest.fixture
def site():
    with LocalSite() as served:
        origin = served.url
        entries = "".join(
            f"<url><loc>{origin}{p}</loc><lastmod>{d.isoformat()}</lastmod></url>"
            for p, d in STORIES.items()
        )
        ns = "http://www.sitemaps.org/schemas/sitemap/0.9"
        served.routes.update({
            "/robots.txt": Resource(f"Sitemap: {origin}/sitemap.xml\n".encode(),
                                    headers={"Content-Type": "text/plain"}),
            "/sitemap.xml": etagged(f'<urlset xmlns="{ns}">{entries}</urlset>'.encode(),
                                    "application/xml"),
            "/": etagged(b"<html><body><h1>Radio</h1></body></html>", "text/html"),
            **{path: story(path, published) for path, published in STORIES.items()},
        })  # fmt: skip
        yield served


def stories_asked(site, since: int) -> set[str]:
    return {r.path for r in site.log[since:] if r.path in STORIES}


def sitemap_answers(site, since: int) -> list[int]:
    return [r.status for r in site.log[since:] if r.path == "/sitemap.xml"]


def finish_and_check(crawl, site, first: set[str]) -> None:
    """The next run fetches every story the first one did not; the one after, which follows
    a run that took every URL, gets a 304 for the sitemap and fetches nothing."""
    assert first and first < set(STORIES), first
    mark = len(site.log)
    second = crawl("--url", f"{site.url}/", *NO_RECHECKS)
    assert second.code == 0, second.stderr
    assert stories_asked(site, mark) == set(STORIES) - first
    assert sitemap_answers(site, mark) == [200]
    mark = len(site.log)
    third = crawl("--url", f"{site.url}/", *NO_RECHECKS)
    assert third.code == 0, third.stderr
    assert sitemap_answers(site, mark) == [304]
    assert stories_asked(site, mark) == set()


def test_stories_a_limited_run_left_are_fetched_next_run(site, crawl):
    mark = len(site.log)
    first = crawl("--url", f"{site.url}/", *NO_RECHECKS, "--limit", "2")
    assert first.code == 0, first.stderr
    fetched = stories_asked(site, mark)
    assert fetched == set(list(STORIES)[-2:])  # the 2 newest
    finish_and_check(crawl, site, fetched)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_stories_a_stopped_run_left_are_fetched_next_run(site, crawl, sig):
    for path in STORIES:
        site.routes[path].delay = 0.4
    args = [sys.executable, "-m", "crawler.cli", "crawl", "--db", str(crawl.db), *FAST,
            "-s", "CONCURRENT_REQUESTS=1", "--url", f"{site.url}/", *NO_RECHECKS]  # fmt: skip
    child = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline, done = time.monotonic() + 60, 0
    while done < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
        if crawl.db.exists():  # the schema may not exist yet
            with contextlib.suppress(sqlite3.OperationalError), sqlite3.connect(crawl.db) as conn:
                done = len(conn.execute(ARTICLE_STATES).fetchall())
    child.send_signal(sig)
    child.wait(timeout=30)
    with sqlite3.connect(crawl.db) as conn:
        stored = {u.removeprefix(site.url) for (u,) in conn.execute(ARTICLE_STATES)}
    for path in STORIES:
        site.routes[path].delay = 0
    finish_and_check(crawl, site, stored)


def test_a_story_the_store_could_not_keep_is_fetched_next_run(site, crawl):
    with open_store(str(crawl.db)):  # the schema, for the trigger that refuses one story
        pass
    with sqlite3.connect(crawl.db) as conn:
        conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON articles WHEN NEW.url LIKE '%/story-2/'"
            " BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
        )
    first = crawl("--url", f"{site.url}/", *NO_RECHECKS)
    assert first.code == 1, first.stderr  # partial: one record not stored
    assert first.report["stations"]["127.0.0.1"]["errors"] == {"store": 1}
    with sqlite3.connect(crawl.db) as conn:
        conn.execute("DROP TRIGGER refuse")
        stored = {u.removeprefix(site.url) for (u,) in conn.execute(ARTICLE_STATES)}
    assert stored == set(STORIES) - {"/news/story-2/"}  # no fetch state: not handled
    finish_and_check(crawl, site, stored)

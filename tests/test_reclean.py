"""`radioscrape reclean`: records rebuilt from the stored pages with the current cleaner, a new
version (reason 'recleaned') only where the record changed; on SQLite files and PostgreSQL, and
end to end after a crawl of a local station site."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import datetime

import pytest

from crawler.demo_site import demo_sites
from crawler.fixtures import all_fixtures
from crawler.reclean import CANONICAL_CHANGED, STALE_PAGE, reclean
from pipelines.clean import clean_page
from pipelines.core.urls import url_key
from pipelines.store import open_store
from pipelines.store.base import RECLEANED
from tests.conftest import run_cli

ARTICLES = {
    station: [f for f in all_fixtures(station) if "not_article" not in f.expected][:3]
    for station in ("jacaranda", "heart")
}
PROMO = "Download the Jacaranda FM app and never miss a show."  # what an older cleaner kept


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.services)])
def target(request, tmp_path) -> str:
    """Where a store lives: a SQLite path, or the DSN of a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "reclean.db")
    return request.getfixturevalue("pg_dsn")


def stored(target: str) -> dict[str, object]:
    """A store holding each fixture article as the current cleaner makes it, with its page:
    {canonical_url: record}."""
    records = {}
    with open_store(target) as store:
        for fixtures in ARTICLES.values():
            for fixture in fixtures:
                page = fixture.page()
                record = clean_page(page)
                store.save_record(record)
                store.save_page(url_key(record.canonical_url), page)
                records[record.canonical_url] = record
    return records


def older_cleaner(record):
    """The record as a worse cleaner made it: a promo line in the body, no author."""
    body = [*record.body, PROMO]
    return replace(record, body=body, author=None, content_hash=f"old-{record.content_hash}")


def test_an_unchanged_cleaner_writes_nothing(target):
    records = stored(target)
    with open_store(target) as store:
        summary = reclean(store)
        assert (summary.pages, summary.recleaned, summary.unchanged) == (6, [], 6)
        assert all(len(store.versions(url)) == 1 for url in records)


def test_records_an_older_cleaner_made_are_rebuilt_once(target):
    records = stored(target)
    url, record = next(iter(records.items()))
    with open_store(target) as store:
        store.save_record(older_cleaner(record))  # as if the last crawl's cleaner made it
        summary = reclean(store)
        assert (summary.recleaned, summary.unchanged) == ([url], 5)
        assert store.version_reasons(url) == ["fetched", "fetched", RECLEANED]
        latest = store.versions(url)[-1]
        assert PROMO not in latest["body"] and latest == record.to_dict()
        assert reclean(store).recleaned == []  # idempotent


def test_station_and_since_choose_the_pages(target):
    records = stored(target)
    with open_store(target) as store:
        for record in records.values():
            store.save_record(older_cleaner(record))
        heart = reclean(store, station="heart")
        assert heart.pages == 3 and all("heart" in url for url in heart.recleaned)
        assert len(heart.recleaned) == 3
        future = reclean(store, since=datetime(2100, 1, 1))
        assert (future.pages, future.recleaned) == (0, [])
        rest = reclean(store)
        assert (len(rest.recleaned), rest.unchanged) == (3, 3)


def test_a_page_the_cleaner_now_refuses_leaves_the_record(target):
    records = stored(target)
    url, record = next(iter(records.items()))
    fixture = ARTICLES["jacaranda"][0]
    other = ARTICLES["jacaranda"][1].page()
    with open_store(target) as store:
        store.save_record(older_cleaner(record))
        key = url_key(url)
        store.save_page(key, replace(fixture.page(), body=b"<html><body></body></html>"))
        refused = reclean(store)
        store.save_page(key, replace(other, url=fixture.meta["url"]))  # names another story
        moved = reclean(store)
        assert refused.recleaned == [] and moved.recleaned == []
        assert sum(refused.kept.values()) == 1 and moved.kept == {CANONICAL_CHANGED: 1}
        assert store.version_reasons(url) == ["fetched", "fetched"]


def test_a_page_older_than_the_latest_version_never_undoes_it(target):
    records = stored(target)
    url, record = next(iter(records.items()))
    with open_store(target) as store:  # fetched again later with pages no longer kept
        store.save_record(replace(older_cleaner(record), fetched_at="2100-01-01T00:00:00+00:00"))
        summary = reclean(store)
        assert summary.recleaned == [] and summary.kept == {STALE_PAGE: 1}
        assert store.version_reasons(url) == ["fetched", "fetched"]


@pytest.fixture
def site():
    with demo_sites(["jacaranda"]) as sites:
        yield sites["jacaranda"]


def test_a_crawl_keeps_each_stored_article_page_and_reclean_uses_them(site, crawl):
    run = crawl("--station", "jacaranda", "--url", f"{site.url}/")
    assert run.code == 0
    conn = sqlite3.connect(crawl.db)
    conn.row_factory = sqlite3.Row
    articles = conn.execute("SELECT url_key, url, fetched_at FROM articles").fetchall()
    pages = {row["url_key"]: row for row in conn.execute("SELECT * FROM pages")}
    conn.close()
    assert len(articles) == run.report["totals"]["new"] > 0
    assert set(pages) == {row["url_key"] for row in articles}
    served = {f"{site.url}{path}": resource for path, resource in site.routes.items()}
    with open_store(crawl.db) as store:
        kept = {page.url: page for _, page, _ in store.stored_pages()}
    for row in articles:
        page = kept[row["url"]]
        assert page.body == served[row["url"]].body  # the bytes as served
        assert page.fetched_at == row["fetched_at"] and page.station == "jacaranda"
        assert page.headers["content-type"] == served[row["url"]].headers["Content-Type"]

    same = run_cli("reclean", "--db", str(crawl.db))
    assert same.code == 0 and same.stdout == ""
    assert f"{len(articles)} stored pages: 0 recleaned, {len(articles)} unchanged" in same.stderr

    with open_store(crawl.db) as store:
        record = next(r for r in store.records())
        url = record["canonical_url"]
        old = replace(
            clean_page(kept[record["url"]]), body=[*record["body"], PROMO], content_hash="old"
        )
        store.save_record(old)
    other = run_cli("reclean", "--db", str(crawl.db), "--station", "kfm")
    assert other.code == 0 and "0 stored pages" in other.stderr
    done = run_cli("reclean", "--db", str(crawl.db), "--station", "jacaranda")
    assert done.code == 0 and done.stdout == f"recleaned {url}\n"
    shown = run_cli("show", url, "--db", str(crawl.db), "--versions")
    assert (
        "== version 3 (fetched " in shown.stdout
        and ", reason: recleaned): changes ==" in shown.stdout
    )
    assert f"-{PROMO}" in shown.stdout
    as_json = json.loads(
        run_cli("show", url, "--db", str(crawl.db), "--versions", "-f", "json").stdout
    )
    assert [v["reason"] for v in as_json] == ["fetched", "fetched", "recleaned"]


def test_keeping_pages_can_be_switched_off(site, crawl):
    run = crawl("--station", "jacaranda", "--url", f"{site.url}/", "-s", "RADIOSCRAPE_KEEP_PAGES=0")
    assert run.code == 0 and run.report["totals"]["new"] > 0
    with open_store(crawl.db) as store:
        assert list(store.stored_pages()) == []
    nothing = run_cli("reclean", "--db", str(crawl.db))
    assert nothing.code == 0 and "0 stored pages" in nothing.stderr


def test_reclean_without_a_store_is_a_usage_error(tmp_path):
    missing = run_cli("reclean", "--db", str(tmp_path / "none.db"))
    assert missing.code == 2 and "no store at" in missing.stderr


@pytest.mark.services
def test_reclean_command_on_postgres(pg_dsn):
    records = stored(pg_dsn)
    url, record = next(iter(records.items()))
    with open_store(pg_dsn) as store:
        store.save_record(older_cleaner(record))
    done = run_cli("reclean", "--db", pg_dsn, "--since", "2000-01-01")
    assert done.code == 0 and done.stdout == f"recleaned {url}\n"
    assert "6 stored pages: 1 recleaned, 5 unchanged" in done.stderr
    with open_store(pg_dsn) as store:
        assert store.version_reasons(url) == ["fetched", "fetched", RECLEANED]

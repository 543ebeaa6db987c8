"""Stored pages (pipelines/store/pages.py) on SQLite and PostgreSQL: each article's fetched page
kept compressed with its headers and fetch time, version reasons, and the migration of a store
from before pages."""

from __future__ import annotations

import sqlite3
import zlib
from dataclasses import replace

import pytest

from crawler.fixtures import all_fixtures
from pipelines.clean import clean_page
from pipelines.core.items import Page
from pipelines.core.urls import url_key
from pipelines.store import open_store
from pipelines.store.base import NEW, RECLEANED, UNCHANGED, UPDATED
from pipelines.store.schema import MIGRATIONS, PAGES
from pipelines.store.sqlite import SQLiteStore
from tests.old_stores import postgres_store_at, sqlite_store_at

FIXTURE = next(f for f in all_fixtures("jacaranda") if "not_article" not in f.expected)
BEFORE_PAGES = next(n for n, m in enumerate(MIGRATIONS) if PAGES in m)  # the last version without
HEADERS = {"content-type": "text/html; charset=utf-8", "etag": '"v1"'}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.services)])
def target(request, tmp_path) -> str:
    """Where a store lives: a SQLite path, or the DSN of a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "pages.db")
    return request.getfixturevalue("pg_dsn")


def fetched_page() -> Page:
    return replace(FIXTURE.page(), headers=HEADERS, request_url=FIXTURE.meta["url"] + "?utm=x")


def test_a_page_round_trips_compressed(target):
    page = fetched_page()
    record = clean_page(page)
    with open_store(target) as store:
        assert store.save_record(record) == NEW
        store.save_page(url_key(record.canonical_url), page)
        stored = list(store.stored_pages())
        size = store.conn.execute("SELECT LENGTH(html) AS n FROM pages").fetchone()["n"]
    assert [(key, kept) for key, kept, _ in stored] == [(url_key(record.canonical_url), page)]
    assert stored[0][2] == record.to_dict()  # the latest version's record comes along
    assert size < len(page.body) / 2  # compressed


def test_pages_are_kept_with_zstd_and_a_page_kept_with_zlib_before_still_reads(target):
    page = fetched_page()
    record = clean_page(page)
    key = url_key(record.canonical_url)
    with open_store(target) as store:
        store.save_record(record)
        store.save_page(key, page)
        html = bytes(store.conn.execute("SELECT html FROM pages").fetchone()["html"])
        assert html.startswith(b"\x28\xb5\x2f\xfd")  # a zstd frame
        with store.transaction() as conn:  # as an older radioscrape kept it
            conn.execute(f"UPDATE pages SET html = {store.mark}", (zlib.compress(page.body, 1),))
        assert [kept for _, kept, _ in store.stored_pages()] == [page]


def test_a_page_fetched_again_replaces_the_one_kept(target):
    page = fetched_page()
    record = clean_page(page)
    later = replace(page, body=page.body + b"<!-- v2 -->", fetched_at="2026-12-01T00:00:00+00:00")
    with open_store(target) as store:
        store.save_record(record)
        store.save_page(url_key(record.canonical_url), page)
        store.save_page(url_key(record.canonical_url), later)
        assert [kept for _, kept, _ in store.stored_pages()] == [later]


def test_a_recleaned_version_is_written_even_when_the_text_is_the_same(target):
    record = clean_page(fetched_page())
    new_author = replace(record, author="Someone Else")  # same title and body: same hash
    with open_store(target) as store:
        assert store.save_record(record) == NEW
        assert store.save_record(new_author) == UNCHANGED  # a crawl compares the text only
        assert store.save_record(new_author, reason=RECLEANED) == UPDATED
        assert store.version_reasons(record.canonical_url) == ["fetched", "recleaned"]
        assert [v["author"] for v in store.versions(record.canonical_url)] == [
            record.author,
            "Someone Else",
        ]


def test_a_store_from_before_pages_is_migrated(tmp_path):
    path = tmp_path / "old.db"
    sqlite_store_at(path, BEFORE_PAGES)
    conn = sqlite3.connect(path, isolation_level=None)
    key = url_key("https://a.example/x")
    conn.execute(
        "INSERT INTO articles (url_key, version, url, canonical_url, station, title, body,"
        " first_seen, last_seen) VALUES (?, 1, 'https://a.example/x', 'https://a.example/x',"
        " 'jacaranda', 'Kept title', '[\"Old text.\"]', 'now', 'now')",
        (key,),
    )
    conn.execute("INSERT INTO article_versions VALUES (?, 1, 'h', 'then', NULL, '{}')", (key,))
    conn.close()
    with SQLiteStore(path) as store:
        assert store.schema_version() == len(MIGRATIONS)
        assert list(store.stored_pages()) == []  # nothing kept from before: nothing recleaned
        assert store.version_reasons("https://a.example/x") == ["fetched"]  # NULL: a crawl's


@pytest.mark.services
def test_a_postgres_store_from_before_pages_is_migrated(pg_dsn):
    postgres_store_at(pg_dsn, BEFORE_PAGES)
    record = clean_page(fetched_page())
    with open_store(pg_dsn) as store:
        assert store.schema_version() == len(MIGRATIONS)
        store.save_record(record)
        store.save_page(url_key(record.canonical_url), fetched_page())
        assert len(list(store.stored_pages())) == 1
        assert store.version_reasons(record.canonical_url) == ["fetched"]

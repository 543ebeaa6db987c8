"""The PostgreSQL store: the SQLite schema, the same reads, many concurrent writers, export."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import psycopg
import pytest

from crawler.fixtures import all_fixtures
from crawler.stations import registry
from pipelines.clean import build_record
from pipelines.core.items import ArticleRecord
from pipelines.store import open_store
from pipelines.store.base import NEW, UNCHANGED, UPDATED, SchemaTooNew
from pipelines.store.postgres import PostgresStore
from pipelines.store.schema import MIGRATIONS
from tests.conftest import run_cli
from tests.services import free_port

pytestmark = pytest.mark.services

ARTICLES = [f for f in all_fixtures() if f.meta["station"] and "not_article" not in f.expected]
WRITERS = 8
SHARED_STORIES = 3  # stories every writer saves, in changing versions
OWN_STORIES = 10  # stories only one writer saves


def built_records() -> list[ArticleRecord]:
    return [build_record(f.page(), registry().get(f.meta["station"])) for f in ARTICLES]


def test_schema_matches_sqlite(tmp_path, pg_dsn):
    open_store(tmp_path / "s.db").close()
    open_store(pg_dsn).close()
    lite = sqlite3.connect(tmp_path / "s.db")
    tables = [r[0] for r in lite.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    expected = {
        t: [row[1] for row in lite.execute(f"PRAGMA table_info({t})")]
        for t in tables
        if t != "sqlite_sequence" and not t.startswith("articles_fts")  # SQLite's search index
    }
    lite_indexes = {
        r[0] for r in lite.execute("SELECT name FROM sqlite_master WHERE type='index'")
        if not r[0].startswith("sqlite_autoindex")
    }  # fmt: skip
    with psycopg.connect(pg_dsn) as conn:
        found = {
            t: [r[0] for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
                " AND column_name NOT IN ('search', 'rowid') ORDER BY ordinal_position", (t,))]
            for t in expected
        }  # fmt: skip
        pg_indexes = {
            r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname='public'")
        }
    assert found == expected
    assert lite_indexes <= pg_indexes


def test_reads_match_sqlite(tmp_path, pg_dsn):
    records = built_records()
    with open_store(tmp_path / "s.db") as lite, open_store(pg_dsn) as pg:
        for record in records:
            assert lite.save_record(record) == pg.save_record(record) == NEW
        assert list(pg.records()) == list(lite.records())
        assert list(pg.records(station="heart")) == list(lite.records(station="heart"))
        assert pg.versions(records[0].canonical_url) == lite.versions(records[0].canonical_url)


def test_concurrent_writers_lose_and_duplicate_nothing(pg_dsn):
    base = ArticleRecord(**ARTICLES[0].expected)
    start = threading.Barrier(WRITERS)

    def story(name: str, hash_: str) -> ArticleRecord:
        return dataclasses.replace(base, canonical_url=f"https://x.example/{name}",
                                   content_hash=hash_)  # fmt: skip

    def write(writer: int) -> list[tuple[str, str]]:
        start.wait()
        outcomes = []
        with PostgresStore.connect(pg_dsn) as store:  # all writers migrate at once, too
            for step in range(12):
                for shared in range(SHARED_STORIES):
                    record = story(f"shared-{shared}", f"h{(step + writer) % 4}")
                    outcomes.append((record.canonical_url, store.save_record(record)))
                if step < OWN_STORIES:
                    record = story(f"own-{writer}-{step}", "h")
                    outcomes.append((record.canonical_url, store.save_record(record)))
        return outcomes

    with ThreadPoolExecutor(WRITERS) as pool:
        outcomes = [o for batch in pool.map(write, range(WRITERS)) for o in batch]
    with open_store(pg_dsn) as store:
        assert store.schema_version() == len(MIGRATIONS)
        rows = {r["canonical_url"]: r for r in store.records()}
        assert len(rows) == SHARED_STORIES + WRITERS * OWN_STORIES
        counts = Counter(outcomes)
        for url, row in rows.items():
            versions = store.versions(url)
            assert counts[(url, NEW)] == 1, url
            assert len(versions) == 1 + counts[(url, UPDATED)], url
            assert versions[-1]["content_hash"] == row["content_hash"]
            hashes = [v["content_hash"] for v in versions]
            assert all(a != b for a, b in pairwise(hashes)), url
        assert sum(counts[(u, NEW)] + counts[(u, UNCHANGED)] + counts[(u, UPDATED)]
                   for u in rows) == len(outcomes)  # fmt: skip


def test_export_reads_postgres(pg_dsn, tmp_path):
    with open_store(pg_dsn) as store:
        for record in built_records():
            store.save_record(record)
        records = list(store.records())
    out = tmp_path / "out.jsonl"
    run = run_cli("export", "--db", pg_dsn, "-o", str(out))
    assert run.code == 0, run.stderr
    assert [json.loads(line) for line in out.read_text().splitlines()] == records


def test_unreachable_database_is_a_clean_failure():
    run = run_cli("export", "--db", f"postgresql://postgres@127.0.0.1:{free_port()}/none")
    assert run.code == 2 and "cannot connect to PostgreSQL" in run.stderr


def test_a_newer_schema_is_refused(pg_dsn):
    """A database a newer radioscrape migrated further is refused, not used as if it were this
    version (issue 12)."""
    open_store(pg_dsn).close()
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("INSERT INTO schema_version VALUES (%s, 'later')", (len(MIGRATIONS) + 1,))
    try:
        with pytest.raises(SchemaTooNew, match="newer"):
            open_store(pg_dsn)
    finally:
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            conn.execute("DELETE FROM schema_version WHERE version > %s", (len(MIGRATIONS),))

"""Full-text search in both stores (pipelines/store/search.py): the index follows every write,
an older store gets it by migration, and runs keep their status and exit code."""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import UTC, datetime

import psycopg
import pytest

from crawler.fixtures import all_fixtures
from pipelines.core.items import ArticleRecord
from pipelines.store import open_store
from pipelines.store.base import INTERRUPTED, RunOutcome, StationRun
from pipelines.store.schema import MIGRATIONS
from pipelines.store.sqlite import SQLiteStore
from tests.old_stores import postgres_store_at, sqlite_store_at

ARTICLES = [f for f in all_fixtures() if f.meta["station"] and "not_article" not in f.expected]


def record(n: int, **changes) -> ArticleRecord:
    """The n-th fixture article, changed."""
    return dataclasses.replace(ArticleRecord(**ARTICLES[n].expected), **changes)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.services)])
def target(request, tmp_path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "search.db")
    return request.getfixturevalue("pg_dsn")


@pytest.fixture
def store(target):
    with open_store(target) as opened:
        yield opened


def urls(hits) -> list[str]:
    return [hit.canonical_url for hit in hits]


def test_a_word_in_one_body_finds_that_article_only(store):
    first = record(0, body=[*record(0).body, "The zanzibarite wombats sang."], content_hash="a")
    second = record(1)
    store.save_record(first)
    store.save_record(second)
    hits = store.search("zanzibarite")
    assert urls(hits) == [first.canonical_url]
    assert "[zanzibarite]" in hits[0].snippet
    assert hits[0].title == first.title and hits[0].station == first.station
    assert store.search("zanzibarite wombats") != []  # every word: both are there
    assert store.search("zanzibarite qqqnotaword") == []
    assert store.search('"zanzibarite (') != []  # quotes and FTS5 syntax are only text


def test_a_new_version_replaces_the_old_text_in_the_index(store):
    old = record(0, body=["Old paragraph about quokkas."], content_hash="old")
    store.save_record(old)
    assert urls(store.search("quokkas")) == [old.canonical_url]
    store.save_record(dataclasses.replace(old, body=["New text on echidnas."], content_hash="n"))
    assert urls(store.search("echidnas")) == [old.canonical_url]
    assert store.search("quokkas") == []  # never a stale hit
    store.save_record(dataclasses.replace(old, body=["New text on echidnas."], content_hash="n"))
    assert len(store.search("echidnas")) == 1  # unchanged: still one row


def test_title_outranks_body_and_filters_apply(store):
    in_title = record(0, title="Platypus parade returns", content_hash="t")
    in_body = record(1, body=["A platypus was seen.", *record(1).body], content_hash="b",
                     station="elsewhere")  # fmt: skip
    store.save_record(in_body)
    store.save_record(in_title)
    assert urls(store.search("platypus")) == [in_title.canonical_url, in_body.canonical_url]
    assert urls(store.search("platypus", station="elsewhere")) == [in_body.canonical_url]
    late = datetime(2100, 1, 1, tzinfo=UTC)
    assert store.search("platypus", since=late) == []
    assert len(store.search("platypus", limit=1)) == 1


def test_english_records_are_stemmed(store):
    english = record(0, language="en", body=["The singers were singing."], content_hash="e")
    store.save_record(english)
    assert urls(store.search("singer")) == [english.canonical_url]


def test_runs_keep_status_exit_code_and_warnings(store):
    first = store.begin_run("2026-01-01T00:00:00+00:00")
    figures = StationRun("jacaranda", pages=3, new=2, records=2, median_words=120.0)
    store.finish_run(first, "2026-01-01T00:01:00+00:00", "finished", [figures],
                     RunOutcome("partial", 1, {"jacaranda": ["1 page failed"]}))  # fmt: skip
    second = store.begin_run("2026-01-02T00:00:00+00:00")
    runs = store.runs()
    assert [run["id"] for run in runs] == [second, first]
    assert runs[1]["status"] == "partial" and runs[1]["exit_code"] == 1
    assert runs[1]["warnings"] == {"jacaranda": ["1 page failed"]}
    assert runs[1]["stations"]["jacaranda"]["new"] == 2
    assert runs[0]["finished_at"] is None and runs[0]["stations"] == {}


def test_an_unfinished_sqlite_run_is_closed_as_interrupted(tmp_path):
    with SQLiteStore(tmp_path / "s.db") as store:
        killed = store.begin_run("2026-01-01T00:00:00+00:00")
        store.begin_run("2026-01-01T01:00:00+00:00")
        (run,) = [r for r in store.runs() if r["id"] == killed]
        assert run["status"] == INTERRUPTED and run["exit_code"] is None


def test_a_store_from_before_search_is_indexed_by_its_migration(tmp_path):
    path = tmp_path / "old.db"
    sqlite_store_at(path, 1)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(
        "INSERT INTO articles (url_key, version, url, canonical_url, station, title, body,"
        " first_seen, last_seen) VALUES ('k', 1, 'https://a.example/x', 'https://a.example/x',"
        " 'jacaranda', 'Kept title', '[\"An old bilby story.\"]', 'now', 'now')"
    )
    conn.execute("INSERT INTO runs (started_at, finished_at) VALUES ('then', 'then')")
    conn.close()
    with SQLiteStore(path) as store:
        assert store.schema_version() == len(MIGRATIONS)
        assert urls(store.search("bilby")) == ["https://a.example/x"]
        assert store.runs()[0]["status"] is None


@pytest.mark.services
def test_a_postgres_store_from_before_search_is_indexed_by_its_migration(pg_dsn):
    postgres_store_at(pg_dsn, 1)
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO articles (url_key, version, url, canonical_url, station, title, body,"
            " language, first_seen, last_seen) VALUES ('k', 1, 'https://a.example/x',"
            " 'https://a.example/x', 'jacaranda', 'Kept title', '[\"Old bilbies singing.\"]',"
            " 'en-AU', 'now', 'now')"
        )
    with open_store(pg_dsn) as store:
        assert store.schema_version() == len(MIGRATIONS)
        assert urls(store.search("bilby sing")) == ["https://a.example/x"]  # English stems

"""The store contract (pipelines/store/base.py), run against every backend: SQLite and
PostgreSQL behave the same for upserts, versions, fetch state, runs and filtered reads."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from crawler.fixtures import all_fixtures
from pipelines.core.dates import utc_iso
from pipelines.core.fetch import PAGE, FetchState
from pipelines.core.items import ArticleRecord
from pipelines.store import open_store
from pipelines.store.base import NEW, UNCHANGED, UPDATED, StationRun
from pipelines.store.schema import MIGRATIONS
from pipelines.store.sql import FETCH_CHUNK

ARTICLES = [f for f in all_fixtures() if f.meta["station"] and "not_article" not in f.expected]
STATE = FetchState("https://a.example/x", "http://127.0.0.1:1/x", "jacaranda", '"e"',
                   "Mon, 01 Jan 2026 00:00:00 GMT", "2026-01-01T00:00:00+00:00", "h", 200,
                   "2026-01-02T00:00:00+00:00")  # fmt: skip


def record_of(fixture) -> ArticleRecord:
    return ArticleRecord(**fixture.expected)


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.services)],
)
def target(request, tmp_path) -> str:
    """Where a store lives: a SQLite path, or the DSN of a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "contract.db")
    return request.getfixturevalue("pg_dsn")


@pytest.fixture
def store(target):
    with open_store(target) as opened:
        yield opened


def test_migrations_apply_once(target, store):
    assert store.schema_version() == len(MIGRATIONS)
    store.close()
    with open_store(target) as again:
        assert again.schema_version() == len(MIGRATIONS)


def test_upsert_by_canonical_url_keeps_versions(store):
    record = record_of(ARTICLES[0])
    assert store.save_record(record) == NEW
    www_less = record.canonical_url.replace("://www.", "://").rstrip("/")
    same = dataclasses.replace(record, canonical_url=www_less, url="http://127.0.0.1:1/x")
    assert store.save_record(same) == UNCHANGED
    edited = dataclasses.replace(record, body=[*record.body, "Update: more dates."],
                                 content_hash="edited")  # fmt: skip
    assert store.save_record(edited) == UPDATED
    assert store.save_record(edited) == UNCHANGED
    versions = store.versions(record.canonical_url)
    assert [v["content_hash"] for v in versions] == [record.content_hash, "edited"]
    assert versions[0] == record.to_dict()
    [latest] = store.records()
    assert latest == {**edited.to_dict(), "story_id": store.story_of(record.canonical_url)[0]}


def test_failed_write_leaves_nothing_behind(store):
    with pytest.raises(ZeroDivisionError), store.transaction() as conn:
        conn.execute("INSERT INTO runs (started_at) VALUES ('x')")
        _ = 1 / 0
    assert store.conn.execute("SELECT COUNT(*) AS n FROM runs").fetchone()["n"] == 0


def test_fetch_state_round_trips(store):
    store.save_fetch_state(STATE)
    store.save_fetch_state(dataclasses.replace(STATE, last_status=304))
    assert store.fetch_states([STATE.url_key, "nope"]) == {
        STATE.url_key: dataclasses.replace(STATE, last_status=304)
    }
    assert store.fetch_states([]) == {}


def test_what_the_frontier_remembers_of_a_url_round_trips_and_reads_by_station(store):
    moved = dataclasses.replace(STATE, url_key="https://a.example/y", redirect_to=STATE.url)
    gone = dataclasses.replace(
        STATE, url_key="https://a.example/z", last_status=410, failures=2, kind=PAGE,
        published="2026-01-01T00:00:00+00:00",
    )  # fmt: skip
    other = dataclasses.replace(STATE, url_key="https://b.example/x", station="heart")
    for state in (STATE, moved, gone, other):
        store.save_fetch_state(state)
    assert store.fetch_states([gone.url_key]) == {gone.url_key: gone}
    assert sorted(store.station_fetch_states("jacaranda"), key=lambda s: s.url_key) == [
        STATE, moved, gone
    ]  # fmt: skip
    many = [dataclasses.replace(STATE, url_key=f"https://c.example/{n:05d}", station="kfm")
            for n in range(FETCH_CHUNK * 2 + 3)]  # fmt: skip
    for state in many:
        store.save_fetch_state(state)
    assert [s.url_key for s in store.station_fetch_states("kfm")] == [s.url_key for s in many]


def test_runs_and_station_history(store):
    figures = StationRun("heart", pages=3, new=2, updated=1, records=3, median_words=412.5,
                         field_presence={"author": 1.0, "tags": 0.5})  # fmt: skip
    first = store.begin_run("2026-01-01T00:00:00+00:00")
    store.finish_run(first, "2026-01-01T00:01:00+00:00", "finished", [figures])
    unfinished = store.begin_run("2026-01-02T00:00:00+00:00")
    third = store.begin_run("2026-01-03T00:00:00+00:00")
    assert first < unfinished < third
    assert store.station_history("heart", before_run=third) == [figures]
    assert store.station_history("heart", before_run=first) == []
    store.finish_run(first, "2026-01-01T00:02:00+00:00", "finished", [figures])  # replaces
    assert store.station_history("heart", before_run=third) == [figures]


def test_records_filter_and_order(store):
    records = [record_of(f) for f in ARTICLES]
    undated = dataclasses.replace(records[0], canonical_url="https://x.example/undated",
                                  published=None, content_hash="undated")  # fmt: skip
    for record in [*records, undated]:
        store.save_record(record)
    everything = list(store.records())
    assert len(everything) == len(records) + 1
    ordered = sorted(everything, key=lambda r: r["station"])
    assert [r["station"] for r in everything] == [r["station"] for r in ordered]
    own = [r for r in everything if r["station"] == undated.station]
    assert own[-1]["canonical_url"] == undated.canonical_url  # undated last, as in SQLite
    since = datetime(2025, 6, 1, tzinfo=UTC)
    recent = list(store.records(since=since, station="heart"))
    assert recent == [
        r for r in everything
        if r["station"] == "heart" and r["published"] and utc_iso(r["published"]) >= utc_iso(since)
    ]  # fmt: skip
    assert 0 < len(recent) < len([r for r in everything if r["station"] == "heart"])

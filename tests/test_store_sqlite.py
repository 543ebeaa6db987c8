"""The SQLite store: schema, upsert and versions, fetch state, run history, export, lock."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import sqlite3

import pytest

from crawler.fixtures import all_fixtures
from crawler.lock import AlreadyRunning, store_lock
from crawler.stations import registry
from pipelines.clean import build_record
from pipelines.core.fetch import FetchState
from pipelines.core.items import ArticleRecord
from pipelines.store import open_store
from pipelines.store.base import StationRun
from pipelines.store.quality import RecordFigures, measure, quality_warnings
from pipelines.store.schema import JSON_FIELDS, MIGRATIONS
from tests.conftest import run_cli

ARTICLES = [f for f in all_fixtures() if f.meta["station"] and "not_article" not in f.expected]


def record_of(fixture) -> ArticleRecord:
    return ArticleRecord(**fixture.expected)


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path / "test.db") as opened:
        yield opened


def test_schema_is_migrated_once_and_reads_well(tmp_path, store):
    assert store.schema_version() == len(MIGRATIONS)
    store.close()
    with open_store(tmp_path / "test.db") as again:
        assert again.schema_version() == len(MIGRATIONS)
    conn = sqlite3.connect(tmp_path / "test.db")
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"articles", "article_versions", "fetch_state", "runs", "run_stations"} <= tables
    indexes = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"articles_station_published", "articles_published"} <= indexes


def test_the_connection_keeps_an_8_mib_page_cache(store):
    assert store.conn.execute("PRAGMA cache_size").fetchone()[0] == -8192


def test_upsert_by_canonical_url_keeps_versions(store):
    record = record_of(ARTICLES[0])
    assert store.save_record(record) == "new"
    www_less = record.canonical_url.replace("://www.", "://").rstrip("/")
    same = dataclasses.replace(record, canonical_url=www_less, url="http://127.0.0.1:1/x")
    assert store.save_record(same) == "unchanged"
    edited = dataclasses.replace(record, body=[*record.body, "Update: more dates."],
                                 content_hash="edited")  # fmt: skip
    assert store.save_record(edited) == "updated"
    versions = store.versions(record.canonical_url)
    assert [v["content_hash"] for v in versions] == [record.content_hash, "edited"]
    [latest] = store.records()
    assert latest["body"][-1] == "Update: more dates."
    assert latest == {**edited.to_dict(), "story_id": store.story_of(record.canonical_url)[0]}


def test_failed_write_leaves_nothing_behind(store):
    record = record_of(ARTICLES[0])
    with pytest.raises(sqlite3.Error), store.transaction() as conn:
        conn.execute("INSERT INTO runs (started_at) VALUES ('x')")
        conn.execute("INSERT INTO no_such_table VALUES (1)")
    assert store.conn.execute("SELECT COUNT(*) AS n FROM runs").fetchone()["n"] == 0
    assert store.save_record(record) == "new"


def test_fetch_state_round_trips(store):
    state = FetchState("https://a.example/x", "http://127.0.0.1:1/x", "jacaranda", '"e"',
                       "Mon, 01 Jan 2026 00:00:00 GMT", "2026-01-01T00:00:00+00:00", "h", 200,
                       "2026-01-02T00:00:00+00:00")  # fmt: skip
    store.save_fetch_state(state)
    store.save_fetch_state(dataclasses.replace(state, last_status=304))
    assert store.fetch_states([state.url_key, "nope"]) == {
        state.url_key: dataclasses.replace(state, last_status=304)
    }


def test_quality_warnings_against_the_station_history(store):
    good = [record_of(f) for f in ARTICLES if f.meta["station"] == "jacaranda"]
    broken = [
        dataclasses.replace(r, author=None, image=None, body=r.body[:1], word_count=20)
        for r in good
    ]
    first = store.begin_run("2026-01-01T00:00:00+00:00")
    store.finish_run(first, "2026-01-01T00:01:00+00:00", "finished",
                     [measure("jacaranda", good, empty_pages=0)])  # fmt: skip
    second = store.begin_run("2026-01-02T00:00:00+00:00")
    history = store.station_history("jacaranda", before_run=second)
    assert [run.records for run in history] == [len(good)]
    assert quality_warnings(measure("jacaranda", good, 0), history) == []
    warnings = quality_warnings(measure("jacaranda", broken, 0), history)
    assert any("far shorter" in w for w in warnings)
    assert any("field author suddenly missing" in w for w in warnings)
    assert any("field image suddenly missing" in w for w in warnings)
    empty = quality_warnings(measure("jacaranda", good[:1], empty_pages=5), history)
    assert any("most bodies empty" in w for w in empty)
    assert quality_warnings(StationRun("jacaranda", records=1), history) == []


def test_record_figures_measure_like_whole_records():
    records = [record_of(f) for f in ARTICLES]
    records += [dataclasses.replace(records[0], body=[], word_count=0, tags=[], image=None)]
    figures = [RecordFigures.of(r) for r in records]
    for part in (records, records[:3], records[-2:]):
        assert measure("x", [RecordFigures.of(r) for r in part], 2) == measure("x", part, 2)
    assert measure("x", figures, 0).records == len(records)


@pytest.fixture
def filled(tmp_path):
    db = tmp_path / "filled.db"
    with open_store(db) as store:
        for fixture in ARTICLES:
            store.save_record(build_record(fixture.page(), registry().get(fixture.meta["station"])))
        records = list(store.records())
    return db, records


def test_export_jsonl_round_trips(filled, tmp_path):
    db, records = filled
    out = tmp_path / "out.jsonl"
    run = run_cli("export", "--db", str(db), "--format", "jsonl", "-o", str(out))
    assert run.code == 0, run.stderr
    assert [json.loads(line) for line in out.read_text().splitlines()] == records
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_export_csv_round_trips_with_filters(filled):
    db, records = filled
    run = run_cli("export", "--db", str(db), "--format", "csv", "--station", "heart",
                  "--since", "2025-01-01")  # fmt: skip
    assert run.code == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    decoded = [
        {k: json.loads(v) if k in JSON_FIELDS else int(v) if k == "word_count" else v or None
         for k, v in row.items()}
        for row in rows
    ]  # fmt: skip
    wanted = [r for r in records if r["station"] == "heart" and r["published"] >= "2025-01"]
    assert 0 < len(wanted) < len([r for r in records if r["station"] == "heart"])
    assert decoded == wanted


def test_export_refuses_a_missing_store(tmp_path):
    assert run_cli("export", "--db", str(tmp_path / "none.db")).code == 2


def test_lock_is_exclusive_and_freed(tmp_path):
    db = str(tmp_path / "x.db")
    with store_lock(db), pytest.raises(AlreadyRunning), store_lock(db):
        pass
    with store_lock(db) as path:
        assert path.name == "x.db.lock"

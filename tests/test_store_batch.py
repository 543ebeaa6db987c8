"""WriteBatch (pipelines/store/batch.py): a crawl's records, fetch states and pages written in
one transaction per batch, each record's outcome given only once committed, a failing record
failing alone, and fetch states kept for the next batch when a whole transaction fails. The
crawls with a locked store, a schema changed underneath, a full disk and SIGKILL are in
tests/test_hostile_store.py and tests/test_crash_resume.py."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3

import pytest
from psycopg.pq import TransactionStatus

from crawler.fixtures import all_fixtures
from pipelines.core.fetch import FetchState
from pipelines.core.items import ArticleRecord
from pipelines.store import open_store
from pipelines.store.base import NEW, UNCHANGED
from pipelines.store.batch import Saved, WriteBatch
from pipelines.store.sqlite import SQLiteStore

RECORDS = [
    ArticleRecord(**f.expected)
    for f in all_fixtures()
    if f.meta["station"] and "not_article" not in f.expected
][:4]


def state_of(record: ArticleRecord) -> FetchState:
    return FetchState(record.canonical_url, record.url, record.station, None, None, None,
                      record.content_hash, 200, "2026-11-30T00:00:00+00:00")  # fmt: skip


def stored(db) -> int:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]


async def save_all(batch: WriteBatch, records: list[ArticleRecord]) -> list[Saved | Exception]:
    tasks = [asyncio.ensure_future(batch.save_record(r, None)) for r in records]
    return await asyncio.gather(*tasks, return_exceptions=True)


def test_a_batch_is_one_transaction_and_its_outcomes_come_once_committed(tmp_path):
    db = tmp_path / "store.db"
    commits = []
    with SQLiteStore(db) as store:
        store.conn.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
        batch = WriteBatch(store, size=len(RECORDS), delay=60)

        async def crawl() -> list[Saved | Exception]:
            first = [asyncio.ensure_future(batch.save_record(r, None)) for r in RECORDS[:-1]]
            await asyncio.sleep(0)
            assert not any(task.done() for task in first)  # waiting for their batch
            assert stored(db) == 0 and commits == []
            last = await batch.save_record(RECORDS[-1], None)  # the batch is full: written
            return [*(await asyncio.gather(*first)), last]

        assert asyncio.run(crawl()) == [Saved(NEW, 1)] * len(RECORDS)
        assert stored(db) == len(RECORDS) and len(commits) == 1
        again = asyncio.run(save_all(WriteBatch(store, size=2, delay=60), RECORDS[:2]))
        assert again == [Saved(UNCHANGED)] * 2 and len(commits) == 2


def test_a_failing_record_fails_alone(tmp_path, monkeypatch):
    db = tmp_path / "store.db"
    with SQLiteStore(db) as store:
        save = store.save_record

        def save_record(record, run_id=None, **options):
            if record is RECORDS[1]:
                store.conn.execute("INSERT INTO no_such_table VALUES (1)")
            return save(record, run_id, **options)

        monkeypatch.setattr(store, "save_record", save_record)
        outcomes = asyncio.run(save_all(WriteBatch(store, size=len(RECORDS), delay=60), RECORDS))
    assert isinstance(outcomes[1], sqlite3.OperationalError)
    assert [o for i, o in enumerate(outcomes) if i != 1] == [Saved(NEW, 1)] * (len(RECORDS) - 1)
    assert stored(db) == len(RECORDS) - 1


def test_a_locked_store_fails_the_batch_and_its_fetch_states_wait_for_the_next(tmp_path):
    db = tmp_path / "store.db"
    lost: list[Exception] = []
    with SQLiteStore(db, timeout=0.05) as store:
        batch = WriteBatch(store, size=1, delay=0)
        locker = sqlite3.connect(db, isolation_level=None)
        locker.execute("BEGIN IMMEDIATE")
        batch.save_fetch_state(state_of(RECORDS[0]), lost.append)  # flushed now: locked
        [failed] = asyncio.run(save_all(batch, RECORDS[1:2]))
        assert isinstance(failed, sqlite3.OperationalError) and lost == []
        assert [w.record for w in batch.waiting] == [False]  # the state waits, not the record
        locker.execute("ROLLBACK")
        batch.flush()
        assert batch.waiting == [] and lost == []
        assert store.fetch_states([RECORDS[0].canonical_url]) == {
            RECORDS[0].canonical_url: state_of(RECORDS[0])
        }
        locker.execute("BEGIN IMMEDIATE")
        batch.save_fetch_state(state_of(RECORDS[2]), lost.append)
        batch.flush(last=True)  # no batch follows: the state is lost, and said so
        locker.execute("ROLLBACK")
        assert len(lost) == 1 and batch.waiting == []
    assert stored(db) == 0


def test_writes_inside_a_transaction_join_it(tmp_path):
    db = tmp_path / "store.db"
    with SQLiteStore(db) as store:
        with pytest.raises(sqlite3.OperationalError), store.transaction():
            assert store.save_record(RECORDS[0]) == NEW
            store.save_fetch_state(state_of(RECORDS[0]))
            assert store.conn.execute("SELECT COUNT(*) AS n FROM articles").fetchone()["n"] == 1
            store.conn.execute("INSERT INTO no_such_table VALUES (1)")  # all rolled back
        assert store.fetch_states([RECORDS[0].canonical_url]) == {}
    assert stored(db) == 0


def test_with_many_writers_a_record_is_written_alone_and_fetch_states_ride_with_the_next(
    pg_dsn, monkeypatch
):
    with open_store(pg_dsn) as store:
        begun = []  # whether each transaction block began a transaction (not a savepoint)
        transaction = store.transaction

        def counted():
            begun.append(store.conn.info.transaction_status == TransactionStatus.IDLE)
            return transaction()

        monkeypatch.setattr(store, "transaction", counted)
        batch = WriteBatch.for_store(store, size=64, delay=60)

        async def crawl() -> list[Saved]:
            first = await batch.save_record(RECORDS[0], None)  # written at once, alone
            batch.save_fetch_state(state_of(RECORDS[0]), lost=pytest.fail)
            assert begun.count(True) == 1  # the fetch state waits
            return [first, await batch.save_record(RECORDS[1], None)]

        assert asyncio.run(crawl()) == [Saved(NEW, 1)] * 2
        assert begun.count(True) == 2  # the first record's fetch state went with the second
        assert list(store.fetch_states([RECORDS[0].canonical_url])) == [RECORDS[0].canonical_url]

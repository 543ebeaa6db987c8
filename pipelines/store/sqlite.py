"""SQLite store: the embedded default. Readable in Datasette or sqlite3 (JSON text columns)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from pipelines.core.items import dumps
from pipelines.store.base import INTERRUPTED, SearchHit, StoreUnusable, search_filters
from pipelines.store.schema import SQLITE, VERSION_TABLE
from pipelines.store.search import fts5_query, sqlite_search
from pipelines.store.sql import SQLStore
from pipelines.store.stories import CandidateReads
from pipelines.stories import StoryOptions

CACHE_KIB = 8192  # SQLite's page cache of a connection: storing 800 records -12% CPU against 2 MiB


class SQLiteStore(SQLStore):
    """The Store on one SQLite file (WAL mode, so the spider can read while pipelines write)."""

    errors = (sqlite3.Error, OSError)
    dialect = SQLITE
    mark = "?"

    def __init__(
        self, path: str | Path, timeout: float = 30.0, stories: StoryOptions | None = None
    ):
        self.path = Path(path)
        self.story_options = stories or StoryOptions()
        self.lazy_story_reads = CandidateReads()
        try:
            self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=timeout)
        except sqlite3.Error as exc:  # a folder that cannot be written or does not exist
            raise StoreUnusable(str(exc)) from None
        try:
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: a commit survives the process being killed; only an OS crash or
            # power cut can lose the last commits, and those pages are fetched again next run.
            self.conn.execute("PRAGMA synchronous=NORMAL")
            # A crawl's writes touch index pages all over the store (story bands, URL keys, the
            # search index): an 8 MiB page cache (2 MiB by default) keeps more of them in memory.
            self.conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.migrate()
        except sqlite3.Error as exc:  # not a database, corrupt, truncated, read-only, locked
            self.conn.close()
            raise StoreUnusable(str(exc)) from None
        except BaseException:
            self.conn.close()
            raise

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed when the block ends, rolled back on error. Inside
        another (a batch of writes: pipelines/store/batch.py) the block is part of that one."""
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self.lazy_story_reads.clear()  # another process may have written since the last
        try:
            yield self.conn
        except BaseException:
            if self.conn.in_transaction:  # SQLite may have rolled back already (disk full)
                self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def to_json(self, value: Any) -> str:
        """`value` as the text of a JSON column."""
        return dumps(value)

    def from_json(self, value: str | None) -> Any:
        """A JSON column's text as Python (None for NULL)."""
        return None if value is None else json.loads(value)

    def migrate(self) -> None:
        """Apply the migrations this file has not had yet, each in its own transaction;
        SchemaTooNew for a file a newer radioscrape has migrated further."""
        self.conn.execute(VERSION_TABLE[SQLITE.name])
        for version, statements in self.pending_migrations(self.schema_version()):
            with self.transaction() as conn:
                if version > self.schema_version():  # not applied by another process meanwhile
                    self.apply_migration(conn, version, statements)

    def begin_run(self, started_at: str) -> int:
        """Record the start of a crawl run; return its id. Runs on one SQLite file never
        overlap (the run lock), so a run row still unfinished was interrupted: close it so."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE runs SET finished_at = ?, finish_reason = ?, status = ?"
                " WHERE finished_at IS NULL",
                (started_at, INTERRUPTED, INTERRUPTED),
            )
            cursor = conn.execute("INSERT INTO runs (started_at) VALUES (?)", (started_at,))
        return int(cursor.lastrowid)

    def search(
        self,
        query: str,
        station: str | None = None,
        since: datetime | None = None,
        limit: int = 20,
    ) -> list[SearchHit]:
        """The latest versions matching every word of `query`, best first, with a snippet."""
        filters, params = search_filters(since, station, "?")
        rows = self.conn.execute(sqlite_search(filters), [fts5_query(query), *params, limit])
        return [SearchHit(**dict(row)) for row in rows]

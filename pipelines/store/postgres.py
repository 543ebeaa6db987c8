"""PostgreSQL store (psycopg 3): the SQLite store's schema and semantics, for many concurrent
writers.

The schema is pipelines/store/schema.py rendered for PostgreSQL: JSON columns are JSONB; dates
stay ISO 8601 UTC text (base.utc_iso), compared as text exactly as SQLite does, and every text
column uses the "C" collation so sorting and comparisons match SQLite's byte order.
Concurrency: a new story is inserted with ON CONFLICT DO NOTHING, an existing one is locked
(SELECT ... FOR UPDATE) before its next version is written, and migrations run under an
advisory lock, so any number of crawler processes can share one database.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from pipelines.store.base import SearchHit, search_filters
from pipelines.store.schema import POSTGRES, VERSION_TABLE
from pipelines.store.search import postgres_search
from pipelines.store.sql import SQLStore
from pipelines.stories import StoryOptions

MIGRATION_LOCK = 0x7261646F  # pg_advisory_xact_lock key held while migrating ("rado")


class PostgresStore(SQLStore):
    """The Store on a PostgreSQL database; open it with PostgresStore.connect(dsn). Several
    workers run at once here, so an unfinished run row may be a live one: begin_run leaves
    them."""

    errors = (psycopg.Error, OSError)
    dialect = POSTGRES
    mark = "%s"
    row_lock = " FOR UPDATE"  # two workers storing one story: the second waits, then versions
    many_writers = True

    def __init__(self, conn: psycopg.Connection, stories: StoryOptions | None = None):
        self.conn = conn
        self.story_options = stories or StoryOptions()

    @classmethod
    def connect(cls, dsn: str, stories: StoryOptions | None = None) -> PostgresStore:
        """Connect to `dsn` and migrate; OSError when the server cannot be reached."""
        try:
            conn = psycopg.connect(dsn, autocommit=True, row_factory=dict_row)  # see transaction
        except psycopg.OperationalError as exc:
            raise OSError(f"cannot connect to PostgreSQL: {exc}") from exc
        store = cls(conn, stories)
        store.migrate()
        return store

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection]:
        """One write transaction: committed when the block ends, rolled back on error."""
        with self.conn.transaction():
            yield self.conn

    def to_json(self, value: Any) -> Jsonb:
        """`value` as the parameter of a JSONB column."""
        return Jsonb(value)

    def from_json(self, value: Any) -> Any:
        """A JSONB column's value: psycopg has already made it Python."""
        return value

    def stream(self, query: str, params: Sequence[Any]) -> Iterator[dict[str, Any]]:
        """The rows of a query that may be long, as they arrive (not all held at once)."""
        return self.conn.cursor().stream(query, params)

    def migrate(self) -> None:
        """Apply missing migrations, under an advisory lock so that workers migrate once."""
        with self.transaction() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            conn.execute(VERSION_TABLE[POSTGRES.name])
            for version, statements in self.pending_migrations(self.schema_version()):
                self.apply_migration(conn, version, statements)

    def begin_run(self, started_at: str) -> int:
        """Record the start of a crawl run; return its id."""
        with self.transaction() as conn:
            row = conn.execute(
                "INSERT INTO runs (started_at) VALUES (%s) RETURNING id", (started_at,)
            ).fetchone()
        return int(row["id"])

    def search(
        self,
        query: str,
        station: str | None = None,
        since: datetime | None = None,
        limit: int = 20,
    ) -> list[SearchHit]:
        """The latest versions matching every word of `query`, best first, with a snippet."""
        filters, params = search_filters(since, station, "%s")
        rows = self.conn.execute(postgres_search(filters), [query, *params, limit])
        return [SearchHit(**row) for row in rows]

    def lock_bands(self, keys: Sequence[str]) -> None:
        """Hold a transaction lock on each band key, in one order (no deadlock), so that two
        workers storing copies of one story at once see each other's."""
        locks = sorted({int(band[2:17], 16) for band in keys})
        self.conn.execute(
            "SELECT COUNT(pg_advisory_xact_lock(k)) FROM (SELECT unnest(%s::bigint[]) AS k"
            " ORDER BY k) AS keys",
            (locks,),
        )

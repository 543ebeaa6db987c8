"""PostgreSQL store (psycopg 3): the SQLite schema and semantics, for many concurrent writers.

Same tables, columns and indexes as pipelines/store/sqlite.py. JSON columns are JSONB; dates
stay ISO 8601 UTC text (base.utc_iso), compared as text exactly as SQLite does, and every text
column uses the "C" collation so sorting and comparisons match SQLite's byte order.
Concurrency: a new story is inserted with ON CONFLICT DO NOTHING, an existing one is locked
(SELECT ... FOR UPDATE) before its next version is written, and migrations run under an
advisory lock, so any number of crawler processes can share one database.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from pipelines.core.dates import utc_iso, utc_now
from pipelines.core.fetch import FetchState
from pipelines.core.items import RECORD_FIELDS, ArticleRecord, Page
from pipelines.core.urls import url_key
from pipelines.store import pages
from pipelines.store.base import (
    FETCHED,
    NEW,
    UNCHANGED,
    UPDATED,
    RunOutcome,
    SchemaTooNew,
    SearchHit,
    StationRun,
    Store,
    record_filters,
)
from pipelines.store.search import POSTGRES_SEARCH_MIGRATION, postgres_search, search_filters
from pipelines.store.sqlite import FETCH_FIELDS, JSON_FIELDS, STATION_RUN_FIELDS
from pipelines.store.stories import (
    ShingleCache,
    assign_story,
    backfill,
    read_stories,
    story_of,
)
from pipelines.store.stories import migration as stories_migration
from pipelines.stories import StoryOptions

TEXT = 'TEXT COLLATE "C"'
MIGRATION_LOCK = 0x7261646F  # pg_advisory_xact_lock key held while migrating ("rado")
_COLUMN_TYPES = {"word_count": "INTEGER", **{name: "JSONB" for name in JSON_FIELDS}}
_RECORD_COLUMNS = ",\n    ".join(
    f"{name} {_COLUMN_TYPES.get(name, TEXT)}" for name in RECORD_FIELDS
)

# Ordered migrations: index + 1 is the schema version. Never edit one that has shipped; append.
MIGRATIONS: list[tuple[str, ...]] = [
    (
        f"""CREATE TABLE articles (
    url_key {TEXT} PRIMARY KEY,
    version INTEGER NOT NULL,
    {_RECORD_COLUMNS},
    published_utc {TEXT},
    first_seen {TEXT} NOT NULL,
    last_seen {TEXT} NOT NULL
)""",
        "CREATE INDEX articles_station_published ON articles (station, published_utc)",
        "CREATE INDEX articles_published ON articles (published_utc)",
        f"""CREATE TABLE runs (
    id BIGSERIAL PRIMARY KEY,
    started_at {TEXT} NOT NULL,
    finished_at {TEXT},
    finish_reason {TEXT}
)""",
        f"""CREATE TABLE article_versions (
    url_key {TEXT} NOT NULL REFERENCES articles (url_key),
    version INTEGER NOT NULL,
    content_hash {TEXT} NOT NULL,
    fetched_at {TEXT},
    run_id BIGINT REFERENCES runs (id),
    record JSONB NOT NULL,
    PRIMARY KEY (url_key, version)
)""",
        f"""CREATE TABLE fetch_state (
    url_key {TEXT} PRIMARY KEY,
    url {TEXT} NOT NULL,
    station {TEXT} NOT NULL,
    etag {TEXT},
    last_modified {TEXT},
    lastmod {TEXT},
    content_hash {TEXT},
    last_status INTEGER NOT NULL,
    fetched_at {TEXT} NOT NULL
)""",
        "CREATE INDEX fetch_state_station ON fetch_state (station)",
        f"""CREATE TABLE run_stations (
    run_id BIGINT NOT NULL REFERENCES runs (id),
    station {TEXT} NOT NULL,
    pages INTEGER NOT NULL,
    new INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    records INTEGER NOT NULL,
    empty_bodies INTEGER NOT NULL,
    median_words DOUBLE PRECISION NOT NULL,
    field_presence JSONB NOT NULL,
    PRIMARY KEY (run_id, station)
)""",
        "CREATE INDEX run_stations_station ON run_stations (station, run_id)",
    ),
    (
        *POSTGRES_SEARCH_MIGRATION,
        f"ALTER TABLE runs ADD COLUMN status {TEXT}",  # the report's: success, partial, failure
        "ALTER TABLE runs ADD COLUMN exit_code INTEGER",
        "ALTER TABLE runs ADD COLUMN warnings JSONB",  # {station: [warning, ...]}
    ),
    stories_migration(TEXT),  # story_id, story_bands, the stories view
    pages.migration(TEXT, "BYTEA"),  # pages, article_versions.reason
]


def _upsert(table: str, columns: Sequence[str], conflict: str) -> str:
    """INSERT of named parameters that replaces the row when `conflict` columns match."""
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c not in conflict.split(", "))
    return (
        f"INSERT INTO {table} ({', '.join(columns)})"
        f" VALUES ({', '.join(f'%({c})s' for c in columns)})"
        f" ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    )


class PostgresStore(Store):
    """The Store on a PostgreSQL database; open it with PostgresStore.connect(dsn). Several
    workers run at once here, so an unfinished run row may be a live one: begin_run leaves
    them."""

    errors = (psycopg.Error, OSError)

    def __init__(self, conn: psycopg.Connection, stories: StoryOptions | None = None):
        self.conn = conn
        self.story_options = stories or StoryOptions()
        self.shingles = ShingleCache(self.story_options.shingle)  # candidates shingled once

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

    def schema_version(self) -> int:
        """The highest migration applied (0 for a new database)."""
        row = self.conn.execute("SELECT MAX(version) AS version FROM schema_version").fetchone()
        return row["version"] or 0

    def migrate(self) -> None:
        """Apply missing migrations, under an advisory lock so that workers migrate once."""
        with self.transaction() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version "
                f"(version INTEGER PRIMARY KEY, applied_at {TEXT} NOT NULL)"
            )
            applied = self.schema_version()
            if applied > len(MIGRATIONS):
                raise SchemaTooNew(applied, len(MIGRATIONS))
            for version, statements in enumerate(MIGRATIONS, start=1):
                if version <= applied:
                    continue
                for statement in statements:
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_version VALUES (%s, %s)", (version, utc_now()))

    def save_record(
        self, record: ArticleRecord, run_id: int | None = None, reason: str = FETCHED
    ) -> str:
        """Upsert a record by its canonical url_key; return NEW, UPDATED or UNCHANGED."""
        key = url_key(record.canonical_url)
        data = record.to_dict()
        now = utc_now()
        values = {
            **{name: Jsonb(data[name]) if name in JSON_FIELDS else data[name]
               for name in RECORD_FIELDS},
            "url_key": key, "published_utc": utc_iso(record.published), "last_seen": now,
        }  # fmt: skip
        columns = list(values)
        with self.transaction() as conn:
            inserted = conn.execute(
                f"INSERT INTO articles ({', '.join(columns)}, version, first_seen)"
                f" VALUES ({', '.join(f'%({c})s' for c in columns)}, 1, %(last_seen)s)"
                " ON CONFLICT (url_key) DO NOTHING RETURNING version",
                values,
            ).fetchone()
            if inserted is None:
                row = conn.execute(
                    "SELECT version, content_hash FROM articles WHERE url_key = %s FOR UPDATE",
                    (key,),
                ).fetchone()
                if reason == FETCHED and row["content_hash"] == record.content_hash:
                    conn.execute(
                        "UPDATE articles SET last_seen = %s WHERE url_key = %s", (now, key)
                    )
                    return UNCHANGED
                version = row["version"] + 1
                assignments = ", ".join(f"{c} = %({c})s" for c in columns if c != "url_key")
                conn.execute(
                    f"UPDATE articles SET {assignments}, version = %(version)s"
                    " WHERE url_key = %(url_key)s",
                    {**values, "version": version},
                )
            assign_story(conn, "%s", key, record.body, self.story_options, self._lock_bands,
                         self.shingles, record.content_hash)  # fmt: skip
            conn.execute(
                "INSERT INTO article_versions (url_key, version, content_hash, fetched_at, run_id,"
                " record, reason) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (key, 1 if inserted else version, record.content_hash, record.fetched_at,
                 run_id, Jsonb(data), reason),
            )  # fmt: skip
        return NEW if inserted else UPDATED

    def fetch_states(self, url_keys: Sequence[str]) -> dict[str, FetchState]:
        """The stored fetch state of each of these url_keys that has one."""
        rows = self.conn.execute(
            "SELECT * FROM fetch_state WHERE url_key = ANY(%s)", (list(url_keys),)
        )
        return {
            row["url_key"]: FetchState(**{name: row[name] for name in FETCH_FIELDS}) for row in rows
        }

    def save_fetch_state(self, state: FetchState) -> None:
        """Insert or replace the fetch state of one URL."""
        with self.transaction() as conn:
            conn.execute(_upsert("fetch_state", FETCH_FIELDS, "url_key"), asdict(state))

    def begin_run(self, started_at: str) -> int:
        """Record the start of a crawl run; return its id."""
        with self.transaction() as conn:
            row = conn.execute(
                "INSERT INTO runs (started_at) VALUES (%s) RETURNING id", (started_at,)
            ).fetchone()
        return int(row["id"])

    def finish_run(
        self,
        run_id: int,
        finished_at: str,
        reason: str,
        stations: list[StationRun],
        outcome: RunOutcome | None = None,
    ):
        """Record how a run ended (finish reason; status, exit code and warnings when known)
        and its per-station figures."""
        outcome = outcome or RunOutcome()
        columns = ("run_id", *(f.name for f in fields(StationRun)))
        with self.transaction() as conn:
            conn.execute(
                "UPDATE runs SET finished_at = %s, finish_reason = %s, status = %s,"
                " exit_code = %s, warnings = %s WHERE id = %s",
                (finished_at, reason, outcome.status, outcome.exit_code,
                 Jsonb(outcome.warnings), run_id),
            )  # fmt: skip
            for station in stations:
                values = {"run_id": run_id, **asdict(station)}
                values["field_presence"] = Jsonb(station.field_presence)
                conn.execute(_upsert("run_stations", columns, "run_id, station"), values)

    def station_history(self, station: str, before_run: int, limit: int = 10) -> list[StationRun]:
        """The station's figures from its most recent finished runs before `before_run`."""
        rows = self.conn.execute(
            "SELECT rs.* FROM run_stations rs JOIN runs r ON r.id = rs.run_id"
            " WHERE rs.station = %s AND rs.run_id < %s AND r.finished_at IS NOT NULL"
            " ORDER BY rs.run_id DESC LIMIT %s",
            (station, before_run, limit),
        )
        return [
            StationRun(
                **{name: row[name] for name in STATION_RUN_FIELDS},
                field_presence=row["field_presence"],
            )
            for row in rows
        ]

    def records(
        self, since: datetime | None = None, station: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Latest version of every stored record (published on/after `since`, of `station`)."""
        clause, params = record_filters(since, station, "%s")
        columns = ", ".join([*RECORD_FIELDS, "story_id"])
        # NULLS LAST: SQLite's order, where NULL sorts below every value.
        query = (
            f"SELECT {columns} FROM articles{clause}"
            " ORDER BY station, published_utc DESC NULLS LAST, url_key"
        )
        yield from self.conn.cursor().stream(query, params)  # rows as they arrive

    def versions(self, canonical_url: str) -> list[dict[str, Any]]:
        """Every stored version of one story, oldest first, each the full record dict."""
        rows = self.conn.execute(
            "SELECT record FROM article_versions WHERE url_key = %s ORDER BY version",
            (url_key(canonical_url),),
        )
        return [row["record"] for row in rows]

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """The most recent runs, newest first, each with its per-station figures."""
        runs = self.conn.execute(
            "SELECT id, started_at, finished_at, finish_reason, status, exit_code, warnings"
            " FROM runs ORDER BY id DESC LIMIT %s", (limit,)
        ).fetchall()  # fmt: skip
        for run in runs:
            run["warnings"] = run["warnings"] or {}
            rows = self.conn.execute(
                "SELECT * FROM run_stations WHERE run_id = %s ORDER BY station", (run["id"],)
            )
            run["stations"] = {
                row["station"]: {name: row[name] for name in STATION_RUN_FIELDS[1:]} for row in rows
            }
        return runs

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

    def _lock_bands(self, keys) -> None:
        """Hold a transaction lock on each band key, in one order (no deadlock), so that two
        workers storing copies of one story at once see each other's."""
        locks = sorted({int(band[2:17], 16) for band in keys})
        self.conn.execute(
            "SELECT COUNT(pg_advisory_xact_lock(k)) FROM (SELECT unnest(%s::bigint[]) AS k"
            " ORDER BY k) AS keys",
            (locks,),
        )

    def stories(self, since: datetime | None = None) -> list[dict[str, Any]]:
        """One row per story first published on/after `since`, newest first, its copies."""
        return read_stories(self.conn, "%s", since)

    def story_of(self, canonical_url: str) -> tuple[str | None, int]:
        """The stored article's story id and how many copies that story has."""
        return story_of(self.conn, "%s", url_key(canonical_url))

    def backfill_stories(self) -> int:
        """Give a story to every stored article without one; return how many."""
        return backfill(self, "%s", self._lock_bands)

    def save_page(self, key: str, page: Page) -> None:
        """Keep the fetched page of the stored article `key` (replacing the one before)."""
        with self.transaction() as conn:
            pages.save_page(conn, "%s", key, page)

    def stored_pages(
        self, station: str | None = None, since: datetime | None = None
    ) -> Iterator[tuple[str, Page, dict[str, Any]]]:
        """Each stored article with a stored page: url_key, Page, latest record dict."""
        return pages.stored_pages(self.conn, "%s", station, since)

    def version_reasons(self, canonical_url: str) -> list[str]:
        """Why each stored version of one story was written, oldest first."""
        return pages.version_reasons(self.conn, "%s", url_key(canonical_url))

    def close(self) -> None:
        """Release the connection."""
        self.conn.close()

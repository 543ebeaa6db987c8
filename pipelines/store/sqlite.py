"""SQLite store: the embedded default. Readable in Datasette or sqlite3 (JSON text columns)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from pipelines.core.dates import utc_iso, utc_now
from pipelines.core.fetch import FetchState
from pipelines.core.items import RECORD_FIELDS, ArticleRecord, Page, dumps
from pipelines.core.urls import url_key
from pipelines.store import pages
from pipelines.store.base import (
    FETCHED,
    INTERRUPTED,
    NEW,
    UNCHANGED,
    UPDATED,
    RunOutcome,
    SchemaTooNew,
    SearchHit,
    StationRun,
    Store,
    StoreUnusable,
    record_filters,
)
from pipelines.store.search import (
    SQLITE_SEARCH_MIGRATION,
    fts5_query,
    search_filters,
    sqlite_search,
)
from pipelines.store.stories import (
    ShingleCache,
    assign_story,
    backfill,
    read_stories,
    story_of,
)
from pipelines.store.stories import migration as stories_migration
from pipelines.stories import StoryOptions

FETCH_FIELDS = tuple(f.name for f in fields(FetchState))
STATION_RUN_FIELDS = tuple(f.name for f in fields(StationRun) if f.name != "field_presence")
JSON_FIELDS = frozenset({"body", "image", "tags", "embeds", "clutter"})
_RECORD_COLUMNS = ",\n    ".join(
    f"{name} {'INTEGER' if name == 'word_count' else 'TEXT'}" for name in RECORD_FIELDS
)

# Ordered migrations: index + 1 is the schema version. Never edit one that has shipped; append.
MIGRATIONS: list[tuple[str, ...]] = [
    (
        f"""CREATE TABLE articles (
    url_key TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    {_RECORD_COLUMNS},
    published_utc TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
)""",
        "CREATE INDEX articles_station_published ON articles (station, published_utc)",
        "CREATE INDEX articles_published ON articles (published_utc)",
        """CREATE TABLE article_versions (
    url_key TEXT NOT NULL REFERENCES articles (url_key),
    version INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    fetched_at TEXT,
    run_id INTEGER REFERENCES runs (id),
    record TEXT NOT NULL,
    PRIMARY KEY (url_key, version)
)""",
        """CREATE TABLE fetch_state (
    url_key TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    station TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    lastmod TEXT,
    content_hash TEXT,
    last_status INTEGER NOT NULL,
    fetched_at TEXT NOT NULL
)""",
        "CREATE INDEX fetch_state_station ON fetch_state (station)",
        """CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    finish_reason TEXT
)""",
        """CREATE TABLE run_stations (
    run_id INTEGER NOT NULL REFERENCES runs (id),
    station TEXT NOT NULL,
    pages INTEGER NOT NULL,
    new INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    records INTEGER NOT NULL,
    empty_bodies INTEGER NOT NULL,
    median_words REAL NOT NULL,
    field_presence TEXT NOT NULL,
    PRIMARY KEY (run_id, station)
)""",
        "CREATE INDEX run_stations_station ON run_stations (station, run_id)",
    ),
    (
        *SQLITE_SEARCH_MIGRATION,
        "ALTER TABLE runs ADD COLUMN status TEXT",  # the report's: success, partial, failure
        "ALTER TABLE runs ADD COLUMN exit_code INTEGER",
        "ALTER TABLE runs ADD COLUMN warnings TEXT",  # {station: [warning, ...]}
    ),
    stories_migration("TEXT"),  # story_id, story_bands, the stories view
    pages.migration("TEXT", "BLOB"),  # pages, article_versions.reason
]


class SQLiteStore(Store):
    """The Store on one SQLite file (WAL mode, so the spider can read while pipelines write)."""

    errors = (sqlite3.Error, OSError)

    def __init__(
        self, path: str | Path, timeout: float = 30.0, stories: StoryOptions | None = None
    ):
        self.path = Path(path)
        self.story_options = stories or StoryOptions()
        self.shingles = ShingleCache(self.story_options.shingle)  # candidates shingled once
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
        """One write transaction: committed when the block ends, rolled back on error."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def schema_version(self) -> int:
        """The highest migration applied (0 for a new file)."""
        row = self.conn.execute("SELECT MAX(version) AS version FROM schema_version").fetchone()
        return row["version"] or 0

    def migrate(self) -> None:
        """Apply the migrations this file has not had yet, each in its own transaction;
        SchemaTooNew for a file a newer radioscrape has migrated further."""
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version "
            "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        if (found := self.schema_version()) > len(MIGRATIONS):
            raise SchemaTooNew(found, len(MIGRATIONS))
        for version, statements in enumerate(MIGRATIONS, start=1):
            if version <= self.schema_version():
                continue
            with self.transaction() as conn:
                for statement in statements:
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_version VALUES (?, ?)", (version, utc_now()))

    def save_record(
        self, record: ArticleRecord, run_id: int | None = None, reason: str = FETCHED
    ) -> str:
        """Upsert a record by its canonical url_key; return NEW, UPDATED or UNCHANGED."""
        key = url_key(record.canonical_url)
        data = record.to_dict()
        now = utc_now()
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT version, content_hash FROM articles WHERE url_key = ?", (key,)
            ).fetchone()
            if row is not None and reason == FETCHED and row["content_hash"] == record.content_hash:
                conn.execute("UPDATE articles SET last_seen = ? WHERE url_key = ?", (now, key))
                return UNCHANGED
            version = 1 if row is None else row["version"] + 1
            values = {
                name: dumps(data[name]) if name in JSON_FIELDS else data[name]
                for name in RECORD_FIELDS
            }
            columns = ["url_key", "version", *RECORD_FIELDS, "published_utc", "last_seen"]
            params = [key, version, *values.values(), utc_iso(record.published), now]
            if row is None:
                conn.execute(
                    f"INSERT INTO articles ({', '.join(columns)}, first_seen) "
                    f"VALUES ({', '.join('?' * (len(columns) + 1))})",
                    [*params, now],
                )
            else:
                assignments = ", ".join(f"{name} = ?" for name in columns[1:])
                conn.execute(
                    f"UPDATE articles SET {assignments} WHERE url_key = ?", [*params[1:], key]
                )
            assign_story(conn, "?", key, record.body, self.story_options, None, self.shingles,
                         record.content_hash)  # fmt: skip
            conn.execute(
                "INSERT INTO article_versions (url_key, version, content_hash, fetched_at, run_id,"
                " record, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (key, version, record.content_hash, record.fetched_at, run_id, dumps(data), reason),
            )
        return NEW if row is None else UPDATED

    def fetch_states(self, url_keys: Sequence[str]) -> dict[str, FetchState]:
        """The stored fetch state of each of these url_keys that has one."""
        found: dict[str, FetchState] = {}
        keys = list(url_keys)
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            rows = self.conn.execute(
                f"SELECT * FROM fetch_state WHERE url_key IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
            for row in rows:
                found[row["url_key"]] = FetchState(**{name: row[name] for name in FETCH_FIELDS})
        return found

    def save_fetch_state(self, state: FetchState) -> None:
        """Insert or replace the fetch state of one URL."""
        values = asdict(state)
        with self.transaction() as conn:
            conn.execute(
                f"INSERT OR REPLACE INTO fetch_state ({', '.join(values)})"
                f" VALUES ({', '.join(':' + name for name in values)})",
                values,
            )

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
        with self.transaction() as conn:
            conn.execute(
                "UPDATE runs SET finished_at = ?, finish_reason = ?, status = ?, exit_code = ?,"
                " warnings = ? WHERE id = ?",
                (finished_at, reason, outcome.status, outcome.exit_code,
                 dumps(outcome.warnings), run_id),
            )  # fmt: skip
            for station in stations:
                values = {"run_id": run_id, **asdict(station)}
                values["field_presence"] = dumps(station.field_presence)
                conn.execute(
                    f"INSERT OR REPLACE INTO run_stations ({', '.join(values)})"
                    f" VALUES ({', '.join(':' + name for name in values)})",
                    values,
                )

    def station_history(self, station: str, before_run: int, limit: int = 10) -> list[StationRun]:
        """The station's figures from its most recent finished runs before `before_run`."""
        rows = self.conn.execute(
            "SELECT rs.* FROM run_stations rs JOIN runs r ON r.id = rs.run_id"
            " WHERE rs.station = ? AND rs.run_id < ? AND r.finished_at IS NOT NULL"
            " ORDER BY rs.run_id DESC LIMIT ?",
            (station, before_run, limit),
        )
        return [
            StationRun(
                **{name: row[name] for name in STATION_RUN_FIELDS},
                field_presence=json.loads(row["field_presence"]),
            )
            for row in rows
        ]

    def records(
        self, since: datetime | None = None, station: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Latest version of every stored record (published on/after `since`, of `station`)."""
        clause, params = record_filters(since, station, "?")
        rows = self.conn.execute(
            f"SELECT * FROM articles{clause} ORDER BY station, published_utc DESC, url_key", params
        )
        for row in rows:
            yield {
                **{
                    name: json.loads(row[name]) if name in JSON_FIELDS else row[name]
                    for name in RECORD_FIELDS
                },
                "story_id": row["story_id"],
            }

    def versions(self, canonical_url: str) -> list[dict[str, Any]]:
        """Every stored version of one story, oldest first, each the full record dict."""
        rows = self.conn.execute(
            "SELECT record FROM article_versions WHERE url_key = ? ORDER BY version",
            (url_key(canonical_url),),
        )
        return [json.loads(row["record"]) for row in rows]

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """The most recent runs, newest first, each with its per-station figures."""
        runs = [dict(row) for row in self.conn.execute(
            "SELECT id, started_at, finished_at, finish_reason, status, exit_code, warnings"
            " FROM runs ORDER BY id DESC LIMIT ?", (limit,)
        )]  # fmt: skip
        for run in runs:
            run["warnings"] = json.loads(run["warnings"] or "{}")
            rows = self.conn.execute(
                "SELECT * FROM run_stations WHERE run_id = ? ORDER BY station", (run["id"],)
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
        filters, params = search_filters(since, station, "?")
        rows = self.conn.execute(sqlite_search(filters), [fts5_query(query), *params, limit])
        return [SearchHit(**dict(row)) for row in rows]

    def stories(self, since: datetime | None = None) -> list[dict[str, Any]]:
        """One row per story first published on/after `since`, newest first, its copies."""
        return read_stories(self.conn, "?", since)

    def story_of(self, canonical_url: str) -> tuple[str | None, int]:
        """The stored article's story id and how many copies that story has."""
        return story_of(self.conn, "?", url_key(canonical_url))

    def backfill_stories(self) -> int:
        """Give a story to every stored article without one; return how many."""
        return backfill(self, "?")

    def save_page(self, key: str, page: Page) -> None:
        """Keep the fetched page of the stored article `key` (replacing the one before)."""
        with self.transaction() as conn:
            pages.save_page(conn, "?", key, page)

    def stored_pages(
        self, station: str | None = None, since: datetime | None = None
    ) -> Iterator[tuple[str, Page, dict[str, Any]]]:
        """Each stored article with a stored page: url_key, Page, latest record dict."""
        return pages.stored_pages(self.conn, "?", station, since)

    def version_reasons(self, canonical_url: str) -> list[str]:
        """Why each stored version of one story was written, oldest first."""
        return pages.version_reasons(self.conn, "?", url_key(canonical_url))

    def close(self) -> None:
        """Release the connection."""
        self.conn.close()

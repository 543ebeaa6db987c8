"""The store's queries, written once for both SQL backends with the driver's placeholder
(`mark`: SQLite's `?`, PostgreSQL's `%s`) and the schema of pipelines/store/schema.py.

A backend adds its connection and transactions, how it passes and reads JSON columns, and the
little only it does: how it migrates and begins a run, its full-text search, and (PostgreSQL,
many writers) the row and band locks.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict
from datetime import datetime
from functools import partial
from typing import Any

from pipelines.core.dates import utc_iso, utc_now
from pipelines.core.fetch import FetchState
from pipelines.core.items import RECORD_FIELDS, STORED_FIELDS, ArticleRecord, Page
from pipelines.core.urls import url_key
from pipelines.store import chrome, pages
from pipelines.store.base import (
    FETCH_FIELDS,
    FETCHED,
    NEW,
    STATION_RUN_FIELDS,
    UNCHANGED,
    UPDATED,
    RunOutcome,
    SchemaTooNew,
    StationRun,
    Store,
    marks,
    record_filters,
    upsert,
)
from pipelines.store.chrome import Rewrite
from pipelines.store.schema import JSON_FIELDS, Dialect, render
from pipelines.store.stories import (
    CandidateReads,
    assign_story,
    backfill,
    body_shingles,
    read_stories,
    shingles_column,
    story_of,
)
from pipelines.stories import StoryOptions, StoryPrint, story_id_of, story_print

FETCH_CHUNK = 500  # url_keys per query (SQLite allows 999 parameters)


class SQLStore(Store):
    """The Store over a DB-API connection whose rows read by column name."""

    dialect: Dialect
    mark: str  # the driver's parameter placeholder
    row_lock = ""  # added to the read of an article about to get its next version
    # With reads, the story matcher reads a candidate's shingles only when it compares it, a
    # query a round, and each candidate's story and shingles once a transaction
    # (pipelines.store.stories.CandidateReads): cheaper in process, not a round trip away.
    # None: one query reads them all.
    lazy_story_reads: CandidateReads | None = None
    conn: Any
    story_options: StoryOptions

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Any]:
        """One write transaction: committed when the block ends, rolled back on error."""

    @abstractmethod
    def to_json(self, value: Any) -> Any:
        """`value` as the parameter of a JSON column."""

    @abstractmethod
    def from_json(self, value: Any) -> Any:
        """A JSON column's value as Python (None for NULL)."""

    def lock_bands(self, keys: Sequence[str]) -> None:
        """Lock these story band keys for this transaction (a single writer needs none)."""

    def stream(self, query: str, params: Sequence[Any]) -> Iterable[Any]:
        """The rows of a query that may be long, as they arrive."""
        return self.conn.execute(query, params)

    def schema_version(self) -> int:
        """The highest migration applied (0 for a new store)."""
        row = self.conn.execute("SELECT MAX(version) AS version FROM schema_version").fetchone()
        return row["version"] or 0

    def pending_migrations(self, applied: int) -> list[tuple[int, tuple[str, ...]]]:
        """(version, statements) of each migration after `applied`; SchemaTooNew for a store a
        newer radioscrape has migrated further."""
        migrations = render(self.dialect)
        if applied > len(migrations):
            raise SchemaTooNew(applied, len(migrations))
        return list(enumerate(migrations, start=1))[applied:]

    def apply_migration(self, conn: Any, version: int, statements: Sequence[str]) -> None:
        """Run one migration's statements and record its version (in the caller's
        transaction)."""
        for statement in statements:
            conn.execute(statement)
        conn.execute(
            f"INSERT INTO schema_version VALUES ({marks(self.mark, 2)})", (version, utc_now())
        )

    def save_record(
        self,
        record: ArticleRecord,
        run_id: int | None = None,
        reason: str = FETCHED,
        printed: StoryPrint | None = None,
    ) -> str:
        """Upsert a record by its canonical url_key; return NEW, UPDATED or UNCHANGED. A new or
        changed article's row is written once, with its shingles and a story id (its own new
        story's, or the one it had), which assign_story changes in place when it finds another."""
        key, mark, now = url_key(record.canonical_url), self.mark, utc_now()
        with self.transaction() as conn:
            while True:
                row = conn.execute(
                    "SELECT rowid AS id, version, content_hash, story_id FROM articles"
                    f" WHERE url_key = {mark}" + self.row_lock,
                    (key,),
                ).fetchone()
                if row is None:
                    version, own, placed = 1, None, story_id_of(key)
                elif reason == FETCHED and row["content_hash"] == record.content_hash:
                    conn.execute(
                        f"UPDATE articles SET last_seen = {mark} WHERE url_key = {mark}", (now, key)
                    )
                    return UNCHANGED
                else:
                    version, own = row["version"] + 1, row["story_id"]
                    placed = own or story_id_of(key)
                printed = printed or story_print(record.body, self.story_options)
                data = {name: getattr(record, name) for name in RECORD_FIELDS}  # not deep-copied
                values = {
                    **{name: self.to_json(data[name]) if name in JSON_FIELDS else data[name]
                       for name in RECORD_FIELDS},
                    "published_utc": utc_iso(record.published),
                    "last_seen": now,
                    "version": version,
                    "story_id": placed,
                    "shingles": shingles_column(printed.hashes),
                }  # fmt: skip
                if row is not None:
                    conn.execute(
                        f"UPDATE articles SET {', '.join(f'{c} = {mark}' for c in values)}"
                        f" WHERE url_key = {mark}",
                        [*values.values(), key],
                    )
                    article = row["id"]
                    break
                inserted = conn.execute(
                    f"INSERT INTO articles (url_key, {', '.join(values)}, first_seen)"
                    f" VALUES ({marks(mark, len(values) + 2)}) ON CONFLICT (url_key) DO NOTHING"
                    " RETURNING rowid AS id",
                    [key, *values.values(), now],
                ).fetchone()
                if inserted is not None:
                    article = inserted["id"]
                    break
                # another writer stored it since it was read (PostgreSQL): read it again
            assign_story(conn, mark, key, article, printed, self.story_options, self.lock_bands,
                         own, self.lazy_story_reads, placed)  # fmt: skip
            conn.execute(
                "INSERT INTO article_versions (url_key, version, content_hash, fetched_at, run_id,"
                f" record, reason) VALUES ({marks(mark, 7)})",
                (key, version, record.content_hash, record.fetched_at, run_id,
                 self.to_json(data), reason),
            )  # fmt: skip
        return NEW if row is None else UPDATED

    def fetch_states(self, url_keys: Sequence[str]) -> dict[str, FetchState]:
        """The stored fetch state of each of these url_keys that has one."""
        found: dict[str, FetchState] = {}
        keys = list(url_keys)
        for start in range(0, len(keys), FETCH_CHUNK):
            chunk = keys[start : start + FETCH_CHUNK]
            rows = self.conn.execute(
                f"SELECT * FROM fetch_state WHERE url_key IN ({marks(self.mark, len(chunk))})",
                chunk,
            )
            for row in rows:
                found[row["url_key"]] = FetchState(**{name: row[name] for name in FETCH_FIELDS})
        return found

    def save_fetch_state(self, state: FetchState) -> None:
        """Insert or replace the fetch state of one URL."""
        with self.transaction() as conn:
            conn.execute(
                upsert("fetch_state", FETCH_FIELDS, ("url_key",), self.mark),
                [getattr(state, name) for name in FETCH_FIELDS],
            )

    def station_fetch_states(self, station: str) -> Iterator[FetchState]:
        """Every stored fetch state of one station, read as consumed (memory stays flat)."""
        after = ""
        while True:
            rows = self.conn.execute(
                f"SELECT * FROM fetch_state WHERE station = {self.mark}"
                f" AND url_key > {self.mark} ORDER BY url_key LIMIT {self.mark}",
                (station, after, FETCH_CHUNK),
            ).fetchall()
            yield from (FetchState(**{name: row[name] for name in FETCH_FIELDS}) for row in rows)
            if len(rows) < FETCH_CHUNK:
                return
            after = rows[-1]["url_key"]

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
        mark = self.mark
        with self.transaction() as conn:
            conn.execute(
                f"UPDATE runs SET finished_at = {mark}, finish_reason = {mark}, status = {mark},"
                f" exit_code = {mark}, warnings = {mark} WHERE id = {mark}",
                (finished_at, reason, outcome.status, outcome.exit_code,
                 self.to_json(outcome.warnings), run_id),
            )  # fmt: skip
            for station in stations:
                values = {"run_id": run_id, **asdict(station)}
                values["field_presence"] = self.to_json(station.field_presence)
                conn.execute(
                    upsert("run_stations", list(values), ("run_id", "station"), mark),
                    list(values.values()),
                )

    def station_history(self, station: str, before_run: int, limit: int = 10) -> list[StationRun]:
        """The station's figures from its most recent finished runs before `before_run`."""
        rows = self.conn.execute(
            "SELECT rs.* FROM run_stations rs JOIN runs r ON r.id = rs.run_id"
            f" WHERE rs.station = {self.mark} AND rs.run_id < {self.mark}"
            f" AND r.finished_at IS NOT NULL ORDER BY rs.run_id DESC LIMIT {self.mark}",
            (station, before_run, limit),
        )
        return [
            StationRun(
                **{name: row[name] for name in STATION_RUN_FIELDS},
                field_presence=self.from_json(row["field_presence"]),
            )
            for row in rows
        ]

    def records(
        self, since: datetime | None = None, station: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Latest version of every stored record (published on/after `since`, of `station`)."""
        clause, params = record_filters(since, station, self.mark)
        query = (
            f"SELECT {', '.join(STORED_FIELDS)} FROM articles{clause}"
            " ORDER BY station, published_utc DESC NULLS LAST, url_key"
        )
        for row in self.stream(query, params):
            yield {
                name: self.from_json(row[name]) if name in JSON_FIELDS else row[name]
                for name in STORED_FIELDS
            }

    def versions(self, canonical_url: str) -> list[dict[str, Any]]:
        """Every stored version of one story, oldest first, each the full record dict."""
        rows = self.conn.execute(
            f"SELECT record FROM article_versions WHERE url_key = {self.mark} ORDER BY version",
            (url_key(canonical_url),),
        )
        return [self.from_json(row["record"]) for row in rows]

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """The most recent runs, newest first, each with its per-station figures."""
        runs = [dict(row) for row in self.conn.execute(
            "SELECT id, started_at, finished_at, finish_reason, status, exit_code, warnings"
            f" FROM runs ORDER BY id DESC LIMIT {self.mark}", (limit,)
        )]  # fmt: skip
        for run in runs:
            run["warnings"] = self.from_json(run["warnings"]) or {}
            rows = self.conn.execute(
                f"SELECT * FROM run_stations WHERE run_id = {self.mark} ORDER BY station",
                (run["id"],),
            )
            run["stations"] = {
                row["station"]: {name: row[name] for name in STATION_RUN_FIELDS[1:]} for row in rows
            }
        return runs

    def stories(self, since: datetime | None = None) -> list[dict[str, Any]]:
        """One row per story first published on/after `since`, newest first, its copies."""
        return read_stories(self.conn, self.mark, since)

    def story_of(self, canonical_url: str) -> tuple[str | None, int]:
        """The stored article's story id and how many copies that story has."""
        return story_of(self.conn, self.mark, url_key(canonical_url))

    def backfill_stories(self) -> int:
        """Give a story to every stored article without one; return how many."""
        return backfill(self, self.mark, self.lock_bands)

    def save_page(self, key: str, page: Page) -> None:
        """Keep the fetched page of the stored article `key` (replacing the one before)."""
        with self.transaction() as conn:
            pages.save_page(conn, self.mark, key, page)

    def stored_pages(
        self, station: str | None = None, since: datetime | None = None
    ) -> Iterator[tuple[str, Page, dict[str, Any]]]:
        """Each stored article with a stored page: url_key, Page, latest record dict."""
        return pages.stored_pages(self.conn, self.mark, station, since)

    def version_reasons(self, canonical_url: str) -> list[str]:
        """Why each stored version of one story was written, oldest first."""
        return pages.version_reasons(self.conn, self.mark, url_key(canonical_url))

    def station_bodies(self, station: str) -> list[dict[str, Any]]:
        """The latest body of each of the station's stored records."""
        return chrome.station_bodies(self.conn, self.mark, station, self.from_json)

    def keep_chrome(
        self, station: str, lines: list[dict[str, Any]], keys: Iterable[str], rewrite: Rewrite
    ) -> int:
        """Add newly learned lines; rewrite the station's records `keys` without its chrome."""
        ordered = sorted(keys)  # one lock order for workers learning at once (PostgreSQL)
        shingled = partial(body_shingles, shingle=self.story_options.shingle)
        removed = 0
        with self.transaction() as conn:
            chrome.save_chrome(conn, self.mark, station, lines, utc_now())
            for start in range(0, len(ordered), FETCH_CHUNK):
                chunk = ordered[start : start + FETCH_CHUNK]
                removed += chrome.apply_chrome(
                    conn, self.mark, station, chunk, rewrite, self.from_json, self.to_json, shingled
                )
            if self.lazy_story_reads is not None:  # bodies and their shingles rewritten
                self.lazy_story_reads.clear()
        return removed

    def chrome(self, station: str) -> list[dict[str, Any]]:
        """The station's learned chrome lines, most pages first."""
        return chrome.read_chrome(self.conn, self.mark, station)

    def chrome_snapshot(self) -> dict[str, frozenset[str]]:
        """Every station's learned lines (folded)."""
        return chrome.snapshot(self.conn)

    def close(self) -> None:
        """Release the connection."""
        self.conn.close()

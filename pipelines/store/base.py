"""The store interface: what every backend (SQLite, PostgreSQL) must do, and how; the SQL
builders their shared queries (pipelines/store/sql.py) use.

Semantics every backend keeps:
- An article's identity is `url_key(record.canonical_url)`: one row per story, whatever URL,
  host or tracking tags it was fetched under.
- `save_record` upserts: a story never seen is stored as version 1 ('new'); one whose
  content_hash differs from the latest version gets the next version ('updated'), older
  versions kept; an equal hash only marks the story as seen again ('unchanged').
- Fetch state (validators and lastmod per fetched URL) is what makes re-runs incremental: it
  lives here, never in memory, so a killed crawl resumes from it.
- Every write is one transaction; readers never see half a record.
- Each stored article's last fetched page is kept (pipelines/store/pages.py), so `reclean` can
  rebuild its record; a version says why it was written: 'fetched' or 'recleaned'.
- Each station's learned chrome is kept (pipelines/store/chrome.py); a stored record never
  holds a learned line, and removing one from it writes no version.
- Runs and per-run per-station stats are kept, so a station's quality can be compared with its
  own history.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pipelines.core.dates import utc_iso
from pipelines.core.fetch import FetchState
from pipelines.core.items import ArticleRecord, Page

if TYPE_CHECKING:
    from pipelines.stories import StoryPrint

NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"
INTERRUPTED = "interrupted"  # finish_reason of a run row the next run found unfinished
FETCHED, RECLEANED = "fetched", "recleaned"  # why a version was written (pages.py)


class StoreUnusable(OSError):
    """The store cannot be opened: not a database, corrupt, truncated, read-only, locked."""


class SchemaTooNew(StoreUnusable):
    """The store was written by a newer radioscrape (a schema version this one does not know)."""

    def __init__(self, found: int, known: int):
        super().__init__(
            f"schema version {found} is newer than this radioscrape knows ({known}): upgrade"
        )


def record_filters(since: datetime | None, station: str | None, mark: str) -> tuple[str, list[str]]:
    """The WHERE clause (values as `mark` placeholders) and parameters of Store.records."""
    where, params = [], []
    if since is not None:
        where.append(f"published_utc >= {mark}")
        params.append(utc_iso(since))
    if station is not None:
        where.append(f"station = {mark}")
        params.append(station)
    return (f" WHERE {' AND '.join(where)}" if where else ""), params


def search_filters(since: datetime | None, station: str | None, mark: str) -> tuple[str, list]:
    """The extra conditions (` AND ...`) and parameters of a search's --since and --station."""
    clause, params = record_filters(since, station, mark)
    return clause.replace(" WHERE ", " AND ", 1), params


def marks(mark: str, count: int) -> str:
    """`count` parameter placeholders (`mark`: `?` or `%s`), comma-separated."""
    return ", ".join([mark] * count)


def upsert(table: str, columns: Sequence[str], key: Sequence[str], mark: str) -> str:
    """INSERT of `columns` (positional parameters) that updates the row whose `key` columns
    match instead (SQLite and PostgreSQL spell it alike)."""
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks(mark, len(columns))})"
        f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"
    )


@dataclass(frozen=True)
class StationRun:
    """One station's figures for one run: counts and the quality measures of its records."""

    station: str
    pages: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    records: int = 0
    empty_bodies: int = 0
    median_words: float = 0.0
    field_presence: dict[str, float] = field(default_factory=dict)


FETCH_FIELDS = tuple(f.name for f in fields(FetchState))
STATION_RUN_FIELDS = tuple(f.name for f in fields(StationRun) if f.name != "field_presence")


@dataclass(frozen=True)
class SearchHit:
    """One article a full-text search found: where it is, and the words around the match."""

    url: str
    canonical_url: str
    station: str
    title: str | None
    published: str | None
    snippet: str
    rank: float


@dataclass(frozen=True)
class RunOutcome:
    """What the crawl report said of a finished run: status, exit code, each station's
    warnings."""

    status: str | None = None
    exit_code: int | None = None
    warnings: dict[str, list[str]] = field(default_factory=dict)


class Store(ABC):
    """A place records, their versions, fetch state and run history are kept."""

    # What a failing store raises (locked, schema changed underneath, disk full, gone away).
    errors: tuple[type[Exception], ...] = (OSError,)
    # Whether other processes write at once (distributed workers): a crawl then writes each
    # record in a transaction of its own, so that none holds a story's locks across records.
    many_writers = False

    @abstractmethod
    def save_record(
        self,
        record: ArticleRecord,
        run_id: int | None = None,
        reason: str = FETCHED,
        printed: StoryPrint | None = None,
    ) -> str:
        """Upsert a record by its canonical url_key; return NEW, UPDATED or UNCHANGED. `reason`
        is kept with the version: 'fetched' (a crawl), or 'recleaned' (reclean, which found the
        record changed: a new version even when the text, its content_hash, is the same).
        `printed`: the body's story print (pipelines.stories.story_print, with the store's
        options), when it was made already; the store makes it otherwise."""

    @abstractmethod
    def fetch_states(self, url_keys: Sequence[str]) -> dict[str, FetchState]:
        """The stored fetch state of each of these url_keys that has one."""

    @abstractmethod
    def save_fetch_state(self, state: FetchState) -> None:
        """Insert or replace the fetch state of one URL."""

    @abstractmethod
    def station_fetch_states(self, station: str) -> Iterator[FetchState]:
        """Every stored fetch state of one station, read as consumed (memory stays flat)."""

    @abstractmethod
    def begin_run(self, started_at: str) -> int:
        """Record the start of a crawl run; return its id. A single-writer store (SQLite, under
        the run lock) first closes the row of a run that never finished as INTERRUPTED."""

    @abstractmethod
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

    @abstractmethod
    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """The most recent runs, newest first, each with its per-station figures
        (`stations`: {station: {pages, new, updated, ...}})."""

    @abstractmethod
    def station_history(self, station: str, before_run: int, limit: int = 10) -> list[StationRun]:
        """The station's figures from its most recent finished runs before `before_run`."""

    @abstractmethod
    def records(
        self, since: datetime | None = None, station: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Latest version of every stored record (published on/after `since`, of `station`)."""

    @abstractmethod
    def versions(self, canonical_url: str) -> list[dict[str, Any]]:
        """Every stored version of one story, oldest first, each the full record dict."""

    @abstractmethod
    def search(
        self,
        query: str,
        station: str | None = None,
        since: datetime | None = None,
        limit: int = 20,
    ) -> list[SearchHit]:
        """The latest versions matching every word of `query`, best first, with a snippet."""

    @abstractmethod
    def stories(self, since: datetime | None = None) -> list[dict[str, Any]]:
        """One row per story first published on/after `since`, newest first: story_id,
        headline, original_url, first_published, stations, copies (the original first)."""

    @abstractmethod
    def story_of(self, canonical_url: str) -> tuple[str | None, int]:
        """The stored article's story id and how many stored articles that story has."""

    @abstractmethod
    def backfill_stories(self) -> int:
        """Give a story to every stored article without one (a store from before stories);
        return how many."""

    @abstractmethod
    def save_page(self, key: str, page: Page) -> None:
        """Keep the fetched page of the stored article `key` (replacing the one before)."""

    @abstractmethod
    def stored_pages(
        self, station: str | None = None, since: datetime | None = None
    ) -> Iterator[tuple[str, Page, dict[str, Any]]]:
        """Each stored article (of `station`, published on/after `since`) with a stored page:
        its url_key, the Page, its latest version's record dict."""

    @abstractmethod
    def version_reasons(self, canonical_url: str) -> list[str]:
        """Why each stored version of one story was written ('fetched', 'recleaned'), oldest
        first."""

    @abstractmethod
    def station_bodies(self, station: str) -> list[dict[str, Any]]:
        """The latest body of each of the station's stored records (url_key, url, fetched_at,
        body, show): what its chrome is learned from."""

    @abstractmethod
    def keep_chrome(
        self, station: str, lines: list[dict[str, Any]], keys: Iterable[str], rewrite
    ) -> int:
        """In one transaction: add the station's newly learned chrome lines (rows of the
        `chrome` table) and rewrite its stored records `keys` (url_keys: those holding a line to
        remove) with `rewrite` in place (pipelines/store/chrome.py); return how many paragraphs
        went."""

    @abstractmethod
    def chrome(self, station: str) -> list[dict[str, Any]]:
        """The station's learned chrome lines, most pages first."""

    @abstractmethod
    def chrome_snapshot(self) -> dict[str, frozenset[str]]:
        """Every station's learned lines (folded), for the cleaner of a run."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

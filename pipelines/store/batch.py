"""WriteBatch: a crawl's store writes gathered into one transaction per batch.

A commit costs more than the writes of a record (SQLite appends every page it changed to its
write-ahead log), so the store pipeline writes up to `size` records, with the fetch states and
pages waiting to be saved, in one transaction, at the latest `delay` seconds after the first
write waited (PostgreSQL, many writers: one record a transaction, with the fetch states and
pages of the records before it). A record's outcome is known, and counted, only once its
transaction is committed: a process killed before that leaves no trace of it, and the next run
fetches the page again.

A write that fails is taken out of the batch and the others are written again without it, so
a failing record fails alone, as with one transaction a record. When the transaction itself
cannot begin or commit (the store locked by another writer, a full disk), every record of the
batch fails, and its fetch states and pages wait for the next batch (lost only when the last
one fails too): the records stored before the store failed keep their fetch states.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from scrapy.utils.asyncio import CallLaterResult, call_later

from pipelines.core.fetch import FetchState
from pipelines.core.items import ArticleRecord, Page
from pipelines.store.base import NEW, Store
from pipelines.store.sql import SQLStore
from pipelines.stories import StoryPrint

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Saved:
    """What storing a record gave: NEW, UPDATED or UNCHANGED, and for a new record how many
    stored articles its story has now (itself included)."""

    outcome: str
    copies: int = 0


@dataclass
class _Write:
    """One write waiting for the next transaction, and who to tell how it went (a record's
    writer waits for it: it fails with its batch)."""

    write: Callable[[Store], Any]
    done: Callable[[Any], None]
    failed: Callable[[Exception], None]
    record: bool = False
    result: Any = field(default=None)


class WriteBatch:
    """Store writes waiting for one transaction: records (awaited), fetch states and pages
    (written when their turn comes; a failure is reported to `lost`)."""

    def __init__(self, store: SQLStore, size: int = 1, delay: float = 0.0):
        self.store = store
        self.size = max(size, 1)
        self.delay = delay
        self.waiting: list[_Write] = []
        self.records = 0  # records among the waiting writes
        self.timer: CallLaterResult | None = None

    @classmethod
    def for_store(cls, store: SQLStore, size: int, delay: float) -> WriteBatch:
        """A crawl's batch: `size` records a transaction, or one when other processes write at
        once (none holds a story's locks across records); fetch states and pages wait for the
        next record's transaction either way, at most `delay` seconds."""
        return cls(store, 1 if store.many_writers else size, delay)

    async def save_record(
        self, record: ArticleRecord, run_id: int | None, printed: StoryPrint | None = None
    ) -> Saved:
        """Store `record` (with its story print, when made already) in the next transaction;
        its outcome once committed (the store's error when it could not be kept)."""
        future: asyncio.Future[Saved] = asyncio.get_running_loop().create_future()

        def write(store: Store) -> Saved:
            outcome = store.save_record(record, run_id, printed=printed)
            return Saved(outcome, store.story_of(record.canonical_url)[1] if outcome == NEW else 0)

        self.records += 1
        self._add(_Write(write, partial(_settle, future), partial(_settle, future), record=True))
        return await future

    def save_fetch_state(self, state: FetchState, lost: Callable[[Exception], None]) -> None:
        """Save `state` with the next transaction; `lost(error)` when it could not be."""
        self._add(_Write(lambda store: store.save_fetch_state(state), _ignore, lost))

    def save_page(self, key: str, page: Page, lost: Callable[[Exception], None]) -> None:
        """Keep the page of the stored article `key` with the next transaction."""
        self._add(_Write(lambda store: store.save_page(key, page), _ignore, lost))

    def _add(self, write: _Write) -> None:
        self.waiting.append(write)
        if self.records >= self.size or self.delay <= 0:
            self.flush()
        elif self.timer is None:
            self.timer = call_later(self.delay, self.flush)

    def flush(self, last: bool = False) -> None:
        """Write everything waiting in one transaction and tell each writer how it went
        (`last`: no batch follows, so nothing is left waiting)."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        writes, self.waiting, self.records = self.waiting, [], 0
        while writes:
            failing: _Write | None = None
            try:
                with self.store.transaction():
                    for failing in writes:
                        failing.result = failing.write(self.store)
                    failing = None
            except self.store.errors as exc:
                if failing is None:  # the transaction could not begin or commit
                    self._retry([w for w in writes if not (w.record or last)])
                    for write in writes:
                        if write.record or last:
                            write.failed(exc)
                    return
                failing.failed(exc)
                writes = [w for w in writes if w is not failing]
                continue
            except BaseException as exc:  # a bug: no writer waits for ever
                for write in writes:
                    write.failed(exc if isinstance(exc, Exception) else RuntimeError(exc))
                raise
            for write in writes:
                write.done(write.result)
            return

    def _retry(self, writes: list[_Write]) -> None:
        """Put fetch states and pages a failed transaction did not write back, ahead of the
        writes that came meanwhile, for the next batch."""
        self.waiting[:0] = writes
        if writes and self.timer is None and self.delay > 0:
            self.timer = call_later(self.delay, self.flush)


def _ignore(result: Any) -> None:
    """A fetch state or page written: nobody waits for it."""


def _settle(future: asyncio.Future, outcome: Any) -> None:
    """Give a waiting record its outcome or error (unless its wait was cancelled)."""
    if future.done():
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)

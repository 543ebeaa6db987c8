"""StorePipeline: keep each record, its fetch state and the run's per-station figures.

Records, fetch states and pages are written in batches, one transaction for up to
RADIOSCRAPE_STORE_BATCH records (pipelines/store/batch.py); a record counts as stored once its
transaction is committed. A store that fails (locked by another writer past the timeout, schema
changed underneath, disk full) never ends a run in "success": a record it could not keep is a
PageFailed (errors/store), and its fetch state is not saved, so the next run fetches the page
again. A fetch state or the run's figures that could not be saved only cost a refetch next run
(the station gets a warning; an unfinished run row is closed as interrupted by the next run).
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from contextlib import suppress
from dataclasses import replace
from functools import partial

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.stations import registry
from pipelines.core import signals as radioscrape_signals
from pipelines.core.dates import utc_iso, utc_now
from pipelines.core.fetch import (
    ARTICLE,
    ARTICLE_META,
    PAGE,
    STATION_META,
    ArticleFetch,
    FetchState,
)
from pipelines.core.items import ArticleRecord, response_to_page
from pipelines.core.stats import STATIONS, inc_stat, station_stats
from pipelines.core.urls import url_key
from pipelines.dedup import story_url
from pipelines.store import open_store
from pipelines.store.base import NEW, UNCHANGED, UPDATED, RunOutcome, StationRun
from pipelines.store.batch import WriteBatch
from pipelines.store.quality import RecordFigures, measure, quality_warnings, refusal_warning
from pipelines.store.sql import SQLStore
from pipelines.stories import StoryOptions, StoryPrint, prepare
from pipelines.validate import PageFailed

logger = logging.getLogger(__name__)
FOREIGN_CANONICAL = "filtered/foreign-canonical"


def fetch_states(response, record: ArticleRecord | None) -> list[FetchState]:
    """The fetch states an article response leaves (none for a response that is not an article
    request's; `record`: the record it gave, if any): the requested URL's and, when it was
    redirected, the target's too (the frontier asks the target directly next run)."""
    fetch: ArticleFetch | None = response.meta.get(ARTICLE_META) if response else None
    if fetch is None:
        return []
    checked_at = fetch.checked_at or utc_now()
    if response.status == 304 and fetch.previous is not None:
        return [replace(fetch.previous, lastmod=fetch.lastmod or fetch.previous.lastmod,
                        last_status=304, fetched_at=checked_at)]  # fmt: skip
    published = None
    if record is not None:
        with suppress(ValueError):
            published = utc_iso(record.published)
    header = response.headers.get
    state = FetchState(
        url_key=url_key(response.url),
        url=response.url,
        station=fetch.station,
        etag=(header("ETag") or b"").decode("latin-1") or None,
        last_modified=(header("Last-Modified") or b"").decode("latin-1") or None,
        lastmod=fetch.lastmod,
        content_hash=record.content_hash if record is not None else None,
        last_status=response.status,
        fetched_at=checked_at,
        kind=ARTICLE if record is not None else PAGE,
        published=published,
    )
    requested = fetch.url or response.url
    if (fetch.key if fetch.url else state.url_key) == state.url_key:  # fetch.key: fetch.url's
        return [replace(state, url_key=fetch.key, url=requested)]
    moved = replace(state, url_key=fetch.key, url=requested, redirect_to=response.url)
    return [moved, state]


class StorePipeline:
    """Upsert records into the RADIOSCRAPE_DB store (counted under the station as new, updated,
    unchanged, or filtered/foreign-canonical for a record kept under its page URL because its
    canonical URL is another site's: pipelines.dedup.story_url); save each article's fetch
    state; at close, measure the run's per-station figures and send the redesign warnings to
    the report (signal station_warnings); when the report is out (signal crawl_reported), save
    the figures with its status and exit code. With RADIOSCRAPE_KEEP_PAGES, keep each stored
    article's page (the response it was cleaned from) for `radioscrape reclean`."""

    def __init__(
        self,
        db: str,
        stats,
        timeout: float = 30.0,
        stories: StoryOptions | None = None,
        keep_pages: bool = True,
        batch: tuple[int, float] = (1, 0.0),
    ):
        self.db = db
        self.batch_size, self.batch_seconds = batch  # records per transaction, longest wait
        self.keep_pages = keep_pages
        self.stories = stories
        self.stats = stats
        self.timeout = timeout
        self.store: SQLStore | None = None
        self.writes: WriteBatch | None = None
        self.run_id = 0
        self.records: dict[str, list[RecordFigures]] = defaultdict(list)
        # the run's cleaned article pages by station: "kept", or the kind they were dropped as
        self.outcomes: dict[str, Counter[str]] = defaultdict(Counter)
        self.runs: list[StationRun] = []
        self.unsaved_states: dict[str, int] = defaultdict(int)  # fetch states lost, by station
        self.warnings: dict[str, list[str]] = {}
        self.outcome = RunOutcome()  # the report's status and exit code, once it is out
        self.signals = None  # the crawler's SignalManager: the warnings are sent with it
        # story prints an extraction worker made (signal story_printed), by content_hash (the
        # print is the body's), until their record is stored or dropped
        self.prints: dict[str, StoryPrint] = {}

    @classmethod
    def from_crawler(cls, crawler):
        """Build the pipeline from RADIOSCRAPE_DB (empty: no store) and connect its signals."""
        db = crawler.settings.get("RADIOSCRAPE_DB")
        if not db:
            raise NotConfigured("RADIOSCRAPE_DB is empty")
        stories = StoryOptions.from_settings(crawler.settings)
        prepare(stories)  # now: once the crawl runs, a second's pause costs leases (distributed)
        pipeline = cls(
            db,
            crawler.stats,
            crawler.settings.getfloat("RADIOSCRAPE_DB_TIMEOUT"),
            stories,
            crawler.settings.getbool("RADIOSCRAPE_KEEP_PAGES"),
            (
                crawler.settings.getint("RADIOSCRAPE_STORE_BATCH"),
                crawler.settings.getfloat("RADIOSCRAPE_STORE_BATCH_SECONDS"),
            ),
        )
        crawler.signals.connect(pipeline.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.response_received, signal=signals.response_received)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.crawl_reported, signal=radioscrape_signals.crawl_reported)
        crawler.signals.connect(pipeline.story_printed, signal=radioscrape_signals.story_printed)
        pipeline.signals = crawler.signals
        return pipeline

    def open_spider(self) -> None:
        """Open the store and record the start of the run."""
        self.store = open_store(self.db, timeout=self.timeout, stories=self.stories)
        self.run_id = self.store.begin_run(utc_now())
        self.writes = WriteBatch.for_store(self.store, self.batch_size, self.batch_seconds)
        if backfilled := self.store.backfill_stories():  # a store from before stories
            logger.info("%d stored articles given a story", backfilled)

    async def process_item(self, item):
        """Store a record (with the next batch); count it as new, updated or unchanged under
        its station; raise PageFailed (errors/store) when the store cannot keep it."""
        if not isinstance(item, ArticleRecord):
            return item
        printed = self.prints.pop(item.content_hash, None)
        url, foreign = story_url(item)
        if foreign:
            logger.warning(
                "%s: canonical URL %s is not its station's", item.url, item.canonical_url
            )
            item = replace(item, canonical_url=url)
        try:
            saved = await self.writes.save_record(item, self.run_id, printed)
        except self.store.errors as exc:
            logger.error("%s: not stored: %s", item.url, exc)
            raise PageFailed(item.url, "store", f"not stored: {exc}") from exc
        inc_stat(self.stats, item.station, FOREIGN_CANONICAL if foreign else saved.outcome)
        if saved.outcome != UNCHANGED:
            self.records[item.station].append(RecordFigures.of(item))
        if saved.outcome == NEW:  # a new story, or a new copy of a stored one (stories/...)
            kind = "copies" if saved.copies > 1 else "new"
            inc_stat(self.stats, item.station, f"stories/{kind}")
        return item

    def story_printed(self, record: ArticleRecord, printed: StoryPrint, options) -> None:
        """Keep the story print a worker made for `record`, when made with the store's
        options."""
        if self.store is not None and options == self.store.story_options:
            self.prints[record.content_hash] = printed

    def item_scraped(self, item, response) -> None:
        """Save the fetch state of an article that gave a stored record, and keep its page."""
        if isinstance(item, ArticleRecord):
            label = response.meta.get(STATION_META) if response is not None else None
            self.outcomes[label or item.station]["kept"] += 1
            self._save_states(fetch_states(response, item))
            if self.keep_pages and response is not None and ARTICLE_META in response.meta:
                self._keep_page(item, response)

    def _keep_page(self, record: ArticleRecord, response) -> None:
        """Keep the page a record was cleaned from, as the spider's Page of it (its fetch time
        the record's), with the next batch; a store error is logged and costs only that page."""
        station = record.station if record.station in registry().by_key else None
        page = replace(response_to_page(response, station), fetched_at=record.fetched_at)

        def lost(exc: Exception) -> None:
            logger.error("%s: page not kept: %s", record.url, exc)

        self.writes.save_page(url_key(record.canonical_url), page, lost)

    def item_dropped(self, item, response, exception) -> None:
        """Save the fetch state of a refused page, so an unchanged one is not fetched again;
        not of a page that failed for a reason outside it (PageFailed): that one is fetched
        again next run."""
        if isinstance(item, ArticleRecord):  # dropped after cleaning: its print is not needed
            self.prints.pop(item.content_hash, None)
        if not isinstance(exception, PageFailed):
            self._save_states(fetch_states(response, None))
            if response is not None and (label := response.meta.get(STATION_META)):
                self.outcomes[label][getattr(exception, "kind", "other")] += 1

    def response_received(self, response, request) -> None:
        """A 304 refreshes the stored state (fetch time, source date)."""
        if response.status == 304:
            self._save_states(fetch_states(response, None))

    def _save_states(self, states: list[FetchState]) -> None:
        """Save fetch states with the next batch; a store error only costs a refetch next run
        (counted for the station's warnings)."""
        for state in states:
            self.writes.save_fetch_state(state, partial(self._state_lost, state))

    def _state_lost(self, state: FetchState, exc: Exception) -> None:
        logger.error("%s: fetch state not saved: %s", state.url, exc)
        self.unsaved_states[state.station] += 1

    def close_spider(self) -> None:
        """Tell records_stored which stations got new or updated records (their chrome is
        learned: pipelines/chrome.py); measure each station's run against its history; send
        the warnings to the report. The writes still waiting are written first."""
        if self.writes is not None:
            self.writes.flush()
        if self.signals is not None:
            self.signals.send_catch_log(
                signal=radioscrape_signals.records_stored, store=self.store,
                stations=sorted(label for label, done in self.records.items() if done),
            )  # fmt: skip
        stats = self.stats.get_stats()
        for label in stats.get(STATIONS, []):
            counts = station_stats(stats, label)
            quality = measure(label, self.records[label], counts.get("dropped/empty", 0))
            run = replace(
                quality,
                pages=counts.get("pages", 0),
                new=counts.get(NEW, 0),
                updated=counts.get(UPDATED, 0),
                unchanged=counts.get(UNCHANGED, 0),
                errors=sum(v for k, v in counts.items() if k.startswith("errors/")),
            )
            try:
                history = self.store.station_history(label, before_run=self.run_id)
            except self.store.errors as exc:
                logger.error("%s: station history not read: %s", label, exc)
                history = []
            warnings = quality_warnings(run, history)
            if refused := refusal_warning(self.outcomes[label]):
                warnings.insert(0, refused)
            if lost := self.unsaved_states.get(label):
                warnings.append(f"{lost} fetch states not saved (store error): fetched again")
            if warnings:
                self.warnings[label] = warnings
            self.runs.append(run)
        if self.signals is not None:
            self.signals.send_catch_log(
                signal=radioscrape_signals.station_warnings, warnings=self.warnings
            )

    def crawl_reported(self, report: dict, exit_code: int) -> None:
        """Keep the report's status and exit code for the run's row."""
        self.outcome = RunOutcome(report["status"], report["exit_code"])

    def spider_closed(self, reason: str) -> None:
        """Save the run's per-station figures with its finish reason, the report's status and
        exit code (the report extension's spider_closed runs first: extensions connect their
        signals before pipelines); close the store (when that fails, the next run closes this
        run's row as interrupted)."""
        if self.store is not None:
            if self.writes is not None:  # what a failing store left waiting, at the latest
                self.writes.flush(last=True)
            outcome = replace(self.outcome, warnings=self.warnings)
            try:
                self.store.finish_run(self.run_id, utc_now(), reason, self.runs, outcome)
            except self.store.errors as exc:
                logger.error("the run's figures were not saved: %s", exc)
            self.store.close()
            self.store = None

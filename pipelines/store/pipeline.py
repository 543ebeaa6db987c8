"""StorePipeline: keep each record, its fetch state and the run's per-station figures."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.items import ArticleRecord, utc_now
from crawler.spiders.station import ARTICLE_META, ArticleFetch
from pipelines.store import open_store
from pipelines.store.base import NEW, UNCHANGED, UPDATED, FetchState, StationRun, Store
from pipelines.store.quality import RecordFigures, measure, quality_warnings


def fetch_state(response, content_hash: str | None) -> FetchState | None:
    """The fetch state an article response leaves (None for responses that are not articles)."""
    fetch: ArticleFetch | None = response.meta.get(ARTICLE_META) if response else None
    if fetch is None:
        return None
    if response.status == 304 and fetch.previous is not None:
        return replace(
            fetch.previous,
            lastmod=fetch.lastmod or fetch.previous.lastmod,
            last_status=304,
            fetched_at=utc_now(),
        )
    header = response.headers.get
    return FetchState(
        url_key=fetch.key,
        url=response.url,
        station=fetch.station,
        etag=(header("ETag") or b"").decode("latin-1") or None,
        last_modified=(header("Last-Modified") or b"").decode("latin-1") or None,
        lastmod=fetch.lastmod,
        content_hash=content_hash,
        last_status=response.status,
        fetched_at=utc_now(),
    )


class StorePipeline:
    """Upsert records into the RADIOSCRAPE_DB store (stats radioscrape/<station>/new|updated|
    unchanged); save each article's fetch state; at close, save the run's per-station figures
    and put redesign warnings in radioscrape/<station>/warnings."""

    def __init__(self, db: str, stats):
        self.db = db
        self.stats = stats
        self.store: Store | None = None
        self.run_id = 0
        self.records: dict[str, list[RecordFigures]] = defaultdict(list)
        self.runs: list[StationRun] = []

    @classmethod
    def from_crawler(cls, crawler):
        """Build the pipeline from RADIOSCRAPE_DB (empty: no store) and connect its signals."""
        db = crawler.settings.get("RADIOSCRAPE_DB")
        if not db:
            raise NotConfigured("RADIOSCRAPE_DB is empty")
        pipeline = cls(db, crawler.stats)
        crawler.signals.connect(pipeline.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.response_received, signal=signals.response_received)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        """Open the store and record the start of the run."""
        self.store = open_store(self.db)
        self.run_id = self.store.begin_run(utc_now())

    def process_item(self, item):
        """Store a record; count it as new, updated or unchanged under its station."""
        if not isinstance(item, ArticleRecord):
            return item
        outcome = self.store.save_record(item, self.run_id)
        self.stats.inc_value(f"radioscrape/{item.station}/{outcome}")
        if outcome != UNCHANGED:
            self.records[item.station].append(RecordFigures.of(item))
        return item

    def item_scraped(self, item, response) -> None:
        """Save the fetch state of an article that gave a stored record."""
        if isinstance(item, ArticleRecord) and (state := fetch_state(response, item.content_hash)):
            self.store.save_fetch_state(state)

    def item_dropped(self, item, response) -> None:
        """Save the fetch state of a refused page, so an unchanged one is not fetched again."""
        if state := fetch_state(response, None):
            self.store.save_fetch_state(state)

    def response_received(self, response, request) -> None:
        """A 304 refreshes the stored state (fetch time, source date)."""
        if response.status == 304 and (state := fetch_state(response, None)):
            self.store.save_fetch_state(state)

    def close_spider(self) -> None:
        """Measure each station's run against its history; put warnings in the stats."""
        figures = self.stats.get_stats()
        for label in figures.get("radioscrape/stations", []):
            prefix = f"radioscrape/{label}/"
            quality = measure(label, self.records[label], figures.get(f"{prefix}dropped/empty", 0))
            run = replace(
                quality,
                pages=figures.get(f"{prefix}pages", 0),
                new=figures.get(f"{prefix}{NEW}", 0),
                updated=figures.get(f"{prefix}{UPDATED}", 0),
                unchanged=figures.get(f"{prefix}{UNCHANGED}", 0),
                errors=sum(v for k, v in figures.items() if k.startswith(f"{prefix}errors/")),
            )
            history = self.store.station_history(label, before_run=self.run_id)
            if warnings := quality_warnings(run, history):
                self.stats.set_value(f"{prefix}warnings", warnings)
            self.runs.append(run)

    def spider_closed(self, reason: str) -> None:
        """Save the run's per-station figures with its finish reason; close the store."""
        if self.store is not None:
            self.store.finish_run(self.run_id, utc_now(), reason, self.runs)
            self.store.close()
            self.store = None

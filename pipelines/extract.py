"""ExtractPipeline: Page in, ArticleRecord out, through the one cleaning chain."""

from __future__ import annotations

import logging

from scrapy.exceptions import DropItem

from crawler.items import ArticleRecord, Page
from crawler.stations import registry
from pipelines.clean import CleanError, build_record

logger = logging.getLogger(__name__)


class PageRefused(DropItem):
    """A page that gives no record; `kind` is the reason ('listing', 'empty', ...)."""

    def __init__(self, url: str, kind: str, message: str):
        super().__init__(f"{url}: {message}")
        self.url = url
        self.kind = kind


class ExtractPipeline:
    """Turn each Page into an ArticleRecord with build_record; refuse non-articles."""

    def __init__(self, stats=None):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        """Build the pipeline with the crawl's stats collector."""
        return cls(stats=crawler.stats)

    def process_item(self, item):
        """Clean a Page; pass other items through untouched."""
        if not isinstance(item, Page):
            return item
        profile = registry().get(item.station) if item.station else None
        try:
            record: ArticleRecord = build_record(item, profile)
        except CleanError as exc:
            self._inc(f"radioscrape/dropped/{exc.kind}")
            raise PageRefused(item.url, exc.kind, str(exc)) from exc
        for rule, count in record.clutter.items():
            self._inc(f"radioscrape/clutter/{rule}", count)
        self._inc("radioscrape/extracted")
        return record

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(key, count)

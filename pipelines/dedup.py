"""DedupPipeline: one record per story (url_key of its canonical URL) per run."""

from __future__ import annotations

from crawler.items import ArticleRecord
from pipelines.clean.urls import url_key
from pipelines.validate import RecordDropped


class DedupPipeline:
    """Drop a record whose story this run has already produced (a routine drop: DEBUG)."""

    def __init__(self, stats):
        self.stats = stats
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        """Build the pipeline with the crawl's stats collector."""
        return cls(stats=crawler.stats)

    def process_item(self, item):
        """Pass the first record of each story; drop the others as 'duplicate'."""
        if not isinstance(item, ArticleRecord):
            return item
        key = url_key(item.canonical_url)
        if key in self.seen:
            self.stats.inc_value("radioscrape/dropped/duplicate")
            raise RecordDropped(item, "duplicate", log_level="DEBUG")
        self.seen.add(key)
        return item

"""ValidatePipeline: drop records that miss what every record needs, or fall before --since."""

from __future__ import annotations

from datetime import datetime

from scrapy.exceptions import DropItem

from pipelines.core.dates import parse_date
from pipelines.core.items import ArticleRecord
from pipelines.core.urls import is_http_url


class RecordDropped(DropItem):
    """A record the pipelines refuse to keep; `kind` names why (counted in the report)."""

    def __init__(self, record: ArticleRecord, kind: str, log_level: str | None = None):
        super().__init__(f"{record.url}: dropped ({kind})", log_level=log_level)
        self.kind = kind


class PageFailed(DropItem):
    """A page or record lost for a reason outside the page (a dead extraction worker, a store
    that refused the write): the report counts it under errors/<kind>, which makes the run
    partial, and no fetch state is saved for it, so the next run fetches it again."""

    group = "errors"  # the report group it is counted in (refusals are counted as dropped)

    def __init__(self, url: str, kind: str, message: str):
        super().__init__(f"{url}: {message}")
        self.url = url
        self.kind = kind


def invalid_reason(record: ArticleRecord) -> str | None:
    """Why a record is not fit to store ('no-title', 'no-body', ...), or None."""
    if not record.title.strip():
        return "no-title"
    if not record.body and not record.embeds:
        return "no-body"
    if not is_http_url(record.canonical_url):
        return "no-canonical-url"
    if not record.station:
        return "no-station"
    if not record.content_hash:
        return "no-content-hash"
    return None


class ValidatePipeline:
    """Drop invalid records (reported as dropped/invalid/<reason>) and, with RADIOSCRAPE_SINCE,
    records published before it (dropped/before-since)."""

    def __init__(self, since: datetime | None = None):
        self.since = since

    @classmethod
    def from_crawler(cls, crawler):
        """Build the pipeline with the crawl's RADIOSCRAPE_SINCE date."""
        return cls(since=parse_date(crawler.settings.get("RADIOSCRAPE_SINCE")))

    def process_item(self, item):
        """Pass a valid record on; raise RecordDropped for one that is not."""
        if not isinstance(item, ArticleRecord):
            return item
        if reason := invalid_reason(item):
            raise RecordDropped(item, f"invalid/{reason}")
        if self.since and (published := parse_date(item.published)) and published < self.since:
            raise RecordDropped(item, "before-since", log_level="DEBUG")
        return item

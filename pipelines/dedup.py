"""DedupPipeline: one record per story per run, keyed by a URL the record's station owns."""

from __future__ import annotations

from urllib.parse import urlsplit

from crawler.stations import registry
from pipelines.core.items import ArticleRecord
from pipelines.core.urls import canonicalize, url_key
from pipelines.validate import RecordDropped


def _bare(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def story_url(record: ArticleRecord) -> tuple[str, bool]:
    """The URL a record is kept under, and whether its canonical URL was foreign.

    A page's canonical URL is only believed when it is on its station's hosts: the profile's
    domains, or the host the page was fetched from (a site with no profile, a local mirror).
    A page naming another site's story as its canonical (a copy, or a hostile mirror) is kept
    under its own URL instead, so it can never replace that story.
    """
    profile = registry().by_key.get(record.station)
    own = {
        _bare(record.url),
        *(d.removeprefix("www.") for d in (profile.domains if profile else ())),
    }
    if _bare(record.canonical_url) in own:
        return record.canonical_url, False
    if profile is not None and (urlsplit(record.url).hostname or "").lower() in profile.domains:
        return canonicalize(record.url, profile.canonical_host), True
    return canonicalize(record.url, keep_origin=True), True


class DedupPipeline:
    """Drop a record whose story this run has already produced (a routine drop: DEBUG)."""

    def __init__(self):
        self.seen: set[str] = set()

    def process_item(self, item):
        """Pass the first record of each story; drop the others as 'duplicate'."""
        if not isinstance(item, ArticleRecord):
            return item
        key = url_key(story_url(item)[0])
        if key in self.seen:
            raise RecordDropped(item, "duplicate", log_level="DEBUG")
        self.seen.add(key)
        return item

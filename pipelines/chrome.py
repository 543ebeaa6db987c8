"""Learning each station's chrome after a crawl: the lines its stored stories repeat
(pipelines.clean.chrome) are kept in the store and removed from its stored records
(pipelines/store/chrome.py).

ChromeLearner is the crawl's part (a Scrapy extension, on with RADIOSCRAPE_LEARN_CHROME): when
the store pipeline has kept every record of the run (signal records_stored), it learns the chrome
of each station that got new or updated records, and counts the paragraphs that went from its
stored records as clutter/learned-chrome. The next run's cleaner starts from what was learned.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from functools import partial

from scrapy.exceptions import NotConfigured

from pipelines.clean.chrome import (
    LEARNED_CHROME,
    MIN_PAGES,
    MIN_SHARE,
    ChromeLine,
    StoredBody,
    learn_chrome,
    strip_stored,
)
from pipelines.clean.text import fold
from pipelines.core import signals as radioscrape_signals
from pipelines.core.stats import inc_stat
from pipelines.store.base import Store

logger = logging.getLogger(__name__)


def learn_station(
    store: Store, station: str, min_pages: int = MIN_PAGES, min_share: float = MIN_SHARE
) -> tuple[list[ChromeLine], int]:
    """Learn `station`'s chrome from its stored records, keep the new lines and remove every
    learned line from the stored records that hold one: (the lines learned now, paragraphs
    removed)."""
    stored = store.station_bodies(station)
    bodies = [
        StoredBody(row["url"], row["fetched_at"] or "", row["body"], row["show"]) for row in stored
    ]
    found = learn_chrome(bodies, min_pages, min_share)
    if not found:  # no record holds a line to learn (or one learned before): nothing to do
        return [], 0
    known = store.chrome_snapshot().get(station, frozenset())
    learned = [line for line in found if fold(line.text) not in known]
    keys = known | {fold(line.text) for line in found}
    rows = [{**asdict(line), "line_key": fold(line.text)} for line in learned]
    # only the records holding a line are read again and rewritten, not the whole station
    holding = [
        row["url_key"]
        for row, body in zip(stored, bodies, strict=True)
        if not keys.isdisjoint(body.folded)
    ]
    removed = store.keep_chrome(station, rows, holding, partial(strip_stored, learned=keys))
    for line in learned:
        logger.info(
            "%s: learned chrome (%d of %d stories%s, %s): %s", station, line.pages,
            line.stories, f" of {line.show}" if line.show else "", line.position, line.text,
        )  # fmt: skip
    return learned, removed


class ChromeLearner:
    """Learn the chrome of the stations a run stored records of, once the store pipeline has
    kept them all (RADIOSCRAPE_LEARN_CHROME); a store error is logged and costs only the
    learning."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        """The learner, listening for records_stored; NotConfigured when learning is off."""
        if not crawler.settings.getbool("RADIOSCRAPE_LEARN_CHROME"):
            raise NotConfigured("RADIOSCRAPE_LEARN_CHROME is off")
        if crawler.settings.get("RADIOSCRAPE_REDIS"):
            # A worker of a distributed crawl that finishes first would rewrite the station's
            # records while the others still store theirs (and hold up their leases).
            raise NotConfigured("a worker of a distributed crawl does not learn chrome")
        learner = cls(crawler.stats)
        crawler.signals.connect(learner.records_stored, signal=radioscrape_signals.records_stored)
        return learner

    def records_stored(self, store: Store, stations: list[str]) -> None:
        """Learn each station's chrome; count what went from its stored records."""
        for station in sorted(stations):
            try:
                _, removed = learn_station(store, station)
            except store.errors as exc:
                logger.error("%s: chrome not learned: %s", station, exc)
                continue
            if removed:
                inc_stat(self.stats, station, f"clutter/{LEARNED_CHROME}", removed)

"""`radioscrape reclean`: rebuild stored records from their stored pages with the current cleaner.

Each stored page goes through the crawl's own chain (clean_page with the stations' learned
chrome as the store holds it, unless RADIOSCRAPE_LEARN_CHROME is off; the validator's checks,
the store's URL for the record); a record that differs from the latest stored version in anything
but its fetch time becomes a new version with the reason 'recleaned'. A page the cleaner now
refuses, or whose record now has another canonical URL, or a page older than the latest version
(kept while RADIOSCRAPE_KEEP_PAGES was on, not since), leaves the stored record as it is
(counted by reason). Nothing is fetched.

Exit codes: 0 done, 2 usage or store error (no store at --db, a store that cannot be opened).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime

from crawler.options import add_config_options
from crawler.store_cli import DB_HELP, iso_date_argument, with_store
from pipelines.clean import clean_page
from pipelines.clean.chrome import ChromeSnapshot
from pipelines.core.items import ArticleRecord, Page, dumps
from pipelines.core.urls import url_key
from pipelines.dedup import story_url
from pipelines.store.base import RECLEANED, Store
from pipelines.validate import invalid_reason

CANONICAL_CHANGED = "canonical-changed"  # the page's record now has another identity: kept
STALE_PAGE = "stale-page"  # the page kept is older than the latest version (not kept since)


@dataclass
class RecleanSummary:
    """What a reclean did: pages read, records rewritten (their URLs), unchanged, left as they
    were ({reason: count})."""

    pages: int = 0
    recleaned: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept: Counter[str] = field(default_factory=Counter)

    def line(self) -> str:
        """One line for the terminal."""
        kept = ", ".join(f"{n} {reason}" for reason, n in sorted(self.kept.items()))
        return (
            f"{self.pages} stored pages: {len(self.recleaned)} recleaned, {self.unchanged}"
            f" unchanged{f', kept as stored: {kept}' if kept else ''}"
        )


def _comparable(record: dict) -> dict:
    """A record dict as stored JSON gives it back, without its fetch time."""
    data = json.loads(dumps(record))
    data.pop("fetched_at", None)
    return data


def rebuild(key: str, page: Page, chrome: ChromeSnapshot | None = None) -> ArticleRecord | str:
    """The record the current cleaner makes of a stored page (with the learned `chrome`), as
    the crawl would store it, or why it is not stored (a refusal kind, invalid/<reason>,
    canonical-changed)."""
    record = clean_page(page, chrome=chrome)
    if isinstance(record, tuple):
        return record[0]
    if reason := invalid_reason(record):
        return f"invalid/{reason}"
    url, foreign = story_url(record)
    if foreign:
        record = replace(record, canonical_url=url)
    if url_key(record.canonical_url) != key:
        return CANONICAL_CHANGED
    return record


def reclean(
    store: Store, station: str | None = None, since: datetime | None = None, chrome: bool = True
) -> RecleanSummary:
    """Rebuild the stored records of `station` published on/after `since` (default: all) from
    their stored pages (with the stations' learned chrome, unless `chrome` is off); write a
    'recleaned' version of each that changed."""
    summary = RecleanSummary()
    snapshot = store.chrome_snapshot() if chrome else None
    for key, page, stored in store.stored_pages(station, since):
        summary.pages += 1
        if page.fetched_at < (stored.get("fetched_at") or ""):
            summary.kept[STALE_PAGE] += 1
            continue
        record = rebuild(key, page, snapshot)
        if isinstance(record, str):
            summary.kept[record] += 1
        elif _comparable(record.to_dict()) == _comparable(stored):
            summary.unchanged += 1
        else:
            store.save_record(record, reason=RECLEANED)
            summary.recleaned.append(record.canonical_url)
    return summary


def learning_on(args: argparse.Namespace) -> bool:
    """Whether RADIOSCRAPE_LEARN_CHROME is on in the command's configuration."""
    return str(args.config_values.get("learn_chrome")).lower() not in ("0", "false")


def register(subparsers) -> None:
    """Add the `reclean` subcommand to the `radioscrape` parser."""
    parser = subparsers.add_parser(
        "reclean",
        help="rebuild stored records from their stored pages with the current cleaner"
        " (a new version, reason 'recleaned', only where the record changed)",
    )
    parser.add_argument("--station", metavar="KEY", help="only this station (default: all)")
    parser.add_argument(
        "--since", type=iso_date_argument, metavar="DATE",
        help="only articles published on/after this ISO 8601 date (default: all)",
    )  # fmt: skip
    parser.add_argument("--db", help=DB_HELP)
    add_config_options(parser)
    parser.set_defaults(func=cmd_reclean)


def cmd_reclean(args: argparse.Namespace) -> int:
    """`radioscrape reclean`: print each recleaned record's URL, then the counts (stderr)."""

    def work(store: Store) -> int:
        summary = reclean(store, args.station, args.since, chrome=learning_on(args))
        for url in summary.recleaned:
            print(f"recleaned {url}")
        print(summary.line(), file=sys.stderr)
        return 0

    return with_store(args, work)

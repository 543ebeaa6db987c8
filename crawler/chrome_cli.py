"""`radioscrape chrome KEY`: a station's learned chrome (pipelines/store/chrome.py), with counts.

By default it lists the lines the store has learned for the station (each crawl learns them
from the station's stored records: pipelines/chrome.py, RADIOSCRAPE_LEARN_CHROME). With
--from-pages it shows instead what the station's stored pages repeat now: each is cleaned again
by the current cleaner without learned chrome (as `reclean` does) and the bodies are given to
learn_chrome; nothing is stored.

Exit codes: 0 done (nothing learned too), 2 usage or store error.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict

from crawler.options import add_config_options
from crawler.reclean import rebuild
from crawler.store_cli import DB_HELP, with_store
from pipelines.clean.chrome import MIN_PAGES, MIN_SHARE, ChromeLine, StoredBody, learn_chrome
from pipelines.core.items import ArticleRecord, dumps
from pipelines.store.base import Store


def station_chrome(
    store: Store, station: str, min_pages: int = MIN_PAGES, min_share: float = MIN_SHARE
) -> tuple[int, list[ChromeLine]]:
    """How many of the station's stored pages gave a record, and the chrome they repeat."""
    bodies = []
    for key, page, _ in store.stored_pages(station):
        record = rebuild(key, page)
        if isinstance(record, ArticleRecord):
            bodies.append(
                StoredBody(record.canonical_url, page.fetched_at, record.body, record.show)
            )
    return len(bodies), learn_chrome(bodies, min_pages, min_share)


def register(subparsers) -> None:
    """Add the `chrome` subcommand to the `radioscrape` parser."""
    parser = subparsers.add_parser(
        "chrome", help="a station's learned chrome: the lines its stories repeat, with counts"
    )
    parser.add_argument("station", metavar="KEY", help="the station (its key in the store)")
    parser.add_argument(
        "--from-pages", action="store_true",
        help="show what the stored pages repeat now (cleaned again), instead of what is learned",
    )  # fmt: skip
    parser.add_argument(
        "--min-pages", type=int, default=MIN_PAGES,
        help="--from-pages: on at least this many of its stories (default: %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--min-share", type=float, default=MIN_SHARE,
        help="--from-pages: and on at least this share of them (default: %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--format", "-f", choices=["text", "json"], default="text",
        help="output format (default: %(default)s)",
    )  # fmt: skip
    parser.add_argument("--db", help=DB_HELP)
    add_config_options(parser)
    parser.set_defaults(func=cmd_chrome)


def cmd_chrome(args: argparse.Namespace) -> int:
    """`radioscrape chrome KEY`: each line with its counts, position and an example."""

    def work(store: Store) -> int:
        if args.from_pages:
            pages, lines = station_chrome(store, args.station, args.min_pages, args.min_share)
            summary = f"{len(lines)} repeated lines in {pages} stored pages"
        else:
            lines = [ChromeLine(**row) for row in store.chrome(args.station)]
            summary = f"{len(lines)} learned lines"
        if args.format == "json":
            print(dumps([asdict(line) for line in lines], indent=2))
        else:
            for line in lines:
                counts = f"{line.pages}/{line.stories} ({line.share:.0%})"
                print(f"{counts:>16} {line.position:<6} {line.text}")
                seen = f"{line.first_seen} .. {line.last_seen}  e.g. {line.example_url}"
                print(f"{'':>17}{seen}{f'  (show: {line.show})' if line.show else ''}")
        print(f"{args.station}: {summary}", file=sys.stderr)
        return 0

    return with_store(args, work)

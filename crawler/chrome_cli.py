"""`radioscrape chrome KEY`: the lines a station's stored pages repeat (pipelines.clean.chrome).

Each of the station's stored pages is cleaned by the current cleaner (as `reclean` does) and the
bodies are given to learn_chrome. Read-only: nothing is stored, nothing is removed from any
record; this shows what would be learned.

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
            bodies.append(StoredBody(record.canonical_url, page.fetched_at, record.body))
    return len(bodies), learn_chrome(bodies, min_pages, min_share)


def register(subparsers) -> None:
    """Add the `chrome` subcommand to the `radioscrape` parser."""
    parser = subparsers.add_parser(
        "chrome", help="lines a station's stored pages repeat (what would be learned as chrome)"
    )
    parser.add_argument("station", metavar="KEY", help="the station (its key in the store)")
    parser.add_argument(
        "--min-pages", type=int, default=MIN_PAGES,
        help="on at least this many of its stories (default: %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--min-share", type=float, default=MIN_SHARE,
        help="and on at least this share of them (default: %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--format", "-f", choices=["text", "json"], default="text",
        help="output format (default: %(default)s)",
    )  # fmt: skip
    parser.add_argument("--db", help=DB_HELP)
    add_config_options(parser)
    parser.set_defaults(func=cmd_chrome)


def cmd_chrome(args: argparse.Namespace) -> int:
    """`radioscrape chrome KEY`: each repeated line with its counts, position and an example."""

    def work(store: Store) -> int:
        pages, lines = station_chrome(store, args.station, args.min_pages, args.min_share)
        if args.format == "json":
            print(dumps([asdict(line) for line in lines], indent=2))
        else:
            for line in lines:
                print(f"{line.pages:>4} ({line.share:.0%}) {line.position:<6} {line.text}")
                print(f"{'':>12}{line.first_seen} .. {line.last_seen}  e.g. {line.example_url}")
        print(
            f"{args.station}: {len(lines)} repeated lines in {pages} stored pages", file=sys.stderr
        )
        return 0

    return with_store(args, work)

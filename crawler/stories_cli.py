"""`radioscrape stories`: one row per story in the store, with every station that carried it.

Exit codes: 0 done (no story too), 2 usage or store error (no store at --db, a store that
cannot be opened).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import IO, Any

from crawler.options import add_config_options
from crawler.store_cli import iso_date_argument
from pipelines.core.items import dumps
from pipelines.store import POSTGRES_SCHEMES, open_store
from pipelines.store.export import atomic_output

EXIT_STORE = 2
CSV_COLUMNS = ("story_id", "headline", "first_published", "original_url", "copies", "stations",
               "urls")  # fmt: skip


def register(subparsers) -> None:
    """Add the `stories` subcommand to the `radioscrape` parser."""
    stories = subparsers.add_parser(
        "stories",
        help="stored stories, newest first: headline, first published, its copies",
    )
    stories.add_argument(
        "--since",
        type=iso_date_argument,
        help="only stories first published on/after this date (default: all)",
    )
    stories.add_argument(
        "--format", choices=["text", "json", "jsonl", "csv"], default="text",
        help="output format (default: %(default)s)",
    )  # fmt: skip
    stories.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write here (atomically) instead of stdout (default: stdout)",
    )
    stories.add_argument(
        "--db",
        help="SQLite file or postgresql:// DSN (default: $RADIOSCRAPE_DB, config db)",
    )
    add_config_options(stories)
    stories.set_defaults(func=cmd_stories)


def write_stories(stories: list[dict[str, Any]], fmt: str, out: IO[str]) -> None:
    """The stories as text (a block each), JSON, JSON Lines or CSV (one row each)."""
    if fmt == "json":
        out.write(dumps(stories, indent=2) + "\n")
    elif fmt == "jsonl":
        out.writelines(dumps(story) + "\n" for story in stories)
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for story in stories:
            writer.writerow(
                {
                    **{name: story[name] for name in CSV_COLUMNS[:4]},
                    "copies": len(story["copies"]),
                    "stations": " ".join(story["stations"]),
                    "urls": " ".join(copy["url"] for copy in story["copies"]),
                }
            )
    else:
        for story in stories:
            copies = story["copies"]
            dated = story["first_published"] or "(undated)"
            out.write(
                f"{dated}  {story['headline']}  [{story['story_id']}]\n"
                f"   {len(copies)} cop{'ies' if len(copies) != 1 else 'y'}: "
                f"{', '.join(story['stations'])}\n"
                + "".join(f"   {copy['station']:<16}{copy['url']}\n" for copy in copies)
            )


def cmd_stories(args: argparse.Namespace) -> int:
    """`radioscrape stories [--since DATE]`: the stored stories, newest first."""
    db = str(args.config_values.get("db"))
    if not db.startswith(POSTGRES_SCHEMES) and not Path(db).is_file():
        print(f"radioscrape: no store at {db}", file=sys.stderr)
        return EXIT_STORE
    try:
        with open_store(db) as store:
            store.backfill_stories()  # a store from before stories
            stories = store.stories(since=args.since)
        with atomic_output(args.output) as out:
            write_stories(stories, args.format, out)
    except OSError as exc:
        print(f"radioscrape: {exc}", file=sys.stderr)
        return EXIT_STORE
    copies = sum(len(story["copies"]) for story in stories)
    count = len(stories)
    print(f"{count} stor{'y' if count == 1 else 'ies'}, {copies} articles", file=sys.stderr)
    return 0

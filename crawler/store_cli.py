"""The `search`, `show`, `runs` and `browse` subcommands of `radioscrape`: read the store.

Exit codes: 0 done (a search with no hit too), 1 not found (`show` of a URL not stored),
2 usage or store error (no store at --db, a store that cannot be opened).
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from crawler.config import ConfigError
from crawler.options import add_config_options
from crawler.render import render_record
from pipelines.core.dates import utc_iso
from pipelines.core.items import dumps
from pipelines.store import POSTGRES_SCHEMES, open_store
from pipelines.store.base import FETCHED, SearchHit, Store

DB_HELP = "SQLite file or postgresql:// DSN (default: $RADIOSCRAPE_DB, config db, radioscrape.db)"
EXIT_NOT_FOUND = 1
EXIT_STORE = 2
COMPARED_FIELDS = ("title", "standfirst", "author", "published", "updated", "section", "tags")


def iso_date_argument(text: str) -> datetime:
    """An argparse type: an ISO 8601 date or time (UTC when no zone is given)."""
    try:
        return datetime.fromisoformat(utc_iso(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date: {text!r}") from None


def register(subparsers) -> None:
    """Add the search, show, runs and browse subcommands to the `radioscrape` parser."""
    from crawler.browse import register_browse

    search = subparsers.add_parser(
        "search", help="full-text search of the stored articles (ranked, with a snippet)"
    )
    search.add_argument(
        "query", nargs="+", metavar="WORD", help="words that must all occur (quotes not needed)"
    )
    search.add_argument("--station", metavar="KEY", help="only this station (default: all)")
    search.add_argument(
        "--since",
        type=iso_date_argument,
        help="only articles published on/after this date (default: all)",
    )
    search.add_argument(
        "--limit", type=int, default=20, help="at most N hits (default: %(default)s)"
    )
    search.add_argument(
        "--format", "-f", choices=["text", "json", "jsonl"], default="text",
        help="output format (default: %(default)s)",
    )  # fmt: skip
    search.set_defaults(func=cmd_search)

    show = subparsers.add_parser("show", help="print one stored article (or all its versions)")
    show.add_argument("url", metavar="URL", help="the article's canonical (or fetched) URL")
    show.add_argument(
        "--versions", action="store_true",
        help="every stored version, with what changed from the one before (default: latest)",
    )  # fmt: skip
    show.add_argument(
        "--format", "-f", choices=["text", "markdown", "json"], default="text",
        help="output format (default: %(default)s)",
    )  # fmt: skip
    show.set_defaults(func=cmd_show)

    runs = subparsers.add_parser("runs", help="recent crawl runs: status, exit code, counts")
    runs.add_argument("--limit", type=int, default=10, help="how many (default: %(default)s)")
    runs.add_argument(
        "--format", "-f", choices=["text", "json"], default="text",
        help="output format (default: %(default)s)",
    )  # fmt: skip
    runs.set_defaults(func=cmd_runs)

    browse = register_browse(subparsers)
    for each in (search, show, runs, browse):
        each.add_argument("--db", help=DB_HELP)
        add_config_options(each)


def with_store(args: argparse.Namespace, work: Callable[[Store], int]) -> int:
    """Run `work` on the store --db names; exit 2 with one line when there is none or it
    cannot be opened."""
    db = str(args.config_values.get("db"))
    if not db.startswith(POSTGRES_SCHEMES) and not Path(db).is_file():
        print(f"radioscrape: no store at {db}", file=sys.stderr)
        return EXIT_STORE
    try:
        with open_store(db) as store:
            return work(store)
    except OSError as exc:
        print(f"radioscrape: {exc}", file=sys.stderr)
        return EXIT_STORE


def format_hit(number: int, hit: SearchHit) -> str:
    """One search hit as text: rank, title, station and date, URL, snippet."""
    dated = f", {hit.published}" if hit.published else ""
    return (
        f"{number}. {hit.title or '(no title)'}  [{hit.station}{dated}]\n"
        f"   {hit.canonical_url}\n   {' '.join(hit.snippet.split())}\n"
    )


def cmd_search(args: argparse.Namespace) -> int:
    """`radioscrape search WORD...`: ranked hits with a snippet."""
    query = " ".join(args.query)
    if not query.strip():
        raise ConfigError("search: give at least one word")

    def work(store: Store) -> int:
        hits = store.search(query, station=args.station, since=args.since, limit=args.limit)
        if args.format == "json":
            print(dumps([asdict(hit) for hit in hits], indent=2))
        elif args.format == "jsonl":
            for hit in hits:
                print(dumps(asdict(hit)))
        else:
            print("\n".join(format_hit(n, hit) for n, hit in enumerate(hits, 1)), end="")
            print(f"{len(hits)} hit{'s' * (len(hits) != 1)}", file=sys.stderr)
        return 0

    return with_store(args, work)


def version_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What changed from one version to the next: fields, then the body paragraph by
    paragraph (- removed, + added)."""
    lines = [
        f"{name}: {before.get(name)!r} -> {after.get(name)!r}"
        for name in COMPARED_FIELDS
        if before.get(name) != after.get(name)
    ]
    diff = difflib.unified_diff(before["body"], after["body"], lineterm="", n=1)
    lines += [line for line in diff if not line.startswith(("---", "+++"))]
    return lines


def _why(record: dict[str, Any], reason: str) -> str:
    """A version's heading note: its fetch time, and why it was written when not fetched."""
    fetched = f"fetched {record.get('fetched_at')}"
    return fetched if reason == FETCHED else f"{fetched}, reason: {reason}"


def cmd_show(args: argparse.Namespace) -> int:
    """`radioscrape show URL`: the stored record; with --versions, each version and what
    changed."""

    def work(store: Store) -> int:
        versions = store.versions(args.url)
        if not versions:
            print(f"radioscrape: {args.url} is not in the store", file=sys.stderr)
            return EXIT_NOT_FOUND
        if not args.versions:
            print(render_record(versions[-1], args.format), end="")
            return 0
        reasons = store.version_reasons(args.url)
        if args.format == "json":
            changes = [[], *(version_changes(a, b) for a, b in pairwise(versions))]
            numbered = [
                {
                    "version": n,
                    "reason": reasons[n - 1],
                    "changes": changes[n - 1],
                    "record": record,
                }
                for n, record in enumerate(versions, 1)
            ]
            print(dumps(numbered, indent=2))
            return 0
        print(f"== version 1 ({_why(versions[0], reasons[0])}) ==")
        print(render_record(versions[0], args.format))
        for n, (before, after) in enumerate(pairwise(versions), 2):
            print(f"== version {n} ({_why(after, reasons[n - 1])}): changes ==")
            print("\n".join(version_changes(before, after)) or "(no visible change)", end="\n\n")
        return 0

    return with_store(args, work)


def _duration(run: dict[str, Any]) -> str:
    if not run["finished_at"]:
        return "running"
    elapsed = datetime.fromisoformat(run["finished_at"]) - datetime.fromisoformat(run["started_at"])
    seconds = elapsed.total_seconds()
    return f"{seconds:.0f}s"


def format_runs(runs: list[dict[str, Any]]) -> str:
    """Runs as a table, each followed by its stations' counts and warnings."""
    lines = [f"{'run':>5}  {'started':<25} {'duration':>8}  {'status':<12} {'exit':>4}"]
    for run in runs:
        exit_code = "" if run["exit_code"] is None else run["exit_code"]
        status = run["status"] or run["finish_reason"] or "running"
        lines.append(
            f"{run['id']:>5}  {run['started_at']:<25} {_duration(run):>8}  {status:<12} "
            f"{exit_code:>4}"
        )
        for station, figures in run["stations"].items():
            counts = ", ".join(
                f"{figures[name]} {name}"
                for name in ("pages", "new", "updated", "unchanged", "errors")
            )
            lines.append(f"{'':>7}{station}: {counts}")
            lines += [f"{'':>9}warning: {w}" for w in run["warnings"].get(station, [])]
    return "\n".join(lines)


def cmd_runs(args: argparse.Namespace) -> int:
    """`radioscrape runs`: the most recent runs, newest first."""

    def work(store: Store) -> int:
        runs = store.runs(args.limit)
        print(dumps(runs, indent=2) if args.format == "json" else format_runs(runs))
        return 0

    return with_store(args, work)

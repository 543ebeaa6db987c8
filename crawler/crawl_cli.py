"""The `crawl`, `export` and `demo` subcommands of `radioscrape`.

Exit codes of crawl and demo: 0 success, 1 partial (some pages failed), 2 failure (the crawl
could not run or fetched nothing), 3 already running (another run holds the store's lock).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crawler.addons import REDIS_SCHEMES
from crawler.config import ConfigError
from crawler.crawl_job import LOCAL_SITE_SETTINGS, CrawlOptions, run_crawl
from crawler.options import add_config_options, add_setting_option
from crawler.report import EXIT_FAILURE, EXIT_OK
from crawler.stations import registry
from pipelines.core.dates import parse_date
from pipelines.core.items import RECORD_FIELDS, STORED_FIELDS
from pipelines.store import POSTGRES_SCHEMES, open_store
from pipelines.store.export import FORMATS, export

DEMO_DB = "demo.db"
DEMO_IGNORES = ("RADIOSCRAPE_DB", "RADIOSCRAPE_REDIS")
DB_HELP = "SQLite file or postgresql:// DSN (default: $RADIOSCRAPE_DB, config db, radioscrape.db)"


def _date(text: str) -> str:
    if parse_date(text) is None:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date: {text!r}")
    return text


def _redis_url(text: str) -> str:
    if not text.startswith(REDIS_SCHEMES):
        raise argparse.ArgumentTypeError(f"not a redis:// URL: {text!r}")
    return text


def _common(parser: argparse.ArgumentParser, db_help: str = DB_HELP) -> None:
    parser.add_argument("--db", help=db_help)
    parser.add_argument(
        "--report", metavar="PATH", help="also write the report as JSON here (default: none)"
    )
    parser.add_argument(
        "--log-level", metavar="LEVEL", help="Scrapy log level on stderr (default: WARNING)"
    )
    add_setting_option(parser)
    add_config_options(parser)


def register(subparsers) -> None:
    """Add the crawl, export and demo subcommands to the `radioscrape` parser."""
    crawl = subparsers.add_parser(
        "crawl", help="crawl stations into the store (incremental; safe in cron)",
        epilog=EXIT_EPILOG,
    )  # fmt: skip
    crawl.add_argument(
        "--station", action="append", default=[], metavar="KEY",
        help="station key (repeatable; default: every profile)",
    )  # fmt: skip
    crawl.add_argument(
        "--url", help="crawl a site with no profile; with one --station, a mirror of it"
    )
    crawl.add_argument(
        "--since", type=_date, help="skip articles dated before this date (default: none)"
    )
    crawl.add_argument(
        "--limit", type=int, help="at most N (newest) articles per station (default: no limit)"
    )
    crawl.add_argument(
        "--redis", type=_redis_url, metavar="URL",
        help="be one of many workers sharing this crawl through Redis (redis://HOST:PORT/N)",
    )  # fmt: skip
    _common(crawl)
    crawl.set_defaults(func=cmd_crawl)

    exp = subparsers.add_parser("export", help="write stored records as JSON Lines or CSV")
    exp.add_argument("--db", help=DB_HELP)
    exp.add_argument(
        "--format", choices=FORMATS,
        help="output format (default: from the -o file's extension, .csv or .jsonl; else jsonl)",
    )  # fmt: skip
    exp.add_argument(
        "--since", type=_date, help="only records published on/after this date (default: all)"
    )
    exp.add_argument(
        "--until", type=_date, help="only records published before this date (default: all)"
    )
    exp.add_argument("--station", metavar="KEY", help="only this station's records (default: all)")
    exp.add_argument(
        "--fields", metavar="LIST",
        help="comma-separated fields to write, in this order (default: the whole record)",
    )  # fmt: skip
    exp.add_argument(
        "--all-versions", action="store_true",
        help="every stored version of each story, oldest first, with a 'version' field "
             "(default: the latest only)",
    )  # fmt: skip
    exp.add_argument(
        "-o", "--output", metavar="FILE", help="write here (atomically) (default: stdout)"
    )
    add_config_options(exp)
    exp.set_defaults(func=cmd_export)

    demo = subparsers.add_parser(
        "demo", help="serve the bundled demo station sites on 127.0.0.1 and crawl them",
        epilog=EXIT_EPILOG,
    )  # fmt: skip
    _common(demo, f"SQLite file of the demo (default: {DEMO_DB}; never the crawl's store)")
    demo.set_defaults(func=cmd_demo)


EXIT_EPILOG = (
    "exit codes: 0 success; 1 partial (some pages failed); 2 failure (configuration or "
    "environment error, found before any page is fetched; nothing fetched; no article found); "
    "3 already running"
)


def cmd_crawl(args: argparse.Namespace) -> int:
    """`radioscrape crawl`: one crawl job; the report goes to stdout."""
    cfg = args.config_values
    return run_crawl(
        CrawlOptions(
            db=str(cfg.get("db")),
            stations=tuple(args.station),
            url=args.url,
            since=cfg.get("since") or None,
            limit=int(cfg.get("limit") or 0) or None,
            report=cfg.get("report") or None,
            log_level=cfg.get("log_level"),
            redis=cfg.get("redis") or None,
            settings=cfg.scrapy_settings(),
        )
    )


EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}


def export_format(fmt: str | None, output: str | None) -> str:
    """--format, else the format the -o file's extension names, else jsonl."""
    if fmt or not output:
        return fmt or "jsonl"
    suffix = Path(output).suffix.lower()
    if suffix not in EXTENSIONS:
        raise ConfigError(f"-o {output}: cannot tell the format from {suffix or 'no extension'}; "
                          f"give --format {' or '.join(FORMATS)}")  # fmt: skip
    return EXTENSIONS[suffix]


def export_fields(text: str | None, all_versions: bool) -> list[str] | None:
    """The --fields list, checked against the record schema."""
    if not text:
        return None
    known = [*RECORD_FIELDS, "version"] if all_versions else list(STORED_FIELDS)
    fields = [f.strip() for f in text.split(",") if f.strip()]
    unknown = [f for f in fields if f not in known]
    if unknown or not fields:
        raise ConfigError(f"--fields: unknown field(s) {', '.join(unknown)}; known: "
                          f"{', '.join(known)}")  # fmt: skip
    return fields


def selected(store, args: argparse.Namespace, fields: list[str] | None):
    """The records to export: filters, versions, fields."""
    until = parse_date(args.until) if args.until else None
    for record in store.records(since=parse_date(args.since), station=args.station):
        if until is not None:
            published = parse_date(record.get("published") or "")
            if published is None or published >= until:
                continue
        versions = (
            [{**v, "version": n} for n, v in enumerate(store.versions(record["canonical_url"]), 1)]
            if args.all_versions
            else [record]
        )
        for version in versions:
            yield {f: version.get(f) for f in fields} if fields else version


def cmd_export(args: argparse.Namespace) -> int:
    """`radioscrape export`: the latest version (or every version) of the stored records."""
    args.db = str(args.config_values.get("db"))
    if args.output and Path(args.output).is_dir():
        raise ConfigError(f"-o {args.output}: is a folder; give a file name")
    fmt = export_format(args.format, args.output)
    fields = export_fields(args.fields, args.all_versions)
    if fields is None and args.all_versions and fmt == "csv":
        fields = [*RECORD_FIELDS, "version"]
    if not args.db.startswith(POSTGRES_SCHEMES) and not Path(args.db).is_file():
        print(f"radioscrape: no store at {args.db}", file=sys.stderr)
        return EXIT_FAILURE
    try:
        with open_store(args.db) as store:
            unknown = args.station and args.station not in registry().by_key
            if unknown and next(store.records(station=args.station), None) is None:
                known = ", ".join(sorted(registry().by_key))
                raise ConfigError(
                    f"no station {args.station!r} in the profiles or the store; known: {known}"
                )
            count = export(selected(store, args, fields), fmt, args.output, fields)
    except BrokenPipeError:  # `radioscrape export | head` is not an error
        return EXIT_OK
    except (OSError, NotImplementedError) as exc:
        print(f"radioscrape: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    if args.output:
        print(f"{count} records written to {args.output}", file=sys.stderr)
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    """`radioscrape demo`: crawl the demo station sites (one 127.0.0.1 port per station)."""
    from crawler.demo_site import DEMO_PAGES, demo_sites  # not at a crawl's start

    cfg = args.config_values
    # The demo never touches the crawl's store or its Redis, whatever the config says.
    settings = {k: v for k, v in cfg.scrapy_settings().items() if k not in DEMO_IGNORES}
    if not DEMO_PAGES.is_dir():
        raise ConfigError(f"the demo pages are missing from the installation ({DEMO_PAGES})")
    with demo_sites(root=DEMO_PAGES) as sites:
        for key, site in sites.items():
            print(f"demo site for {key}: {site.url}/", file=sys.stderr)
        return run_crawl(
            CrawlOptions(
                db=args.db or DEMO_DB,
                mirrors={key: f"{site.url}/" for key, site in sites.items()},
                report=cfg.get("report") or None,
                log_level=cfg.get("log_level"),
                settings={**LOCAL_SITE_SETTINGS, **settings},
            )
        )

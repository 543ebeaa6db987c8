"""`radioscrape`: scrape one-off pages, crawl stations, list stations, manage fixtures."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import urlsplit

from crawler.startup import no_collection

# Every command's imports, as its start-up's (main): with the collector paused.
with no_collection():
    from crawler.config import Config, ConfigError, load_config
    from crawler.options import add_config_options, add_setting_option
    from crawler.stations import (
        STATIONS_ENV,
        ProfileError,
        build_registry,
        load_profile,
        registry,
        station_dirs,
        station_files,
    )
    from pipelines.core.dates import utc_now
    from pipelines.core.items import Page, dumps
    from pipelines.core.refusals import EXIT_OK, EXIT_SCHEME, REFUSALS, refusal
    from pipelines.core.urls import is_http_url

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from concurrent.futures import Future, ProcessPoolExecutor

    from pipelines.clean.chrome import ChromeSnapshot

# Scrapy and Twisted load only for commands that fetch or crawl (crawler.fetch, crawler.crawl_cli
# are imported where used): `radioscrape scrape FILE` starts in a fraction of the time.
LIGHT_COMMANDS = ("scrape", "stations", "fixture", "config", "search", "show", "runs", "browse")
# Nor the store's modules (SQLite, story matching, numpy...) for these: a one-off scrape without
# --db opens no store.
STORELESS_COMMANDS = ("scrape", "stations", "fixture", "config")
# These are all crawler.crawl_cli's: no other command's parser or module is made for them.
CRAWL_COMMANDS = ("crawl", "export", "demo")
EXIT_USAGE = 2  # usage, configuration or environment error (one line on stderr)

_CANONICAL = re.compile(
    rb"""<link[^>]+rel=["']?canonical["']?[^>]*href=["']([^"']+)|<meta[^>]+property=["']og:url["'][^>]*content=["']([^"']+)""",
    re.I,
)


_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


class TargetError(Exception):
    """A scrape target that gives no record: `group` picks the exit code."""

    def __init__(self, group: str, message: str):
        super().__init__(message)
        self.group = group

    def __reduce__(self):  # both arguments, so that it crosses from a worker process intact
        return (TargetError, (self.group, str(self)))


def page_from_bytes(body: bytes, source: str, url: str | None, station: str | None) -> Page:
    """A Page for saved bytes: URL from --url, else the page's canonical link, else the file."""
    if url is None:
        m = _CANONICAL.search(body[:200_000])
        found = (m.group(1) or m.group(2)).decode("utf-8", "replace") if m else None
        url = found if found and is_http_url(found) else Path(source).resolve().as_uri()
    if station is None and (profile := registry().for_url(url)):
        station = profile.key
    return Page(url=url, body=body, station=station, fetched_at=utc_now(), headers={})


def _read_target(target: str, url: str | None, station: str | None, max_bytes: int = 0) -> Page:
    """The Page of a file or of stdin (`-`); TargetError("too-large") past `max_bytes` (0: no
    cap), found after reading at most one byte more (RADIOSCRAPE_MAX_PAGE_BYTES, as for
    downloads)."""
    if target == "-":
        return page_from_bytes(_read_capped(sys.stdin.buffer, max_bytes), "stdin", url, station)
    path = Path(target)
    if (scheme := _SCHEME.match(target)) and not path.exists():
        name = scheme.group(0).rstrip(":")
        raise TargetError("scheme", f"only http(s) URLs and files can be scraped, not {name}:")
    if not path.is_file():
        raise TargetError("no-file", "no such file")
    try:
        with path.open("rb") as source:
            return page_from_bytes(_read_capped(source, max_bytes), target, url, station)
    except OSError as exc:
        raise TargetError("no-file", f"cannot read file: {exc.strerror}") from exc


def _read_capped(source: BinaryIO, max_bytes: int) -> bytes:
    """All of `source`, or TargetError("too-large") when it has more than `max_bytes` (> 0)."""
    if max_bytes <= 0:
        return source.read()
    body = source.read(max_bytes + 1)
    if len(body) > max_bytes:
        raise TargetError(
            "too-large", f"larger than RADIOSCRAPE_MAX_PAGE_BYTES ({max_bytes} bytes): not read"
        )
    return body


def _record(
    page: Page, any_page: bool = False, chrome: ChromeSnapshot | None = None
) -> dict[str, Any]:
    from crawler.fixtures import record_or_refusal

    result = record_or_refusal(page, any_page, chrome)
    if "not_article" in result:
        kind = result["not_article"]
        group = "bad-page" if kind in ("empty", "not-html", "unparsable") else "not-article"
        message = {
            "not-html": "not an HTML page",
            "empty": "empty page, no article text",
            "unparsable": "HTML could not be parsed",
        }.get(kind, f"not an article ({kind} page)")
        raise TargetError(group, message)
    return result


# files: a batch this long repays starting worker processes, forked from this one, which has
# loaded the cleaner (~10 ms of CPU each); or spawned, when it runs threads (after fetching URLs:
# ~0.5 s each, importing the cleaner again)
POOL_FROM = 8
SPAWNED_POOL_FROM = 40


def _file_outcome(
    target: str,
    url: str | None,
    station: str | None,
    max_bytes: int,
    any_page: bool,
    chrome: ChromeSnapshot | None = None,
) -> dict[str, Any] | TargetError:
    """The record of a file or stdin target, or the TargetError that refused it."""
    try:
        return _record(_read_target(target, url, station, max_bytes), any_page, chrome)
    except TargetError as exc:
        return exc


def _batch_pool(workers: int, files: int) -> ProcessPoolExecutor | None:
    """A pool of `workers` processes for a batch of `files` files, when the batch repays
    starting them (POOL_FROM, SPAWNED_POOL_FROM); None to clean them all in this process."""
    if workers <= 0 or files < POOL_FROM:
        return None
    from concurrent.futures import ProcessPoolExecutor

    from pipelines.core.workers import end_with_parent, worker_context  # only for a batch

    context = worker_context()
    if context.get_start_method() != "fork" and files < SPAWNED_POOL_FROM:
        return None
    registry()  # loaded once here, before the workers fork
    return ProcessPoolExecutor(workers, mp_context=context, initializer=end_with_parent)


def batch_workers(config: Config) -> int:
    """The extraction workers of a `scrape` batch: RADIOSCRAPE_EXTRACT_WORKERS when it is set
    (to 0: in this process), else one for each core this process may run on but one (this
    process cleans beside them, so every core is used and none is shared by two cleaners)."""
    value, source = config.values["extract_workers"]
    if source != "default":
        return int(value)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max((cores or 1) - 1, 0)


def scrape_targets(
    targets: list[str],
    url: str | None,
    station: str | None,
    overrides: dict | None = None,
    progress=None,
    any_page: bool = False,
    max_bytes: int = 0,
    workers: int = 0,
    chrome: ChromeSnapshot | None = None,
) -> list[dict[str, Any] | TargetError]:
    """Records (or errors) for each target in order; URLs are fetched in one Scrapy run.
    `progress(done, total)` is called as targets are cleaned; `any_page` extracts the main
    text of pages that are not articles instead of refusing them; a file or stdin larger than
    `max_bytes` (0: no cap) is refused as too-large, unread. With `workers` > 0
    (RADIOSCRAPE_EXTRACT_WORKERS) a batch of POOL_FROM files or more is cleaned in that many
    worker processes and this one (which takes the last files no worker has started), with
    the same records in the same order; `chrome`: the stations' learned lines (a store's
    snapshot)."""
    results: list[dict[str, Any] | TargetError | None] = [None] * len(targets)
    urls = [(i, t) for i, t in enumerate(targets) if is_http_url(t)]
    done = 0
    if urls:
        from crawler.fetch import FetchFailure, fetch_pages

        fetched = fetch_pages([t for _, t in urls], overrides)
        for (i, _), page in zip(urls, fetched, strict=True):
            if isinstance(page, FetchFailure):
                results[i] = TargetError(
                    page.kind if page.kind in REFUSALS else "fetch", page.message
                )
                continue
            if station:
                page.station = station
            try:
                results[i] = _record(page, any_page, chrome)
            except TargetError as exc:
                results[i] = exc
        done = len(urls)
    files = [(i, t) for i, t in enumerate(targets) if results[i] is None]
    args = (url, station, max_bytes, any_page, chrome)
    futures: list[Future | None] = [None] * len(files)
    pool = _batch_pool(workers, sum(t != "-" for _, t in files))
    if pool is not None:
        futures = [None if t == "-" else pool.submit(_file_outcome, t, *args) for _, t in files]
    outcomes = _in_order([t for _, t in files], futures, lambda t: _file_outcome(t, *args))
    try:
        for (i, _), outcome in zip(files, outcomes, strict=True):
            results[i] = outcome
            done += 1
            if progress:
                progress(done, len(targets))
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return results  # type: ignore[return-value]


def _in_order(
    targets: list[str], futures: list[Future | None], clean: Callable[[str], Any]
) -> Iterator[Any]:
    """The outcome of each target in order: its future's result, or `clean(target)` here for a
    target with none. While the next result is not ready, this process cleans the last target
    no worker has started (workers take them in order), so it works beside them instead of
    waiting."""
    taken: dict[int, Any] = {}
    last = len(futures) - 1
    for i, future in enumerate(futures):
        while future is not None and not future.done() and last > i:
            later = futures[last]
            if later is not None and not later.cancel():
                break  # started: so is every target before it
            if later is not None:
                taken[last] = clean(targets[last])
            last -= 1
        if i in taken:
            yield taken.pop(i)
        elif future is None or future.cancel():  # no worker has started it: clean it here
            yield clean(targets[i])
        else:
            yield future.result()


PROGRESS_FROM = 20  # targets: a batch this long shows a progress line on a terminal


def _progress_line(done: int, total: int) -> None:
    end = "\r\x1b[K" if done == total else ""
    sys.stderr.write(f"\r\x1b[Kradioscrape: {done}/{total} targets cleaned{end}")
    sys.stderr.flush()


def read_target_list(path: str) -> list[str]:
    """The targets in a list file (`-i`): one per line; blank lines and # comments skipped."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"-i {path}: cannot read the target list: {exc}") from None
    return [t for t in (line.strip() for line in text.splitlines()) if t and not t.startswith("#")]


def _store_chrome(db: str | None) -> ChromeSnapshot | None:
    """The learned chrome of the store `scrape --db` names (None without --db)."""
    if db is None:
        return None
    from pipelines.store import POSTGRES_SCHEMES  # the store only when asked for
    from pipelines.store.chrome import read_snapshot

    if not db.startswith(POSTGRES_SCHEMES) and not Path(db).is_file():
        raise ConfigError(f"--db {db}: no store there")

    try:
        return read_snapshot(db)
    except OSError as exc:
        raise ConfigError(f"--db {db}: {exc}") from None


def cmd_scrape(args: argparse.Namespace) -> int:
    """radioscrape scrape: one clean record per target."""
    from crawler.render import render_record

    if args.station:
        registry().get(args.station)
    if args.url and not is_http_url(args.url):
        print(f"radioscrape: --url {args.url}: not an http(s) URL", file=sys.stderr)
        return EXIT_SCHEME
    targets = list(args.targets)
    for path in args.input:
        targets += read_target_list(path)
    if not targets:
        raise ConfigError("no targets: give URLs, files or - on the command line, or -i LIST")
    if args.output and Path(args.output).is_dir():
        raise ConfigError(f"-o {args.output}: is a folder; give a file name")
    overrides = args.config_values.scrapy_settings()
    show = len(targets) >= PROGRESS_FROM and sys.stderr.isatty()
    results = scrape_targets(
        targets, args.url, args.station, overrides, _progress_line if show else None,
        any_page=args.any_page, max_bytes=int(args.config_values.get("max_page_bytes")),
        workers=batch_workers(args.config_values),
        chrome=_store_chrome(args.db),
    )  # fmt: skip
    batch = len(targets) > 1
    exit_code = EXIT_OK
    if args.output is None:  # stdout: the store's modules stay unloaded (sqlite3, the schema)
        output = contextlib.nullcontext(sys.stdout)
    else:
        from pipelines.store.export import atomic_output

        output = atomic_output(args.output)
    try:
        with output as out:
            for target, result in zip(targets, results, strict=True):
                if isinstance(result, TargetError):
                    print(f"radioscrape: {target}: {result}", file=sys.stderr)
                    if exit_code == EXIT_OK:
                        exit_code = refusal(result.group).exit_code
                    if args.format == "jsonl" or (args.format == "json" and batch):
                        error = {"kind": result.group, "message": str(result)}
                        out.write(dumps({"error": error, "source": target}) + "\n")
                    continue
                out.write(render_record({**result, "source": target}, args.format, batch) + "\n")
    except OSError as exc:
        raise ConfigError(f"-o {args.output}: cannot write: {exc.strerror or exc}") from None
    return exit_code


def cmd_stations(args: argparse.Namespace) -> int:
    """radioscrape stations: the station profiles, as a table, markdown or JSON; with --check,
    validate one file (or every profile). A broken profile is one line on stderr, exit 2."""
    from pipelines.clean.clutter import checked_registry

    if args.check is not None:
        return check_stations(args.check or None)
    print(stations_table(args.format))
    broken = checked_registry().broken
    for error in broken.values():
        print(f"radioscrape: broken profile: {error}", file=sys.stderr)
    return EXIT_USAGE if broken else 0


def check_stations(path: str | None) -> int:
    """`stations --check [FILE]`: 'ok' lines on stdout, one line per broken profile on stderr."""
    from pipelines.clean.clutter import check_station_rules, checked_registry

    if path is None:
        reg = checked_registry()
        for profile in reg:
            print(f"ok: {reg.origins[profile.key]} ({profile.key})")
        for error in reg.broken.values():
            print(f"radioscrape: {error}", file=sys.stderr)
        print(f"{len(reg)} profile(s) ok, {len(reg.broken)} broken", file=sys.stderr)
        return EXIT_USAGE if reg.broken else 0
    file = Path(path)
    try:
        profile = load_profile(file)
        check_station_rules(profile, file)
        # Against the other profiles: a domain another station already claims is refused.
        others = [f for f in station_files(station_dirs()) if f.resolve() != file.resolve()]
        clash = build_registry([*others, file], strict=False).broken.get(profile.key)
        if clash is not None:
            raise clash
    except ProfileError as exc:
        print(f"radioscrape: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"ok: {file} ({profile.key}: {profile.name}, {len(profile.domains)} domain(s))")
    return 0


def stations_table(fmt: str = "table") -> str:
    """The registry as text: 'table' (terminal), 'markdown' (README) or 'json'."""
    from pipelines.clean.clutter import checked_registry

    rows = [
        {
            "key": p.key,
            "name": p.name,
            "country": p.country,
            "home": p.home,
            "sitemaps": len(p.sources.sitemaps),
            "feeds": len(p.sources.feeds),
            "sections": len(p.sources.sections),
            "verified": p.verified,
        }
        for p in checked_registry()
    ]
    if fmt == "json":
        return dumps(rows, indent=2)
    if fmt == "markdown":
        lines = [
            "| key | station | country | home | sitemaps | feeds | sections | verified |",
            "|---|---|---|---|---|---|---|---|",
        ]
        lines += [
            f"| `{r['key']}` | {r['name']} | {r['country']} | {r['home']} | {r['sitemaps']} | "
            f"{r['feeds']} | {r['sections']} | {r['verified']} |"
            for r in rows
        ]
        return "\n".join(lines)
    width = max(len(r["key"]) for r in rows)
    return "\n".join(
        f"{r['key']:<{width}}  {r['name']:<18} {r['country']:<3} {r['home']}" for r in rows
    )


def fixture_root(args: argparse.Namespace) -> Path:
    """The fixture folder of the `fixture` commands: --fixtures, $RADIOSCRAPE_FIXTURES_DIR,
    config fixtures_dir, else ./fixtures; ConfigError when it does not exist."""
    root = Path(str(args.config_values.get("fixtures_dir"))).expanduser()
    if not root.is_dir():
        raise ConfigError(
            f"no fixture folder {root} (run in a checkout, or pass --fixtures DIR; "
            f"create it with mkdir to start a new one)"
        )
    return root


def cmd_fixture_add(args: argparse.Namespace) -> int:
    """radioscrape fixture add: save a page and the record the cleaner builds now."""
    from crawler.fixtures import GENERIC, add_fixture

    root = fixture_root(args)
    if args.station != GENERIC:
        registry().get(args.station)
    for url in (args.target, args.url):
        if url and _SCHEME.match(url) and not is_http_url(url) and not Path(url).exists():
            print(f"radioscrape: {url}: only http(s) URLs and files can be added", file=sys.stderr)
            return EXIT_SCHEME
    if args.target.startswith(("http://", "https://")):
        from crawler.fetch import FetchFailure, fetch_pages

        fetched = fetch_pages([args.target], args.config_values.scrapy_settings())[0]
        if isinstance(fetched, FetchFailure):
            print(f"radioscrape: {args.target}: {fetched.message}", file=sys.stderr)
            return refusal(fetched.kind).exit_code
        page = fetched
    else:
        try:
            max_bytes = int(args.config_values.get("max_page_bytes"))
            page = _read_target(args.target, args.url, None, max_bytes)
        except TargetError as exc:
            print(f"radioscrape: {args.target}: {exc}", file=sys.stderr)
            return refusal(exc.group).exit_code
    owner = registry().for_url(page.url)
    if owner and owner.key != args.station:
        host = urlsplit(page.url).hostname
        print(
            f"radioscrape: warning: {host} belongs to station {owner.key!r}, not "
            f"{args.station!r}: is --station right? (--station {owner.key})",
            file=sys.stderr,
        )
    page.station = None if args.station == GENERIC else args.station
    if args.fetched_at:
        page.fetched_at = args.fetched_at
    try:
        fixture = add_fixture(args.station, page, args.slug, root)
    except FileExistsError as exc:
        print(f"radioscrape: fixture exists, not overwritten: {exc.filename}", file=sys.stderr)
        return 1
    print(f"added {fixture.name}: review {fixture.path / 'expected.json'} by hand, then commit it")
    return 0


def cmd_fixture_review(args: argparse.Namespace) -> int:
    """radioscrape fixture review: per-field differences; exit 1 if any fixture differs."""
    from crawler.fixtures import all_fixtures, diff_fields, format_diff

    root = fixture_root(args)
    fixtures = all_fixtures(args.selector, root)
    if not fixtures:
        which = f"match {args.selector!r}" if args.selector else "at all"
        print(f"radioscrape: no fixtures in {root} {which}", file=sys.stderr)
        return 2
    differing = 0
    for fixture in fixtures:
        diffs = diff_fields(fixture.expected, fixture.actual())
        if diffs:
            differing += 1
            print(format_diff(fixture.name, diffs))
    print(f"{len(fixtures)} fixture(s) reviewed, {differing} differ")
    return 1 if differing else 0


def cmd_fixture_accept(args: argparse.Namespace) -> int:
    """radioscrape fixture accept: take the current output into expected.json."""
    from crawler.fixtures import Fixture, accept, all_fixtures

    matches = [f for f in all_fixtures(args.name, fixture_root(args)) if f.name == args.name]
    if not matches:
        print(f"radioscrape: no fixture {args.name!r} (use STATION/SLUG)", file=sys.stderr)
        return 2
    fixture: Fixture = matches[0]
    fields = [f.strip() for f in args.fields.split(",")] if args.fields else None
    try:
        changed = accept(fixture, fields)
    except KeyError as exc:
        print(f"radioscrape: {exc.args[0]}", file=sys.stderr)
        return 2
    print(
        f"{fixture.name}: accepted {', '.join(changed) if changed else 'nothing (no differences)'}"
    )
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    """radioscrape config: the effective settings and where each came from, secrets masked."""
    cfg: Config = args.config_values
    rows = cfg.rows()
    if args.format == "json":
        print(dumps({n: {"value": v, "source": src} for n, v, src in rows}, indent=2))
        return 0
    if cfg.path:
        print(f"# config file: {cfg.path}")
    width = max(len(n) for n, _, _ in rows)
    shown = [(n, "" if v is None else str(v)) for n, v, _ in rows]
    vwidth = min(max(len(v) for _, v in shown), 48)
    for (name, value), (_, _, source) in zip(shown, rows, strict=True):
        print(f"{name:<{width}}  {value:<{vwidth}}  ({source})")
    return 0


class VersionAction(argparse._VersionAction):
    """--version, the installed version looked up only when asked for (not at every start)."""

    def __call__(self, parser, namespace, values, option_string=None):
        from crawler.addons import radioscrape_version

        self.version = f"radioscrape {radioscrape_version()}"
        super().__call__(parser, namespace, values, option_string)


EXIT_TABLE = """exit codes (the first failing target decides):
  0  every target gave a record
  2  usage or configuration error (unknown option or station, bad setting, broken profile)
  3  not an article          4  not a usable page (empty, binary, not HTML)
  5  no such file            6  HTTP error status
  7  DNS lookup failed       8  timeout
  9  other fetch failure     10 forbidden by robots.txt
  11 not an http(s) URL      12 page larger than RADIOSCRAPE_MAX_PAGE_BYTES"""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command-line interface; for one of LIGHT_COMMANDS, without the crawl commands
    (so Scrapy is not imported); for one of CRAWL_COMMANDS, with theirs alone."""
    parser = argparse.ArgumentParser(prog="radioscrape", description=__doc__)
    parser.add_argument("--version", action=VersionAction)
    sub = parser.add_subparsers(dest="command", required=True)
    if command in CRAWL_COMMANDS:
        from crawler import crawl_cli

        crawl_cli.register(sub)
        return parser
    # Here, not at the top: main() builds the parser with the collector paused, and the
    # fixtures import the cleaning chain (trafilatura...).
    from crawler.fixtures import GENERIC

    formatter = argparse.RawDescriptionHelpFormatter

    scrape = sub.add_parser(
        "scrape", help="clean record(s) from URLs, files or stdin", epilog=EXIT_TABLE,
        formatter_class=formatter,
    )  # fmt: skip
    scrape.add_argument(
        "targets", nargs="*", metavar="TARGET", help="URL, file, or - for stdin (one or more)"
    )
    scrape.add_argument(
        "-i", "--input", action="append", default=[], metavar="LIST",
        help="also read targets from this file, one per line (# comments; - for stdin)",
    )  # fmt: skip
    scrape.add_argument(
        "-o", "--output", metavar="FILE",
        help="write the records here (atomically) instead of stdout (default: stdout)",
    )  # fmt: skip
    scrape.add_argument(
        "--format", "-f", choices=["json", "jsonl", "text", "markdown"], default="json",
        help="output format (default: %(default)s)",
    )  # fmt: skip
    scrape.add_argument("--station", help="station key to clean with (default: from the URL)")
    scrape.add_argument(
        "--any-page", action="store_true",
        help="extract the main text of any page (a forum, a product page) instead of refusing"
        " pages that are not articles; the crawl never stores those (default: off)",
    )  # fmt: skip
    scrape.add_argument(
        "--url", help="the URL a saved file or stdin was fetched from (default: its canonical)"
    )
    scrape.add_argument(
        "--db", metavar="PATH",
        help="clean with the chrome this store learned for the page's station (SQLite file or"
        " postgresql:// DSN; default: none)",
    )  # fmt: skip
    add_setting_option(scrape)
    add_config_options(scrape)
    scrape.set_defaults(func=cmd_scrape)

    stations = sub.add_parser("stations", help="list or check the station profiles")
    stations.add_argument(
        "--format", choices=["table", "markdown", "json"], default="table",
        help="output format (default: %(default)s)",
    )  # fmt: skip
    stations.add_argument(
        "--check", nargs="?", const="", metavar="FILE",
        help="validate one profile file (or, with no FILE, every profile); exit 2 if broken",
    )  # fmt: skip
    add_config_options(stations)
    stations.set_defaults(func=cmd_stations)

    config = sub.add_parser(
        "config", help="print the effective settings and where each came from (secrets masked)"
    )
    config.add_argument(
        "--format", choices=["table", "json"], default="table",
        help="output format (default: %(default)s)",
    )  # fmt: skip
    add_setting_option(config)
    add_config_options(config)
    config.set_defaults(func=cmd_config)

    fixture = sub.add_parser("fixture", help="add, review and accept regression fixtures")
    fsub = fixture.add_subparsers(dest="fixture_command", required=True)
    add = fsub.add_parser("add", help="save a page as a new fixture (never overwrites)")
    add.add_argument("--station", required=True, help=f"station key, or {GENERIC} for no profile")
    add.add_argument("target", metavar="URL|FILE")
    add.add_argument("--slug", help="folder name (default: from the URL)")
    add.add_argument("--url", help="the URL a saved file was fetched from (default: canonical)")
    add.add_argument("--fetched-at", help="frozen fetch time to record (default: now)")
    add_setting_option(add)
    review = fsub.add_parser("review", help="show per-field differences from expected records")
    review.add_argument("selector", nargs="?", metavar="KEY[/SLUG]", help="(default: all)")
    acc = fsub.add_parser("accept", help="accept the current output for one fixture")
    acc.add_argument("name", metavar="KEY/SLUG")
    acc.add_argument("--fields", help="comma-separated fields to accept (default: all)")
    for each, func in ((add, cmd_fixture_add), (review, cmd_fixture_review),
                       (acc, cmd_fixture_accept)):  # fmt: skip
        each.add_argument(
            "--fixtures", metavar="DIR",
            help="the fixture folder (default: $RADIOSCRAPE_FIXTURES_DIR, else ./fixtures)",
        )  # fmt: skip
        add_config_options(each)
        each.set_defaults(func=func)

    if command not in STORELESS_COMMANDS:
        from crawler import store_cli, stories_cli

        store_cli.register(sub)  # search, show, runs, browse
        stories_cli.register(sub)
    if command not in LIGHT_COMMANDS:
        from crawler import chrome_cli, crawl_cli, reclean

        crawl_cli.register(sub)
        reclean.register(sub)  # imports the cleaning chain and Scrapy's pipelines
        chrome_cli.register(sub)
    return parser


# Command-line options that are config keys: {config key: argparse dest}.
CLI_KEYS = {
    "db": "db",
    "report": "report",
    "redis": "redis",
    "since": "since",
    "limit": "limit",
    "log_level": "log_level",
    "stations": "stations",
    "fixtures_dir": "fixtures",
}


def configure(args: argparse.Namespace) -> Config:
    """The effective configuration of this run; the station folders it names are put in the
    environment, so the registry (and any worker process) loads them."""
    cfg = load_config(
        cli={key: getattr(args, dest, None) for key, dest in CLI_KEYS.items()},
        sets=getattr(args, "set", []),
        config_path=getattr(args, "config", None),
    )
    folders = str(cfg.get("stations") or "")
    for folder in filter(None, folders.split(os.pathsep)):
        if not Path(folder).expanduser().is_dir():
            raise ConfigError(f"stations folder {folder} does not exist")
    if folders:
        os.environ[STATIONS_ENV] = folders
    return cfg


class QuietStdout:
    """sys.stdout that ends quietly when the reader goes away (`radioscrape crawl | head`):
    the first broken-pipe write points the descriptor at /dev/null, so later writes, the
    final flush and the exit code are those of a normal run."""

    def __init__(self, stream):
        self._stream = stream

    def _to_devnull(self) -> None:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, self._stream.fileno())
        finally:
            os.close(devnull)

    def write(self, text: str) -> int:
        """Write, or swallow the text once the reader has gone."""
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._to_devnull()
            return len(text)

    def flush(self) -> None:
        """Flush, or drop the buffer once the reader has gone."""
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._to_devnull()
            self._stream.flush()

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `radioscrape` command."""
    argv = sys.argv[1:] if argv is None else argv
    command = next((a for a in argv if not a.startswith("-")), None)
    if not isinstance(sys.stdout, QuietStdout) and hasattr(sys.stdout, "fileno"):
        try:
            sys.stdout.fileno()
            sys.stdout = QuietStdout(sys.stdout)
        except (OSError, ValueError):  # not a real file (a test's capture): leave it
            pass
    with no_collection():  # the crawl commands import Scrapy here
        args = build_parser(command).parse_args(argv)
    try:
        args.config_values = configure(args)
        return args.func(args)
    except (ConfigError, ProfileError) as exc:
        print(f"radioscrape: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyError as exc:  # unknown station key
        print(f"radioscrape: {exc.args[0]}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())

"""The end-of-run crawl report, built from the Scrapy stats, and the crawl's exit codes.

The per-station counts are the stats vocabulary of pipelines.core.stats (stories/new|copies: a
new article's story is new, or it is a copy of a stored one). Every discovered article URL
ends in exactly one column: new, updated, unchanged, refused, dropped, filtered or errors, so
they sum to `discovered` ("found"). The spider and the store pipeline count most of them; this
extension counts pages, redirects, dropped and clutter from the signals. When the spider
closes it prints the report (and writes it as JSON with RADIOSCRAPE_REPORT), with the store
pipeline's warnings (signal station_warnings), and sends it with its exit code to whoever
needs them (signal crawl_reported: the store pipeline, the crawl command).
"""

from __future__ import annotations

import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.logformatter import LogFormatter
from scrapy.statscollectors import MemoryStatsCollector
from twisted.internet import task

from pipelines.core import signals as radioscrape_signals
from pipelines.core.fetch import STATION_META
from pipelines.core.items import ArticleRecord, Page, dumps
from pipelines.core.stats import STATIONS, WORKER, inc_stat, station_stats
from pipelines.store.export import atomic_output

# Exit codes of `radioscrape crawl` and `radioscrape demo`.
EXIT_OK = 0  # every page fetched and processed
EXIT_PARTIAL = 1  # the crawl ran, but some pages failed (see errors in the report)
EXIT_FAILURE = 2  # the crawl did not run or fetched nothing (bad arguments, store, network)
EXIT_RUNNING = 3  # another run holds the store's lock
STATUS = {EXIT_OK: "success", EXIT_PARTIAL: "partial", EXIT_FAILURE: "failure"}
COUNTS = ("pages", "discovered", "new", "updated", "unchanged", "redirects")
STORED = ("new", "updated", "unchanged")
GROUPS = ("refused", "filtered", "dropped", "clutter", "errors", "stories", "recheck")
DISCOVERY_GROUPS = ("errors", "probed", "filtered", "cut", "unchanged")


def _group(own: dict[str, Any], name: str) -> dict[str, int]:
    prefix = f"{name}/"
    return dict(sorted((k[len(prefix) :], v) for k, v in own.items() if k.startswith(prefix)))


def _iso(value: Any) -> str | None:
    return value.astimezone(UTC).isoformat(timespec="seconds") if value else None


def _discovery(own: dict[str, Any]) -> dict[str, Any]:
    found = {k.removeprefix("discovery/"): v for k, v in own.items() if k.startswith("discovery/")}
    return {
        "documents": found.get("documents", 0),
        **{name: _group(found, name) for name in DISCOVERY_GROUPS},
    }


def _sum_discovery(stations: list[dict[str, Any]]) -> dict[str, Any]:
    totals: dict[str, Any] = {"documents": sum(s["documents"] for s in stations)}
    for name in DISCOVERY_GROUPS:
        totals[name] = dict(sorted(sum((Counter(s[name]) for s in stations), Counter()).items()))
    return totals


def build_report(
    stats: dict[str, Any], reason: str, warnings: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """The report of one run: per-station counts and `warnings`, totals, status and exit
    code."""
    stations: dict[str, dict[str, Any]] = {}
    for label in stats.get(STATIONS, []):
        own = station_stats(stats, label)
        stations[label] = {
            **{name: own.get(name, 0) for name in COUNTS},
            **{name: _group(own, name) for name in GROUPS},
            "discovery": _discovery(own),
            "warnings": list((warnings or {}).get(label, [])),
        }
    totals: dict[str, Any] = {name: sum(s[name] for s in stations.values()) for name in COUNTS}
    for name in GROUPS:
        totals[name] = dict(
            sorted(sum((Counter(s[name]) for s in stations.values()), Counter()).items())
        )
    totals["discovery"] = _sum_discovery([s["discovery"] for s in stations.values()])
    started, finished = stats.get("start_time"), datetime.now(UTC)
    report = {
        "finish_reason": reason,
        "started": _iso(started),
        "finished": _iso(finished),
        "elapsed_seconds": round((finished - started).total_seconds(), 1) if started else None,
        "stations": stations,
        "totals": totals,
    }
    if worker := stats.get(WORKER):
        report["worker"] = worker  # one worker's share of a distributed crawl
    code = exit_code(report)
    return {**report, "exit_code": code, "status": STATUS[code]}


def exit_code(report: dict[str, Any]) -> int:
    """EXIT_OK, EXIT_PARTIAL (some pages failed: an article, or a discovery document the site
    named) or EXIT_FAILURE (nothing fetched, or the crawl was cut short). A guessed URL that
    failed (discovery/probed) is no failure."""
    totals = report["totals"]
    if report["finish_reason"] != "finished":
        return EXIT_FAILURE
    if totals["errors"] or totals["discovery"]["errors"]:
        if totals["errors"].get("store") and not sum(totals[n] for n in STORED):
            return EXIT_FAILURE  # the store kept nothing
        return EXIT_PARTIAL if totals["pages"] else EXIT_FAILURE
    unread = totals["discovery"]["unchanged"]  # documents as they were: their URLs are known
    if not totals["discovered"] and not unread and "worker" not in report:
        return EXIT_FAILURE  # no article found at all: not a success (crawl_job prints a hint)
    return EXIT_OK


def format_report(report: dict[str, Any]) -> str:
    """The report as the lines printed at the end of a run."""
    lines = [
        f"radioscrape crawl {report['status']} (exit {report['exit_code']}, "
        f"{report['finish_reason']}, {report['elapsed_seconds']}s)",
        f"{'station':<16}{'pages':>7}{'found':>7}{'new':>6}{'updated':>9}{'unchanged':>11}"
        f"{'refused':>9}{'filtered':>10}{'dropped':>9}{'errors':>8}",
    ]
    rows = [*report["stations"].items(), ("TOTAL", report["totals"])]
    for label, s in rows:
        lines.append(
            f"{label:<16}{s['pages']:>7}{s['discovered']:>7}{s['new']:>6}{s['updated']:>9}"
            f"{s['unchanged']:>11}{sum(s['refused'].values()):>9}"
            f"{sum(s['filtered'].values()):>10}{sum(s['dropped'].values()):>9}"
            f"{sum(s['errors'].values()):>8}"
        )
        if label == "TOTAL":
            break
        for name in ("refused", "filtered", "dropped", "errors", "clutter", "stories", "recheck"):
            if s[name]:
                lines.append(f"  {name}: " + ", ".join(f"{k} {v}" for k, v in s[name].items()))
        found = s["discovery"]
        lines.append(
            f"  discovery: {found['documents']} documents"
            + "".join(
                f"; {name}: " + ", ".join(f"{k} {v}" for k, v in found[name].items())
                for name in DISCOVERY_GROUPS
                if found[name]
            )
        )
        lines += [f"  WARNING: {w}" for w in s["warnings"]]
    return "\n".join(lines)


class ShortLogFormatter(LogFormatter):
    """Scrapy's log lines, with a fetched Page shown by URL, status and size, not its bytes
    (a refused 10 MB page would otherwise be written whole into the log)."""

    def dropped(self, item, exception, response, spider=None):
        """The 'Dropped:' line with a short description of a Page."""
        return self._short(super().dropped(item, exception, response, spider))

    def item_error(self, item, exception, response, spider=None):
        """The 'Error processing' line with a short description of a Page."""
        return self._short(super().item_error(item, exception, response, spider))

    def scraped(self, item, response, spider=None):
        """The 'Scraped from' line with a short description of a Page."""
        return self._short(super().scraped(item, response, spider))

    @staticmethod
    def _short(result):
        item = result["args"].get("item")
        if isinstance(item, Page):
            short = f"<Page {item.status} {item.url} ({len(item.body)} bytes)>"
            result["args"] = {**result["args"], "item": short}
        return result


class StatsCollector(MemoryStatsCollector):
    """Scrapy's stats collector (STATS_CLASS) without its attribute hook: Scrapy 2.19 routes
    every attribute read of a stats collector through a Python __getattribute__ that wraps its
    methods in a check for a deprecated `spider` argument and looks each attribute up twice
    (the first raising AttributeError), ~1.6 us an inc_value against ~0.1. A crawl counts
    ~25 stats a page. radioscrape never passes `spider` to the stats."""

    __getattribute__ = object.__getattribute__


class CrawlReport:
    """Extension: per-station stats from the signals, a live progress line on a terminal,
    and the report at the end (stdout; JSON file with RADIOSCRAPE_REPORT)."""

    def __init__(self, stats, report_path: str | None = None, progress: bool = False):
        self.stats = stats
        self.signals = None  # the crawler's SignalManager: the report is sent with it
        self.warnings: dict[str, list[str]] = {}
        self.report_path = Path(report_path) if report_path else None
        self.progress = task.LoopingCall(self.show_progress) if progress else None

    @classmethod
    def from_crawler(cls, crawler):
        """Build the extension from RADIOSCRAPE_REPORT* settings and connect its signals."""
        settings = crawler.settings
        if not settings.getbool("RADIOSCRAPE_REPORT_ENABLED"):
            raise NotConfigured  # no message: Scrapy would log it on every one-off scrape
        progress = settings.getbool("RADIOSCRAPE_PROGRESS") and sys.stdout.isatty()
        ext = cls(crawler.stats, settings.get("RADIOSCRAPE_REPORT") or None, progress)
        ext.signals = crawler.signals
        crawler.signals.connect(ext.station_warnings, signal=radioscrape_signals.station_warnings)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def response_received(self, response, request) -> None:
        """Count a fetched page (and a redirect followed) under its station."""
        label = request.meta.get(STATION_META)
        if response.status < 400:
            inc_stat(self.stats, label, "pages")
        if request.meta.get("redirect_urls"):
            inc_stat(self.stats, label, "redirects")

    def item_scraped(self, item, response) -> None:
        """Count the clutter removed from a kept record, by rule, under its station."""
        if isinstance(item, ArticleRecord):
            for rule, count in item.clutter.items():
                inc_stat(self.stats, item.station, f"clutter/{rule}", count)

    def item_dropped(self, item, response, exception) -> None:
        """Count a dropped page or record, by reason, under its station (under errors when it
        failed for a reason outside the page: pipelines.validate.PageFailed)."""
        label = response.meta.get(STATION_META) if response is not None else None
        group = getattr(exception, "group", "dropped")
        inc_stat(self.stats, label, f"{group}/{getattr(exception, 'kind', 'other')}")

    def station_warnings(self, warnings: dict[str, list[str]]) -> None:
        """Keep the store pipeline's warnings for the report."""
        self.warnings = warnings

    def spider_opened(self) -> None:
        """Start the progress line."""
        if self.progress:
            self.progress.start(1.0, now=False)

    def show_progress(self) -> None:
        """Rewrite the one-line progress summary on the terminal."""
        report = build_report(self.stats.get_stats(), "running")
        t = report["totals"]
        sys.stdout.write(
            f"\r\x1b[K{t['pages']} pages, {t['discovered']} found, {t['new']} new, "
            f"{t['updated']} updated, {t['unchanged']} unchanged, "
            f"{sum(t['errors'].values())} errors"
        )
        sys.stdout.flush()

    def spider_closed(self, reason: str) -> None:
        """Print the report, write it as JSON, and send it with its exit code
        (crawl_reported)."""
        if self.progress and self.progress.running:
            self.progress.stop()
            sys.stdout.write("\r\x1b[K")
        report = build_report(self.stats.get_stats(), reason, self.warnings)
        print(format_report(report), flush=True)
        code = report["exit_code"]
        if self.report_path:
            try:  # a temp file renamed over the old one: never a half-written report
                with atomic_output(str(self.report_path)) as out:
                    out.write(dumps(report, indent=2) + "\n")
            except OSError as exc:
                print(
                    f"radioscrape: report not written to {self.report_path}: {exc}", file=sys.stderr
                )
                code = max(code, EXIT_PARTIAL)
        if self.signals is not None:
            self.signals.send_catch_log(
                signal=radioscrape_signals.crawl_reported, report=report, exit_code=code
            )

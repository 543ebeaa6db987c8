"""`scrapy crawl station|page` with the exit codes of `radioscrape crawl` and `radioscrape scrape`.

Scrapy's own crawl command exits 0 whatever the spider reported. This one also reads the
environment and the config file (below `-s`), runs the same checks as `radioscrape crawl` before
anything is fetched (a configuration error is one line and exit 2), takes the same store lock
(exit 3 when another run holds it), and exits with the code the crawl report (station) or the
first failing URL (page) gives.
"""

from __future__ import annotations

import sys

from scrapy import signals as scrapy_signals
from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.utils.conf import arglist_to_dict

from crawler.config import ConfigError, load_config
from pipelines.core import signals
from pipelines.core.refusals import refusal


class Command(ScrapyCrawl):
    """Scrapy's crawl command, telling cron the truth."""

    def process_options(self, args, opts) -> None:
        """Scrapy's options, with RADIOSCRAPE_* variables and the config file below `-s`."""
        super().process_options(args, opts)
        try:
            given = arglist_to_dict(opts.set)
            config = load_config(sets=list(given.items()))
        except (ConfigError, ValueError) as exc:
            self._fail(str(exc))
        self.settings.setdict(
            {k: v for k, v in config.scrapy_settings().items() if k not in given},
            priority="project",
        )
        self.given = given

    def _fail(self, message: str) -> None:
        print(f"radioscrape: {message}", file=sys.stderr)
        sys.exit(2)

    def run(self, args, opts) -> None:
        """Check, crawl, and set the exit code from the spider's outcome."""
        if len(args) != 1 or args[0] not in ("station", "page"):
            super().run(args, opts)
            return
        assert self.crawler_process
        if args[0] == "station":
            from crawler.crawl_job import CrawlOutcome, crawl_lock
            from crawler.lock import AlreadyRunning
            from crawler.preflight import preflight
            from crawler.report import EXIT_RUNNING

            try:
                preflight(self.settings, opts.spargs, self.given)
            except ConfigError as exc:
                self._fail(str(exc))
            try:
                with crawl_lock(self.settings):
                    crawler = self._create_crawler("station")
                    outcome = CrawlOutcome(crawler)
                    self.crawler_process.crawl(crawler, **opts.spargs)
                    self.crawler_process.start()
                    self.exitcode = outcome.finish()
            except AlreadyRunning as exc:
                print(f"radioscrape: {exc}; not starting", file=sys.stderr)
                self.exitcode = EXIT_RUNNING
            return
        outcome = PageOutcome()
        crawler = self._create_crawler("page")
        crawler.signals.connect(outcome.failed, signal=signals.fetch_failed)
        crawler.signals.connect(outcome.dropped, signal=scrapy_signals.item_dropped)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        self.exitcode = 1 if self.crawler_process.bootstrap_failed else outcome.exit_code()


class PageOutcome:
    """The first failing URL of a page crawl, as `radioscrape scrape` codes it."""

    def __init__(self):
        self.failures: dict[int, str] = {}

    def failed(self, index, kind, message) -> None:
        """A URL gave no page (http, dns, timeout, robots, ...)."""
        self.failures.setdefault(index, kind)

    def dropped(self, item, response, exception) -> None:
        """A page gave no record (not an article, or not a usable page)."""
        kind = getattr(exception, "kind", None)
        index = response.meta.get("index") if response is not None else None
        if kind and index is not None:
            group = "bad-page" if kind in ("empty", "not-html", "unparsable") else "not-article"
            self.failures.setdefault(index, group)

    def exit_code(self) -> int:
        """0, or the code of the first URL (in the order given) that gave no record."""
        if not self.failures:
            return 0
        return refusal(self.failures[min(self.failures)]).exit_code

"""Run one crawl job in this process: lock the store, crawl with StationSpider, exit code.

One Twisted reactor per process: call run_crawl once per process.
"""

from __future__ import annotations

import sys
from contextlib import nullcontext
from dataclasses import dataclass, field

from scrapy.crawler import CrawlerProcess

from crawler.fetch import project_settings
from crawler.lock import AlreadyRunning, store_lock
from crawler.report import EXIT_FAILURE, EXIT_RUNNING
from crawler.spiders.station import StationSpider, build_targets
from pipelines.store import open_store

# Settings for crawling a site on 127.0.0.1 (the demo, tests): no politeness delays needed.
LOCAL_SITE_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
}


@dataclass(frozen=True)
class CrawlOptions:
    """Everything one crawl run needs, built once by the CLI and passed down."""

    db: str = "radioscrape.db"
    stations: tuple[str, ...] = ()
    url: str | None = None
    mirrors: dict[str, str] = field(default_factory=dict)
    since: str | None = None
    limit: int | None = None
    report: str | None = None
    log_level: str = "WARNING"
    redis: str | None = None
    settings: dict[str, str] = field(default_factory=dict)

    def spider_kwargs(self) -> dict[str, str | None]:
        """The StationSpider arguments (the same ones `scrapy crawl station -a` takes)."""
        return {
            "station": ",".join(self.stations) or None,
            "url": self.url,
            "mirrors": ",".join(f"{k}={v}" for k, v in self.mirrors.items()) or None,
        }

    def scrapy_settings(self) -> dict[str, object]:
        """Settings overrides: the RADIOSCRAPE_* options, then `-s` pairs on top."""
        return {
            "RADIOSCRAPE_DB": self.db,
            "RADIOSCRAPE_SINCE": self.since,
            "RADIOSCRAPE_LIMIT": self.limit or 0,
            "RADIOSCRAPE_REPORT": self.report or "",
            "LOG_LEVEL": self.log_level,
            "RADIOSCRAPE_REDIS": self.redis or "",
            **self.settings,
        }


def run_crawl(options: CrawlOptions) -> int:
    """Crawl under the store's lock; return the report's exit code (EXIT_RUNNING when another
    run holds the lock, EXIT_FAILURE when the crawl cannot start)."""
    try:
        build_targets(**options.spider_kwargs())
        open_store(options.db).close()
    except (ValueError, KeyError, NotImplementedError, OSError) as exc:
        print(f"radioscrape: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return EXIT_FAILURE
    settings = project_settings(options.scrapy_settings())
    # The workers of a distributed crawl share the store: Redis, not the lock, keeps them apart.
    lock = nullcontext() if settings.get("RADIOSCRAPE_REDIS") else store_lock(options.db)
    try:
        with lock:
            process = CrawlerProcess(settings)
            crawler = process.create_crawler(StationSpider)
            process.crawl(crawler, **options.spider_kwargs())
            process.start()
            return crawler.stats.get_value("radioscrape/exit_code", EXIT_FAILURE)
    except AlreadyRunning as exc:
        print(f"radioscrape: {exc}; not starting", file=sys.stderr)
        return EXIT_RUNNING

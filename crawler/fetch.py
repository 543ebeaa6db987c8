"""Fetch a list of URLs with Scrapy (robots.txt, retries, timeouts) and return their Pages."""

from __future__ import annotations

import os
from dataclasses import dataclass

from scrapy import signals as scrapy_signals
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

from crawler.spiders.page import PageSpider
from pipelines.core import signals
from pipelines.core.items import Page


@dataclass(frozen=True)
class FetchFailure:
    """Why a URL gave no page: kind is http, dns, timeout, refused, robots or fetch."""

    kind: str
    message: str


def project_settings(overrides: dict | None = None):
    """radioscrape's Scrapy settings, wherever the command runs from, plus `overrides`."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    settings.setdict(overrides or {}, priority="cmdline")
    return settings


def fetch_pages(urls: list[str], overrides: dict | None = None) -> list[Page | FetchFailure]:
    """Fetch every URL in one Scrapy run; results in the order given.

    Runs the Twisted reactor, so it can be called once per process.
    """
    results: list[Page | FetchFailure | None] = [None] * len(urls)
    settings = project_settings(
        {
            "ITEM_PIPELINES": {},
            "LOG_LEVEL": "ERROR",
            "LOG_INSTALL_ROOT_HANDLER": False,
            **(overrides or {}),
        }
    )
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PageSpider)

    def scraped(item, response, spider):
        results[response.meta["index"]] = item

    def failed(index, kind, message):
        results[index] = FetchFailure(kind, message)

    crawler.signals.connect(scraped, signal=scrapy_signals.item_scraped)
    crawler.signals.connect(failed, signal=signals.fetch_failed)
    process.crawl(crawler, urls=urls)
    process.start()
    return [r if r is not None else FetchFailure("fetch", "no response") for r in results]

"""The crawl's stats collector (crawler.report.StatsCollector, without Scrapy's attribute hook)
keeps the same counts as Scrapy's own."""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.misc import load_object
from scrapy.utils.test import get_crawler

from crawler.fetch import project_settings
from crawler.report import StatsCollector


def _count(stats) -> dict:
    stats.open_spider()
    stats.inc_value("radioscrape/jacaranda/pages")
    stats.inc_value("radioscrape/jacaranda/pages", 3)
    stats.inc_value("radioscrape/jacaranda/clutter/ad-slots", 2, start=10)
    stats.set_value("radioscrape/stations", ["jacaranda"])
    stats.max_value("depth", 4)
    stats.max_value("depth", 2)
    stats.min_value("first", 5)
    stats.min_value("first", 1)
    return {"value": stats.get_value("radioscrape/jacaranda/pages"), **stats.get_stats()}


def test_the_crawl_counts_as_scrapys_stats_collector():
    settings = project_settings()
    assert load_object(settings["STATS_CLASS"]) is StatsCollector
    assert not settings.getbool("DOWNLOADER_STATS")  # its downloader/* counts are read by none
    crawler = get_crawler()
    ours, scrapys = StatsCollector(crawler), MemoryStatsCollector(crawler)
    assert (
        _count(ours)
        == _count(scrapys)
        == {
            "value": 4,
            "radioscrape/jacaranda/pages": 4,
            "radioscrape/jacaranda/clutter/ad-slots": 12,
            "radioscrape/stations": ["jacaranda"],
            "depth": 4,
            "first": 1,
        }
    )

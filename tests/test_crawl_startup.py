"""What a crawl does once at its start, made cheap without changing what it sets up."""

from __future__ import annotations

import subprocess
import sys

import pytest
from scrapy.settings import Settings

from crawler.crawl_job import logs_info
from tests.conftest import ROOT

TLS_ALIASES = """
import inspect
stack, getmodule = inspect.stack, inspect.getmodule
import crawler.middlewares
from scrapy.core.downloader import contextfactory, tls
assert (inspect.stack, inspect.getmodule) == (stack, getmodule)
print(contextfactory.ScrapyClientContextFactory.__module__,
      contextfactory.AcceptableProtocolsContextFactory.__module__,
      tls.ScrapyClientTLSOptions.__module__)
"""


def test_scrapys_tls_aliases_are_named_as_scrapy_names_them():
    """crawler.middlewares imports Scrapy's TLS modules with a shallow inspect.stack: their
    deprecated aliases still name their own modules, and inspect is as it was."""
    out = subprocess.run(
        [sys.executable, "-c", TLS_ALIASES], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [
        "scrapy.core.downloader.contextfactory",
        "scrapy.core.downloader.contextfactory",
        "scrapy.core.downloader.tls",
    ]


COOKIES_OFF = """
import sys
from scrapy.core.downloader.middleware import DownloaderMiddlewareManager
from scrapy.utils.reactor import install_reactor
from scrapy.utils.test import get_crawler
from crawler import settings
from crawler.spiders.station import StationSpider
install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
crawler = get_crawler(StationSpider, {{"ADDONS": settings.ADDONS, "COOKIES_ENABLED": {enabled}}})
manager = DownloaderMiddlewareManager.from_crawler(crawler)
names = [type(mw).__name__ for mw in manager.middlewares]
print("CookiesMiddleware" in names, "tldextract" in sys.modules)
"""


def test_the_cookies_middleware_is_not_even_imported_while_cookies_are_off():
    """COOKIES_ENABLED off (the default): Scrapy's cookies middleware, which would raise
    NotConfigured, is not imported (tldextract with it); on, it is there as Scrapy sets it."""
    for enabled, expected in ((False, ["False", "False"]), (True, ["True", "True"])):
        code = COOKIES_OFF.format(enabled=enabled)
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == expected


def test_the_crawl_commands_load_no_other_commands_module():
    """`radioscrape crawl` (export, demo) builds its own parser alone."""
    code = """
import sys
from crawler import cli
for command in cli.CRAWL_COMMANDS:
    assert cli.build_parser(command).parse_args([command]).command == command
others = ("crawler.store_cli", "crawler.stories_cli", "crawler.chrome_cli", "crawler.reclean",
          "crawler.fixtures")
assert not set(others) & set(sys.modules), set(others) & set(sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("level", "logged"),
    [("WARNING", False), ("ERROR", False), (40, False), ("INFO", True), ("DEBUG", True),
     (20, True), ("not a level", True)],
)  # fmt: skip
def test_scrapy_looks_its_versions_up_only_for_a_log_that_takes_info(level, logged):
    """Scrapy logs LOG_VERSIONS at INFO, looked up before it knows the level (~4 ms)."""
    assert logs_info(Settings({"LOG_LEVEL": level})) is logged

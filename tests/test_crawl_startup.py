"""What a crawl does once at its start, made cheap without changing what it sets up."""

from __future__ import annotations

import subprocess
import sys

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

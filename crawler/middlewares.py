"""Downloader middlewares radioscrape adds to Scrapy's."""

from __future__ import annotations

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, made safe for many requests waiting at once.

    In Scrapy 2.19, when three or more requests to one host wait for its robots.txt, every
    waiter after the first gets None from the shared Deferred and is let through unchecked.
    Once robots.txt is in, every waiter reads the parser from the cache instead.
    """

    async def robot_parser(self, request):
        """The host's parsed robots.txt (None when it could not be fetched: allow all)."""
        parser = await super().robot_parser(request)
        cached = self._parsers.get(urlparse_cached(request).netloc, parser)
        return parser if isinstance(cached, Deferred) else cached

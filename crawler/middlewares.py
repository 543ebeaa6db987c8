"""Downloader middlewares radioscrape adds to Scrapy's, and the typed refusals they raise.

Scrapy refuses a request with a bare IgnoreRequest for several reasons; radioscrape's
subclasses of those middlewares raise a Refused subclass instead, whose `kind` names the row of
the refusal table (pipelines.core.refusals) that says how it is reported.
"""

from __future__ import annotations

import asyncio
import inspect
import ipaddress
import sys
import zlib
from datetime import UTC, datetime

from scrapy.downloadermiddlewares.httpcompression import (
    HttpCompressionMiddleware as ScrapyHttpCompressionMiddleware,
)
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as ScrapyMetaRefresh
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware as ScrapyRedirectMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from pipelines.core import signals
from pipelines.core.dates import parse_date


def _import_tls_modules() -> None:
    """Import Scrapy's TLS modules (the downloader's context factory) with a cheap
    inspect.stack and inspect.getmodule. Each defines a deprecated alias with
    create_deprecated_class, which names it after the module that calls it: inspect.stack()
    makes every frame of the stack with its source line, and inspect.getmodule looks the
    caller's file up among every loaded module (their real paths). Imported by the downloader
    deep in the engine's start, with ~900 modules loaded, those three calls cost ~0.1 s of CPU
    at every crawl's start; here they get the caller's frame and its module straight away, so
    the aliases are named as before (tests/test_crawl_generic.py)."""
    stack, getmodule = inspect.stack, inspect.getmodule
    inspect.stack = lambda context=1: [None, (sys._getframe(2),)]
    inspect.getmodule = lambda frame, _filename=None: sys.modules[frame.f_globals["__name__"]]
    try:
        import scrapy.core.downloader.contextfactory  # noqa: F401
    finally:
        inspect.stack, inspect.getmodule = stack, getmodule


_import_tls_modules()


class Refused(IgnoreRequest):
    """A request refused for a known reason: `kind` is its row of the refusal table."""

    kind = "fetch"


class ForbiddenByRobots(Refused):
    """A request robots.txt disallows."""

    kind = "robots"


class TooLarge(Refused):
    """A response whose body decompresses to more than DOWNLOAD_MAXSIZE (a gzip bomb)."""

    kind = "too-large"


class TooManyRedirects(Refused):
    """A request redirected more than REDIRECT_MAX_TIMES times (a loop, most often)."""

    kind = "redirect-loop"


class OffsiteRequest(Refused):
    """A request (a redirect, most often) to a host that is not its station's."""

    kind = "offsite-redirect"


class PrivateAddress(Refused):
    """A request whose host name resolves to a private, loopback or link-local address."""

    kind = "private-address"


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, made safe for many requests waiting at once, refusing
    with ForbiddenByRobots.

    In Scrapy 2.19, when three or more requests to one host wait for its robots.txt, every
    waiter after the first gets None from the shared Deferred and is let through unchecked.
    Once robots.txt is in, every waiter reads the parser from the cache instead.
    """

    async def robot_parser(self, request):
        """The host's parsed robots.txt (None when it could not be fetched: allow all)."""
        parser = await super().robot_parser(request)
        cached = self._parsers.get(urlparse_cached(request).netloc, parser)
        return parser if isinstance(cached, Deferred) else cached

    def process_request_2(self, rp, request) -> None:
        """Scrapy's check, refusing a disallowed request with ForbiddenByRobots."""
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest as exc:
            raise ForbiddenByRobots(str(exc)) from None


class _RefusesTyped:
    """A Scrapy middleware whose process_response refuses with a bare IgnoreRequest, made to
    refuse with `refusal`, its typed subclass."""

    refusal: type[Refused]

    def process_response(self, request, response):
        """Scrapy's response or request; `refusal` where it raises IgnoreRequest."""
        try:
            return super().process_response(request, response)
        except Refused:
            raise
        except IgnoreRequest as exc:
            raise self.refusal(str(exc)) from exc


class HttpCompressionMiddleware(_RefusesTyped, ScrapyHttpCompressionMiddleware):
    """Scrapy's decompression, refusing a body over DOWNLOAD_MAXSIZE with TooLarge."""

    refusal = TooLarge


class RedirectMiddleware(_RefusesTyped, ScrapyRedirectMiddleware):
    """Scrapy's redirects, refusing one too many with TooManyRedirects."""

    refusal = TooManyRedirects


# Scrapy reads a meta refresh in a page's first 4,096 characters: at most this many bytes.
_REFRESH_HEAD = 4 * 4096


class MetaRefreshMiddleware(_RefusesTyped, ScrapyMetaRefresh):
    """Scrapy's meta-refresh redirects, refusing one too many with TooManyRedirects. A page
    whose head has no "refresh" in its bytes is passed on as it is: Scrapy would decode the
    whole body to look (~0.1 ms for an 18 kB page), and nothing else in a crawl decodes it."""

    def process_response(self, request, response):
        """The response itself when no refresh can be in it (in an ASCII-compatible encoding:
        a UTF-16 or UTF-32 head has NUL bytes and goes to Scrapy's check); else Scrapy's."""
        head = response.body[:_REFRESH_HEAD]
        if b"\0" not in head and b"refresh" not in head.lower():
            return response
        return super().process_response(request, response)

    refusal = TooManyRedirects


class BadCompression(Exception):
    """A gzip-encoded response body that is cut short or corrupt."""


class CompressionCheckMiddleware:
    """Refuse a gzip-encoded body that does not decompress to its end (truncated or corrupt).

    Scrapy's HttpCompressionMiddleware keeps what a truncated gzip body gives, so half a page
    would be stored as the whole article. This middleware runs before it (a higher order) and
    inflates the body into nothing, chunk by chunk, up to DOWNLOAD_MAXSIZE: a bigger body is
    left to HttpCompressionMiddleware, which refuses it as too large.
    """

    def __init__(self, max_size: int):
        self.max_size = max_size

    @classmethod
    def from_crawler(cls, crawler):
        """Build the middleware with the crawl's DOWNLOAD_MAXSIZE."""
        return cls(crawler.settings.getint("DOWNLOAD_MAXSIZE"))

    def process_response(self, request, response):
        """Pass the response on, or raise BadCompression for a truncated or corrupt gzip."""
        encodings = b",".join(response.headers.getlist("Content-Encoding")).strip().lower()
        if request.method == "HEAD" or encodings not in (b"gzip", b"x-gzip"):
            return response  # only a body that is gzip alone is checked
        inflater = zlib.decompressobj(wbits=31)
        size, data = 0, response.body
        try:
            while data and not inflater.eof:
                size += len(inflater.decompress(data, 65536))
                data = inflater.unconsumed_tail
                if self.max_size and size > self.max_size:
                    return response
        except zlib.error as exc:
            raise BadCompression(f"corrupt gzip body: {exc}") from exc
        if not inflater.eof:
            raise BadCompression(f"truncated gzip body ({len(response.body)} bytes)")
        return response


def retry_after_seconds(value: bytes | None, now: datetime | None = None) -> float | None:
    """The wait a Retry-After header asks for (delay-seconds or an HTTP date), or None."""
    text = (value or b"").decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    if (when := parse_date(text)) is None:
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware:
    """Wait what a 429 or 503 response's Retry-After asks, at most RADIOSCRAPE_RETRY_AFTER_MAX
    seconds, before Scrapy's RetryMiddleware (a lower order) retries the request. Only that
    request waits; the last attempt, which is not retried, does not wait."""

    def __init__(self, max_wait: float, retry_times: int):
        self.max_wait = max_wait
        self.retry_times = retry_times

    @classmethod
    def from_crawler(cls, crawler):
        """Build the middleware from RADIOSCRAPE_RETRY_AFTER_MAX and RETRY_TIMES."""
        settings = crawler.settings
        if not settings.getbool("RETRY_ENABLED"):
            raise NotConfigured
        return cls(settings.getfloat("RADIOSCRAPE_RETRY_AFTER_MAX"), settings.getint("RETRY_TIMES"))

    async def process_response(self, request, response):
        """Sleep for Retry-After (capped) when the response will be retried."""
        if response.status not in (429, 503) or request.meta.get("dont_retry"):
            return response
        retries_left = request.meta.get("max_retry_times", self.retry_times) - request.meta.get(
            "retry_times", 0
        )
        delay = retry_after_seconds(response.headers.get("Retry-After"))
        if retries_left > 0 and delay:
            await asyncio.sleep(min(delay, self.max_wait))
        return response


def is_private_host(host: str) -> bool:
    """Whether a host is a loopback, private, link-local or otherwise non-public address."""
    host = host.lower().strip("[]")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


class StationOffsiteMiddleware(OffsiteMiddleware):
    """Scrapy's OffsiteMiddleware with the station spider's policy: every request, discovery
    and redirects included, stays on the hosts of the station it was made for, and a private,
    loopback or link-local address only when the station itself lives there (a local mirror).

    A refused request is announced with the `request_offsite` signal (the engine drops a
    request refused when it is scheduled without calling its errback), then ignored. Before a
    request is downloaded, its host name is resolved (with the crawl's caching resolver): a
    private address is refused with PrivateAddress (its errback counts it) unless the spider's
    `may_be_private` allows it.
    """

    def request_scheduled(self, request, spider=None) -> None:
        """The host-name policy, when a request is scheduled (a redirect included)."""
        self.refuse_offsite(request)

    def should_follow(self, request, spider) -> bool:
        """Whether the request's URL is on its station's hosts (the spider's `on_own_hosts`);
        Scrapy's allowed_domains policy for a spider without one."""
        if hasattr(spider, "on_own_hosts"):
            return spider.on_own_hosts(request)
        return super().should_follow(request, spider)

    def process_request(self, request, spider=None) -> Deferred | None:
        """Before the download: the host-name policy, then (a Deferred, only for a host name
        that is not the station's mirror) the address the name resolves to."""
        self.refuse_offsite(request)
        policy = getattr(self.crawler.spider, "may_be_private", None)
        host = urlparse_cached(request).hostname or ""
        if policy is None or policy(request) or is_private_host(host):
            return None  # a private name or literal is refused by the host-name policy already
        return deferred_from_coro(self.refuse_private(host))

    async def refuse_private(self, host: str) -> None:
        """Refuse a host name that resolves to a private address (the crawl's resolver)."""
        from twisted.internet import reactor

        address = await maybe_deferred_to_future(reactor.resolve(host))
        if is_private_host(address):
            raise PrivateAddress(f"{host} resolves to the private address {address}")

    def refuse_offsite(self, request) -> None:
        """Let an on-site request through; announce and refuse an offsite one."""
        try:
            super().process_request(request)
        except IgnoreRequest:
            self.crawler.signals.send_catch_log(signals.request_offsite, request=request)
            raise OffsiteRequest(f"offsite request to {request.url}") from None

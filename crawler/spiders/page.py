"""PageSpider: fetch the URLs it is given and yield each as a Page (the one-off scrape)."""

from __future__ import annotations

from typing import ClassVar

import scrapy
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    NotSupported,
    ResponseDataLossError,
)
from twisted.internet import error as twisted_errors

from crawler.middlewares import BadCompression, Refused
from crawler.stations import registry
from pipelines.core import signals
from pipelines.core.items import response_to_page
from pipelines.core.urls import is_http_url

_ERROR_KINDS = (
    (CannotResolveHostError, "dns"),
    (twisted_errors.DNSLookupError, "dns"),
    (DownloadTimeoutError, "timeout"),
    (twisted_errors.TimeoutError, "timeout"),
    (twisted_errors.TCPTimedOutError, "timeout"),
    (DownloadConnectionRefusedError, "refused"),
    (twisted_errors.ConnectionRefusedError, "refused"),
    (ResponseDataLossError, "data-loss"),
    (DownloadCancelledError, "too-large"),  # Scrapy cancels downloads over DOWNLOAD_MAXSIZE
    (BadCompression, "bad-compression"),
    (NotSupported, "scheme"),
)


class PageSpider(scrapy.Spider):
    """`scrapy crawl page -a url=URL [-a url2=...]`: one Page per URL, in the order given."""

    name = "page"
    custom_settings: ClassVar[dict] = {
        "HTTPERROR_ALLOW_ALL": True,
        "RETRY_TIMES": 1,
        "ITEM_PIPELINES": {"pipelines.extract.ExtractPipeline": 100},
    }

    def __init__(self, url: str | None = None, urls: list[str] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.target_urls = list(urls or ([url] if url else []))
        bad = [u for u in self.target_urls if not is_http_url(u)]
        if bad:
            raise ValueError(f"only http(s) URLs can be fetched: {', '.join(bad)}")

    async def start(self):
        """One request per URL; errors reach `failed` so the caller can report them."""
        for index, url in enumerate(self.target_urls):
            yield scrapy.Request(
                url,
                callback=self.parse,
                errback=self.failed,
                dont_filter=True,
                cb_kwargs={"index": index},
                meta={"index": index},
                priority=-index,
            )

    def parse(self, response, index: int):
        """Yield the fetched page (HTTP errors included: the caller decides)."""
        profile = registry().for_url(response.url)
        page = response_to_page(response, profile.key if profile else None)
        if response.status >= 400:
            self.crawler.signals.send_catch_log(
                signals.fetch_failed, index=index, kind="http", message=f"HTTP {response.status}"
            )
            return
        page.request_url = self.target_urls[index]
        yield page

    def failed(self, failure):
        """Report a download error (DNS, timeout, refused, robots.txt) for its URL."""
        request = failure.request
        self.crawler.signals.send_catch_log(
            signals.fetch_failed,
            index=request.meta.get("index"),
            kind=error_kind(failure),
            message=str(failure.value) or failure.type.__name__,
        )


def error_kind(failure) -> str:
    """A short name for a download failure (a row of pipelines.core.refusals): dns, timeout,
    refused, data-loss, too-large, bad-compression, scheme, a Refused request's kind (robots,
    redirect-loop, offsite-redirect...), or fetch."""
    if failure.check(Refused):
        return failure.value.kind
    for exc_type, name in _ERROR_KINDS:
        if failure.check(exc_type):
            return name
    return "fetch"

"""The refusal table and the typed refusals: a refusal's kind comes from its type, never from
its message, and every kind a fetch can give has a row."""

from __future__ import annotations

import gzip

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.middlewares import (
    ForbiddenByRobots,
    HttpCompressionMiddleware,
    MetaRefreshMiddleware,
    PrivateAddress,
    RedirectMiddleware,
    Refused,
    TooLarge,
    TooManyRedirects,
)
from crawler.spiders.page import error_kind
from pipelines.clean.classify import URL_KINDS
from pipelines.core.refusals import EXIT_FETCH, EXIT_ROBOTS, PAGE_KINDS, REFUSALS, refusal


@pytest.mark.parametrize("refused", Refused.__subclasses__())
def test_every_typed_refusal_has_a_row(refused):
    assert refused.kind in REFUSALS
    assert error_kind(Failure(refused("whatever the message says"))) == refused.kind


def test_the_kind_comes_from_the_type_not_the_message():
    assert error_kind(Failure(ForbiddenByRobots("max redirections reached"))) == "robots"
    assert error_kind(Failure(IgnoreRequest("Forbidden by robots.txt"))) == "fetch"
    assert refusal("robots").exit_code == EXIT_ROBOTS and refusal("robots").report == "filtered"
    assert refusal("http-404") == REFUSALS["fetch"] and refusal("http-404").exit_code == EXIT_FETCH
    assert refusal(PrivateAddress.kind).report == "errors"


def test_every_kind_of_page_the_cleaner_tells_by_url_is_a_page_refusal():
    assert {kind for kind, _ in URL_KINDS} | {"home", "listing"} == PAGE_KINDS


def test_one_redirect_too_many_is_refused_as_a_redirect_loop():
    crawler = get_crawler(settings_dict={"REDIRECT_MAX_TIMES": 1})
    request = Request("https://example.org/a", meta={"redirect_times": 1})
    response = Response(request.url, status=301, headers={"Location": "/b"}, request=request)
    with pytest.raises(TooManyRedirects):
        RedirectMiddleware.from_crawler(crawler).process_response(request, response)
    refresh = b'<meta http-equiv="refresh" content="0; url=/b">'
    html = HtmlResponse(request.url, body=refresh, encoding="utf-8")
    with pytest.raises(TooManyRedirects):
        MetaRefreshMiddleware.from_crawler(crawler).process_response(request, html)


def test_a_meta_refresh_is_looked_for_without_decoding_a_page_that_has_none():
    middleware = MetaRefreshMiddleware.from_crawler(get_crawler())
    request = Request("https://example.org/a")
    plain = HtmlResponse(request.url, body=b"<p>caf\xc3\xa9</p>" * 2000, encoding="utf-8")
    assert middleware.process_response(request, plain) is plain
    assert plain._cached_ubody is None  # Scrapy's check decoded all 36 kB to read 4,096 chars
    refresh = '<meta http-equiv="Refresh" content="0; url=/b"><p>caf\xe9</p>'
    for encoding in ("utf-8", "utf-16", "cp1252"):
        html = HtmlResponse(request.url, body=refresh.encode(encoding), encoding=encoding)
        redirected = middleware.process_response(request, html)
        assert isinstance(redirected, Request), encoding
        assert redirected.url.startswith("https://example.org/b"), encoding


def test_a_body_that_decompresses_too_far_is_refused_as_too_large():
    crawler = get_crawler(settings_dict={"DOWNLOAD_MAXSIZE": 1000})
    request = Request("https://example.org/a")
    bomb = gzip.compress(b" " * 100_000)
    response = Response(request.url, body=bomb, headers={"Content-Encoding": "gzip"})
    middleware = HttpCompressionMiddleware.from_crawler(crawler)
    with pytest.raises(TooLarge):
        middleware.process_response(request, response)

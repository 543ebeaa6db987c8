"""Canonical URLs: one story, one identity."""

from __future__ import annotations

from pipelines.clean.urls import canonicalize, is_http_url, url_key


def test_tracking_parameters_and_fragment_go():
    url = "http://WWW.Example.com/news/story/?utm_source=fb&fbclid=abc&page=2#comments"
    assert canonicalize(url) == "https://www.example.com/news/story/?page=2"


def test_station_host_replaces_staging_and_bare_hosts():
    assert (
        canonicalize("https://staging.jacarandafm.com/news/x/?preview=1", "www.jacarandafm.com")
        == "https://www.jacarandafm.com/news/x/?preview=1"
    )


def test_url_key_ignores_www_slash_and_scheme():
    keys = {
        url_key("https://www.jacarandafm.com/news/entertainment/story/"),
        url_key("http://jacarandafm.com/news/entertainment/story"),
        url_key("https://jacarandafm.com/news/entertainment/story/?utm_medium=social"),
    }
    assert len(keys) == 1
    assert url_key("https://jacarandafm.com/news/entertainment/other/") not in keys


def test_only_http_urls_count():
    assert is_http_url("https://a.example/x")
    assert not is_http_url("file:///etc/passwd")
    assert not is_http_url("javascript:alert(1)")
    assert not is_http_url("https:///nohost")

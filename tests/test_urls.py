"""Canonical URLs: one story, one identity."""

from __future__ import annotations

from pipelines.core.urls import canonicalize, is_http_url, url_key


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


def test_a_host_no_profile_owns_keeps_its_scheme_and_port():
    assert (
        canonicalize("http://127.0.0.1:8080/news/story/?utm_source=x&page=2#top", keep_origin=True)
        == "http://127.0.0.1:8080/news/story/?page=2"
    )
    assert (
        canonicalize("https://Station.Example:8443/a/b?b=2&a=1", keep_origin=True)
        == "https://station.example:8443/a/b?b=2&a=1"
    )


def test_default_ports_go_and_ipv6_hosts_stay_bracketed():
    assert canonicalize("http://radio.example:80/x", keep_origin=True) == "http://radio.example/x"
    assert (
        canonicalize("https://radio.example:443/x", keep_origin=True) == "https://radio.example/x"
    )
    assert canonicalize("http://[::1]:8080/x", keep_origin=True) == "http://[::1]:8080/x"


def test_only_click_identifiers_leave_an_unowned_url():
    # `ref`, `source` and `output` may choose the page on a site we know nothing about
    url = "https://radio.example/s?id=7&ref=home&source=app&fbclid=Z&utm_medium=social&_ga=1"
    assert canonicalize(url, keep_origin=True) == "https://radio.example/s?id=7&ref=home&source=app"


def test_identity_still_ignores_scheme_and_port():
    assert url_key("http://127.0.0.1:8080/news/story/") == url_key("https://127.0.0.1/news/story")

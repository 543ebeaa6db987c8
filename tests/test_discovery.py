"""Discovery parsing and the spider's pure decisions (targets, URL mapping, skip rules)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.discovery import (
    is_next_page,
    kind_of,
    parse_feed,
    parse_listing,
    parse_sitemap,
    robots_sitemaps,
)
from crawler.spiders.station import (
    build_targets,
    is_private_host,
)

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://www.jacarandafm.com/sitemap-1.xml</loc><lastmod>2026-11-01</lastmod></sitemap>
</sitemapindex>"""
NEWS = b"""<?xml version="1.0"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://www.jacarandafm.com/news/entertainment/a/</loc>
  <news:news><news:publication_date>2026-11-19T08:05:00+02:00</news:publication_date></news:news>
</url>
<url><loc>https://www.jacarandafm.com/news/entertainment/b/</loc><lastmod>2026-11-18</lastmod></url>
<url><loc>javascript:alert(1)</loc></url>
</urlset>"""
RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel>
<item><title>A</title><link>/news/entertainment/a/</link>
<pubDate>Thu, 19 Nov 2026 08:05:00 +0200</pubDate></item>
<item><title>B</title><guid>https://www.jacarandafm.com/news/entertainment/b/</guid></item>
</channel></rss>"""
ATOM = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry>
<link rel="alternate" href="https://www.heart.co.uk/showbiz/x/"/><updated>2026-11-19T10:00:00Z</updated>
</entry></feed>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a.example/&x;</loc></url>
</urlset>"""


def test_sitemap_index_and_news_sitemap():
    index = parse_sitemap(INDEX)
    assert index.is_index
    assert index.links[0].date == datetime(2026, 11, 1, tzinfo=UTC)
    urlset = parse_sitemap(NEWS)
    assert not urlset.is_index
    assert [link.url[-2:] for link in urlset.links] == ["a/", "b/"]
    assert urlset.links[0].date.isoformat() == "2026-11-19T08:05:00+02:00"


def test_sitemap_entities_are_not_resolved():
    links = parse_sitemap(XXE).links
    assert all("root:" not in link.url for link in links)


def test_rss_and_atom_feeds():
    rss = parse_feed(RSS, "https://www.jacarandafm.com/rss/")
    assert [link.url for link in rss] == [
        "https://www.jacarandafm.com/news/entertainment/a/",
        "https://www.jacarandafm.com/news/entertainment/b/",
    ]
    assert rss[0].date.isoformat() == "2026-11-19T08:05:00+02:00" and rss[1].date is None
    atom = parse_feed(ATOM, "https://www.heart.co.uk/")
    assert atom[0].url.endswith("/showbiz/x/")
    assert atom[0].date == datetime(2026, 11, 19, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "kind"),
    [(INDEX, "sitemap"), (NEWS, "sitemap"), (RSS, "feed"), (ATOM, "feed"),
     (b"<!doctype html><html><body></body></html>", "html")],
)  # fmt: skip
def test_kind_of(body, kind):
    assert kind_of(body) == kind


def test_robots_sitemaps():
    robots = b"User-agent: *\nDisallow: /search/\nSitemap: https://x.example/sitemap.xml\n"
    assert robots_sitemaps(robots) == ["https://x.example/sitemap.xml"]


def test_listing_feeds_links_and_next_pages():
    page = b"""<html><head>
    <link rel="alternate" type="application/rss+xml" href="/rss/">
    <link rel="next" href="/news/entertainment/page/2/"></head><body>
    <a href="/news/entertainment/story/#comments">x</a><a href="/news/entertainment/?page=3">3</a>
    <a href="/music/?page=2">other</a><a href="mailto:x@y">m</a></body></html>"""
    listing = parse_listing(page, "https://www.jacarandafm.com/news/entertainment/")
    assert listing.feeds == ["https://www.jacarandafm.com/rss/"]
    assert "https://www.jacarandafm.com/news/entertainment/story/" in listing.links
    assert listing.next_pages == [
        "https://www.jacarandafm.com/news/entertainment/page/2/",
        "https://www.jacarandafm.com/news/entertainment/?page=3",
    ]
    assert not is_next_page("https://a.example/news/?page=3", "https://a.example/news/?page=2")


def test_mirror_target_maps_station_hosts_to_the_mirror():
    [target] = build_targets("jacaranda", "http://127.0.0.1:8000/")
    assert target.label == target.station == "jacaranda"
    assert (
        target.localize("https://staging.jacarandafm.com/news/entertainment/x/?utm_source=t&id=2")
        == "http://127.0.0.1:8000/news/entertainment/x/?id=2"
    )
    assert target.localize("https://www.heart.co.uk/x/") is None
    assert ("http://127.0.0.1:8000/robots.txt", "robots") in target.sources()
    assert ("http://127.0.0.1:8000/rss/", "feed") in target.sources()


def test_profile_target_uses_the_canonical_host():
    [target] = build_targets("jacaranda")
    assert target.origin is None
    assert (
        target.localize("http://jacarandafm.com/news/entertainment/x/?fbclid=1")
        == "http://www.jacarandafm.com/news/entertainment/x/"
    )


def test_url_without_profile_is_a_generic_target():
    [target] = build_targets(url="https://www.wkvb1029.com/")
    assert target.station is None and target.label == "wkvb1029.com"
    assert target.profile.is_article_url("https://www.wkvb1029.com/entertainment/jingle-jam")
    assert not target.profile.is_article_url("https://www.wkvb1029.com/contests/jingle-jam")
    assert [role for _, role in target.sources()] == ["robots", "home"]
    assert build_targets(url="https://www.heart.co.uk/")[0].station == "heart"


@pytest.mark.parametrize(
    ("host", "private"),
    [("127.0.0.1", True), ("10.1.2.3", True), ("192.168.0.10", True), ("169.254.169.254", True),
     ("::1", True), ("[fe80::1]", True), ("localhost", True), ("app.localhost", True),
     ("0.0.0.0", True), ("8.8.8.8", False), ("www.jacarandafm.com", False)],
)  # fmt: skip
def test_private_and_link_local_hosts(host, private):
    assert is_private_host(host) == private


def test_a_station_owns_its_hosts_and_a_mirror_only_its_own_address():
    [site] = build_targets(url="https://wkvb1029.com/")
    assert site.owns("https://www.wkvb1029.com/news/x/") and site.owns("http://wkvb1029.com/")
    assert not site.owns("https://evil.example/") and not site.owns("http://169.254.169.254/")
    [mirror] = build_targets("jacaranda", "http://127.0.0.1:8000/")
    assert mirror.owns("http://127.0.0.1:8000/news/x/")
    assert mirror.owns("https://www.jacarandafm.com/news/x/")  # the station's own public host
    assert not mirror.owns("http://127.0.0.1:9000/news/x/")  # another server on the machine
    assert not mirror.owns("http://localhost:8000/news/x/")
    [local] = build_targets(url="http://10.0.0.7:8080/")  # a station that lives there
    assert local.owns("http://10.0.0.7:8080/x/") and not local.owns("http://10.0.0.7:9090/x/")


def test_bad_arguments_are_refused():
    with pytest.raises(KeyError):
        build_targets("no-such-station")
    with pytest.raises(ValueError):
        build_targets("heart,jacaranda", "http://127.0.0.1:1/")
    with pytest.raises(ValueError):
        build_targets(url="ftp://x.example/")
    assert len(build_targets()) >= 8

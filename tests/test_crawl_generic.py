"""End to end: `radioscrape crawl --url` on a site with no profile (generic discovery).

The site serves the generic WKVB fixtures on 127.0.0.1: its home page (the fixture's own, with
relative links), robots.txt naming a sitemap, and the article pages.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest

from crawler.demo_site import LocalSite, Resource, page_resource
from crawler.fixtures import all_fixtures
from crawler.middlewares import is_private_host
from pipelines.store import open_store

HOME = all_fixtures("generic/wkvb-home")[0]
ARTICLES = [f for f in all_fixtures("generic") if f.name.startswith("generic/wkvb-")
            and "not_article" not in f.expected]  # fmt: skip
# `url` is the 127.0.0.1 URL, `fetched_at` this crawl's time, and `station` comes from the
# host of the fetched page when there is no profile: 127.0.0.1 here, not wkvb1029.com. The
# canonical URL names wkvb1029.com, a host that is not this site's: the record is kept under
# the page's own URL instead (counted as filtered/foreign-canonical, not as new).
MIRROR_FIELDS = {"url", "fetched_at", "station", "canonical_url"}


@pytest.fixture
def site():
    with LocalSite() as served:
        paths = [urlsplit(f.meta["url"]).path for f in ARTICLES]
        served.routes["/"] = Resource((HOME.path / "page.html").read_bytes())
        served.routes["/robots.txt"] = Resource(
            f"User-agent: *\nSitemap: {served.url}/sitemap.xml\n".encode(),
            headers={"Content-Type": "text/plain"},
        )
        served.routes["/sitemap.xml"] = Resource(
            (
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                + "".join(f"<url><loc>{served.url}{p}</loc></url>" for p in paths[:1])
                + "</urlset>"
            ).encode()
        )
        for fixture, path in zip(ARTICLES, paths, strict=True):
            body = (fixture.path / "page.html").read_bytes()
            content_type = fixture.meta["headers"]["content-type"]
            served.routes[path] = page_resource(body, content_type, fixture.expected["published"])
        yield served


def test_generic_site_discovers_and_stores_its_articles(site, crawl):
    run = crawl("--url", f"{site.url}/")
    requested = site.paths_requested()
    assert {"/robots.txt", "/sitemap.xml", "/"} <= set(requested)
    assert "/music-news" in requested  # a section found from the home page's article links
    stats = run.report["stations"]["127.0.0.1"]
    assert stats["new"] + stats["filtered"].get("foreign-canonical", 0) == len(ARTICLES) == 3
    assert set(stats["errors"]) == {"http-404"}  # the home links stories this site lacks
    assert run.code == 1
    with open_store(crawl.db) as store:
        by_path = {urlsplit(r["url"]).path: r for r in store.records()}
    assert len(by_path) == len(ARTICLES)
    for fixture in ARTICLES:
        record = by_path[urlsplit(fixture.meta["url"]).path]
        differing = {k for k in fixture.expected if fixture.expected[k] != record[k]}
        assert differing <= MIRROR_FIELDS, (fixture.name, differing)
        assert record["station"] == "127.0.0.1"


def test_no_request_leaves_the_site_after_a_redirect(crawl):
    """A sitemap and a feed redirected to another server, a story redirected to the cloud
    metadata address and one to the same port under another host name: none is followed."""
    story = ARTICLES[0]
    path = urlsplit(story.meta["url"]).path
    with LocalSite() as served, LocalSite() as other:
        other.routes["/sitemap.xml"] = Resource(b"<urlset></urlset>")
        elsewhere = served.url.replace("127.0.0.1", "localhost")
        served.routes.update(
            {
                "/robots.txt": Resource(
                    f"Sitemap: {served.url}/sitemap.xml\n".encode(),
                    headers={"Content-Type": "text/plain"},
                ),
                "/sitemap.xml": Resource(
                    status=302, headers={"Location": f"{other.url}/sitemap.xml"}
                ),
                "/rss/": Resource(status=301, headers={"Location": f"{other.url}/rss/"}),
                "/news/metadata/": Resource(
                    status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
                ),
                "/news/renamed/": Resource(status=302, headers={"Location": f"{elsewhere}{path}"}),
                path: Resource((story.path / "page.html").read_bytes()),
                "/": Resource(
                    b'<html><head><link rel="alternate" type="application/rss+xml" '
                    b'href="/rss/"></head><body><a href="/news/metadata/">a</a>'
                    b'<a href="/news/renamed/">b</a>'
                    + f'<a href="{path}">c</a></body></html>'.encode()
                ),
            }
        )
        run = crawl("--url", f"{served.url}/", "-s", "DOWNLOAD_TIMEOUT=5")
    assert other.log == []
    stats = run.report["stations"]["127.0.0.1"]
    assert stats["discovery"]["errors"] == {"offsite-redirect": 2}  # the sitemap and the feed
    assert stats["errors"] == {"offsite-redirect": 2}  # the two stories
    assert stats["new"] + stats["filtered"].get("foreign-canonical", 0) == 1
    assert run.report["elapsed_seconds"] < 5  # nothing waited for 169.254.169.254
    assert (run.code, run.report["status"]) == (1, "partial")


def test_a_host_name_that_resolves_to_a_private_address_is_refused(crawl):
    """The station lives at this machine's host name and port (a private address, allowed
    there); a redirect to another port under the same name passes the host-name policy, but
    its address is private and not the station's: refused before it is fetched."""
    name = socket.gethostname()
    assert is_private_host(socket.gethostbyname(name)), "this test needs a private host name"
    story = ARTICLES[0]
    path = urlsplit(story.meta["url"]).path
    with LocalSite() as served, LocalSite() as other:
        other.routes[path] = Resource((story.path / "page.html").read_bytes())
        origin = served.url.replace("127.0.0.1", name)
        served.routes["/"] = Resource(b'<html><body><a href="/news/moved/">a</a></body></html>')
        served.routes["/news/moved/"] = Resource(
            status=302, headers={"Location": f"{other.url.replace('127.0.0.1', name)}{path}"}
        )
        run = crawl("--url", f"{origin}/")
    assert other.log == []
    assert run.report["stations"][name]["errors"] == {"private-address": 1}

"""End to end: `radioscrape crawl --url` on a site with no profile (generic discovery).

The site serves the generic WKVB fixtures on 127.0.0.1: its home page (the fixture's own, with
relative links), robots.txt naming a sitemap, and the article pages.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from crawler.demo_site import LocalSite, Resource, page_resource
from crawler.fixtures import all_fixtures
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

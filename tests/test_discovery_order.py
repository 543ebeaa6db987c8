"""A page requested as an article before discovery asks for it as a section is still read as a
section: the order of the two requests does not decide which links are found."""

from __future__ import annotations

from crawler.demo_site import LocalSite, Resource
from tests.sites.text import story
from tests.test_discovery_bounds import LABEL, article, xml

STORIES = [
    story(n, f"/news/politics/story-{n}/", "Ann Author", 20 + n, "Mornings", "Ann")
    for n in range(2)
]


def test_a_section_already_requested_as_an_article_is_read_for_its_links(crawl):
    """The sitemap lists /news/politics/ (an article-like URL), so it is requested as an article
    first; the slow home page then leads discovery to it as the section of story 0. Story 1 is
    linked from that section only."""
    with LocalSite() as served:
        home = Resource(f"<html><body><a href='{STORIES[0].path}'>s0</a></body></html>".encode())
        home.delay = 1.5  # the sitemap's candidates are requested first
        urls = "".join(
            f"<url><loc>{served.url}{path}</loc></url>"
            for path in ("/news/politics/", STORIES[0].path)
        )
        teasers = "".join(f"<li><a href='{s.path}'>{s.title}</a></li>" for s in STORIES)
        served.routes = {
            "/robots.txt": Resource(
                f"Sitemap: {served.url}/sitemap.xml\n".encode(),
                headers={"Content-Type": "text/plain"},
            ),
            "/sitemap.xml": xml(
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            ),
            "/": home,
            "/news/politics/": Resource(f"<html><body><ul>{teasers}</ul></body></html>".encode()),
            **{s.path: article(s) for s in STORIES},
        }
        run = crawl("--url", f"{served.url}/")
        asked = served.paths_requested()
        arrived = {r.path: r.at for r in reversed(served.log)}  # each path's first request
    assert arrived["/news/politics/"] < arrived["/"] + home.delay  # asked as an article first
    assert STORIES[1].path in asked
    assert asked.count("/news/politics/") == 2  # once as an article, once as a section
    assert run.report["stations"][LABEL]["new"] == len(STORIES), run.report

"""The crawl economy over several runs, on a site served on 127.0.0.1, checked on the server's
own request log. The crawl's clock is moved forward with RADIOSCRAPE_NOW (no sleeping).

The site: robots.txt names a sitemap index of two child sitemaps (old stories, whose lastmod is
their first publication as a Wagtail sitemap gives it, and recent ones); its home page links the
stories, two URLs that answer 404 and a show page that is no article; one old story's URL
301-redirects to its new address. Every page and document has an ETag.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from html import escape

import pytest

from crawler.demo_site import LocalSite, Resource
from pipelines.core.dates import parse_date
from tests.faultsite import paragraphs

T0 = parse_date("2026-12-01T06:00:00+00:00")
LABEL = "127.0.0.1"
OLD = [f"/news/old-story-{n}/" for n in range(3)]
RECENT = [f"/news/recent-story-{n}/" for n in range(2)]
MOVED, MOVED_TO = "/news/old-moved/", "/news/old-moved-here/"
GONE = ["/news/gone-a/", "/news/gone-b/"]
SHOW = "/shows/breakfast/"
SECTIONS = ("/news/", "/shows/")  # guessed from the home page's links
DISCOVERY = ("/robots.txt", "/sitemap_index.xml", "/sitemap-old.xml", "/sitemap-recent.xml",
             "/", *SECTIONS)  # fmt: skip
PUBLISHED = {
    **{path: T0 - timedelta(days=200 + n) for n, path in enumerate(OLD)},
    MOVED_TO: T0 - timedelta(days=300),
    **{path: T0 - timedelta(days=2 + n) for n, path in enumerate(RECENT)},
}


def etagged(body: bytes, content_type: str = "text/html; charset=utf-8") -> Resource:
    etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
    return Resource(body, headers={"Content-Type": content_type, "ETag": etag})


def story(path: str, edit: str = "") -> Resource:
    number = sum(map(ord, path))
    body = [paragraphs()[(number + k) % len(paragraphs())] for k in range(5)]
    paras = "".join(f"<p>{escape(p)}</p>" for p in [*body, *([edit] if edit else [])])
    title = path.strip("/").split("/")[-1].replace("-", " ").title()
    return etagged(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="og:type" content="article">'
        f'<meta property="article:published_time" content="{PUBLISHED[path].isoformat()}">'
        f"</head><body><article><h1>{title}</h1>{paras}</article></body></html>".encode()
    )


def urlset(origin: str, paths: list[str]) -> Resource:
    entries = "".join(
        f"<url><loc>{origin}{p}</loc><lastmod>{PUBLISHED[p if p != MOVED else MOVED_TO].date()}"
        "</lastmod><changefreq>never</changefreq></url>"
        for p in paths
    )
    ns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    return etagged(f'<urlset xmlns="{ns}">{entries}</urlset>'.encode(), "application/xml")


def listing(paths: list[str]) -> Resource:
    links = "".join(f'<a href="{p}">{p}</a>' for p in paths)
    return etagged(f"<html><body><h1>Radio</h1>{links}</body></html>".encode())


def build_site(served: LocalSite) -> None:
    origin = served.url
    children = "".join(
        f"<sitemap><loc>{origin}/sitemap-{name}.xml</loc><lastmod>{T0.date()}</lastmod></sitemap>"
        for name in ("old", "recent")
    )
    ns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    served.routes.update({
        "/robots.txt": Resource(f"Sitemap: {origin}/sitemap_index.xml\n".encode(),
                                headers={"Content-Type": "text/plain"}),
        "/sitemap_index.xml": etagged(
            f'<sitemapindex xmlns="{ns}">{children}</sitemapindex>'.encode(), "application/xml"
        ),
        "/sitemap-old.xml": urlset(origin, [*OLD, MOVED]),
        "/sitemap-recent.xml": urlset(origin, RECENT),
        "/": listing([*RECENT, *OLD, *GONE, SHOW]),
        "/news/": listing([*RECENT, *OLD]),
        "/shows/": listing([SHOW]),
        SHOW: etagged(b"<html><head><title>Breakfast</title></head><body><h1>Breakfast</h1>"
                      b"<p>Weekdays 6 to 9.</p></body></html>"),
        MOVED: Resource(status=301, headers={"Location": f"{origin}{MOVED_TO}"}),
        **{path: story(path) for path in PUBLISHED},
    })  # fmt: skip


@pytest.fixture
def site():
    with LocalSite() as served:
        build_site(served)
        yield served


def run_at(crawl, site, moment, **recrawl):
    """One crawl of the site with the clock at `moment`; the run and the requests it made."""
    mark = len(site.log)
    args = ["--url", f"{site.url}/", "-s", f"RADIOSCRAPE_NOW={moment.isoformat()}"]
    if recrawl:
        args += ["-s", f"RADIOSCRAPE_RECRAWL={json.dumps(recrawl)}"]
    run = crawl(*args)
    assert run.code in (0, 1), run.stderr
    return run, site.log[mark:]


def paths(requests) -> list[str]:
    return sorted(r.path for r in requests)


def answered_304(site, request) -> bool:
    """Whether the server answered this request 304 (its own log says so)."""
    return request.status == 304


def test_an_unchanged_recrawl_asks_only_discovery_documents_and_gets_304s(site, crawl):
    first, asked = run_at(crawl, site, T0)
    stats = first.report["stations"][LABEL]
    assert stats["new"] == len(PUBLISHED), first.stdout
    assert stats["errors"] == {"http-404": 2}
    assert MOVED in paths(asked) and MOVED_TO in paths(asked)

    second, asked = run_at(crawl, site, T0 + timedelta(hours=1))
    pages = [r for r in asked if r.path not in DISCOVERY]
    assert paths(pages) == sorted(RECENT)  # fresh: re-checked every run
    assert all(answered_304(site, r) for r in pages)
    conditional = [r for r in asked if r.path in ("/sitemap_index.xml", "/", *SECTIONS)]
    assert sum(answered_304(site, r) for r in conditional) == len(SECTIONS)  # leaves only
    assert not {"/sitemap-old.xml", "/sitemap-recent.xml"} & set(paths(asked))
    stats = second.report["stations"][LABEL]
    assert stats["recheck"] == {"checked": 2, "not-modified": 2}
    assert stats["discovery"]["unchanged"] == {"not-modified": 2, "sitemap-lastmod": 2}
    assert stats["filtered"] == {"gone": 2, "not-article": 1}
    assert (stats["new"], stats["updated"], stats["errors"]) == (0, 0, {})
    assert second.code == 0, second.stdout


def test_gone_urls_are_asked_again_after_1_then_7_days(site, crawl):
    run_at(crawl, site, T0)
    _, asked = run_at(crawl, site, T0 + timedelta(hours=23))
    assert not set(GONE) & set(paths(asked))
    _, asked = run_at(crawl, site, T0 + timedelta(days=1, hours=1))
    assert sorted(set(GONE) & set(paths(asked))) == GONE
    _, asked = run_at(crawl, site, T0 + timedelta(days=7))
    assert not set(GONE) & set(paths(asked))
    third, asked = run_at(crawl, site, T0 + timedelta(days=8, hours=2))
    assert sorted(set(GONE) & set(paths(asked))) == GONE
    assert third.report["stations"][LABEL]["errors"] == {"http-404": 2}


def test_an_edit_only_the_page_shows_is_found_by_freshness_and_by_rotation(site, crawl):
    run_at(crawl, site, T0)
    site.routes[RECENT[0]] = story(RECENT[0], edit="Update: the show moved to Friday.")
    site.routes[OLD[0]] = story(OLD[0], edit="Correction: the venue was Durban.")
    second, asked = run_at(crawl, site, T0 + timedelta(hours=1))
    stats = second.report["stations"][LABEL]
    assert (stats["updated"], stats["recheck"]["edited"]) == (1, 1)  # the fresh one, at once
    assert OLD[0] not in paths(asked)  # the old one waits for its turn

    seen = {path: 0 for path in [*OLD, MOVED_TO]}
    updated = 0
    for day in range(2, 32, 3):  # each old story re-checked within 30 days, not all at once
        run, asked = run_at(crawl, site, T0 + timedelta(days=day))
        updated += run.report["stations"][LABEL]["updated"]
        checked = [r for r in asked if r.path in seen]
        assert len(checked) < len(seen)
        for request in checked:
            assert answered_304(site, request) or request.path == OLD[0]
            seen[request.path] += 1
        assert "/sitemap-old.xml" not in paths(asked)
    assert min(seen.values()) >= 1 and max(seen.values()) <= 2, seen
    assert updated == 1  # the old story's edit, found by its re-check


def test_a_page_that_is_no_article_is_rechecked_slowly_and_never_extracted_again(site, crawl):
    first, _ = run_at(crawl, site, T0)
    refused = first.report["stations"][LABEL]
    assert sum(refused["refused"].values()) + sum(refused["dropped"].values()) == 1
    _, asked = run_at(crawl, site, T0 + timedelta(days=29))
    assert SHOW not in paths(asked)
    later, asked = run_at(crawl, site, T0 + timedelta(days=31))
    shown = [r for r in asked if r.path == SHOW]
    assert len(shown) == 1 and answered_304(site, shown[0])
    stats = later.report["stations"][LABEL]
    assert stats["filtered"]["not-article"] == 1
    assert (stats["refused"], stats["dropped"]) == ({}, {})

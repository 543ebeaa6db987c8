"""Stories end to end: a crawl of a local Jacaranda FM mirror that carries one story under two
URLs counts a new copy, not a new story; `radioscrape stories` lists it once with both."""

from __future__ import annotations

import json

from crawler.demo_site import demo_sites, page_resource
from crawler.fixtures import all_fixtures
from pipelines.store import open_store
from tests.conftest import run_cli

FIXTURES = [f for f in all_fixtures("jacaranda") if "not_article" not in f.expected]
THANDI = "/news/entertainment/thandi-mokoena-homecoming-tour-dates/"
COPY = "/news/music/thandi-mokoena-tour-dates-copy/"
INTRO = b"<p>Jacaranda FM breakfast: here is the news everyone is talking about today.</p>"


def test_a_second_url_of_one_story_is_a_copy(crawl):
    with demo_sites(["jacaranda"]) as sites:
        site = sites["jacaranda"]
        original = site.routes[THANDI]
        body = original.body.replace(THANDI.encode(), COPY.encode())  # its own canonical URL
        body = body.replace(b"<p>", INTRO + b"<p>", 1)  # and a station intro
        site.routes[COPY] = page_resource(
            body, original.headers["Content-Type"], "2026-11-30T09:00:00"
        )
        sitemap = site.routes["/sitemap-articles.xml"]
        entry = f"<url><loc>{site.url}{COPY}</loc></url></urlset>".encode()
        sitemap.body = sitemap.body.replace(b"</urlset>", entry)
        run = crawl("--station", "jacaranda", "--url", f"{site.url}/")
    assert run.code == 0, run.stderr
    own = run.report["stations"]["jacaranda"]
    assert own["new"] == len(FIXTURES) + 1
    assert own["stories"] == {"copies": 1, "new": len(FIXTURES)}
    assert run.report["totals"]["stories"] == own["stories"]
    with open_store(crawl.db) as store:
        story, copies = store.story_of("https://www.jacarandafm.com" + COPY)
        assert (story, copies) == (store.story_of("https://www.jacarandafm.com" + THANDI)[0], 2)
    listed = run_cli("stories", "--db", str(crawl.db), "--format", "json")
    assert listed.code == 0, listed.stderr
    stories = json.loads(listed.stdout)
    assert len(stories) == len(FIXTURES)
    [shared] = [s for s in stories if s["story_id"] == story]
    assert {
        c["canonical_url"].removeprefix("https://www.jacarandafm.com") for c in shared["copies"]
    } == {THANDI, COPY}
    text = run_cli("stories", "--db", str(crawl.db), "--since", "2100-01-01")
    assert text.code == 0 and text.stdout == "" and "0 stories, 0 articles" in text.stderr

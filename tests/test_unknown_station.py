"""End to end: `radioscrape crawl --url` on five station sites it has no profile for.

The sites (tests/sites/stations.py) are built like real ones in five styles, each with stories,
show pages and hubs, competition pages, day archives, a category listing and a player page,
and served on 127.0.0.1. Each is crawled as a new user would add a station: every story is
stored once with its author, no other page is stored, the run succeeds and every URL it found
ends in one column of the report (tests/conftest.py checks that on every crawl).
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from crawler.demo_site import LocalSite
from pipelines.core.refusals import REFUSAL_KINDS
from pipelines.store import open_store
from tests.conftest import FAST, run_cli
from tests.sites import check_new_reports
from tests.sites.stations import STYLES, build_site

LABEL = "127.0.0.1"  # a site with no profile is reported under its host


@pytest.fixture(scope="module", params=STYLES)
def crawled(request, tmp_path_factory):
    """One crawl of the site of one style: (server, built site, run, stored records by path)."""
    tmp = tmp_path_factory.mktemp(request.param)
    with LocalSite() as served:
        built = build_site(request.param, served.url)
        served.routes.update(built.routes)
        run = run_cli(
            "crawl", "--db", str(tmp / "crawl.db"), *FAST, "--url", f"{served.url}/",
            report=tmp / "report.json",
        )  # fmt: skip
    with open_store(str(tmp / "crawl.db")) as store:
        records = list(store.records())
    by_path = {urlsplit(r["url"]).path: r for r in records}
    assert len(by_path) == len(records)  # no page stored twice
    return served, built, run, by_path


def test_every_story_is_stored_once_with_its_author(crawled):
    _, built, _, by_path = crawled
    for story in built.stories:
        record = by_path.get(story.path)
        assert record is not None, story.path
        assert (record["title"], record["author"]) == (story.title, story.author), story.path


def test_no_other_page_is_stored(crawled):
    _, built, _, by_path = crawled
    stored_others = sorted(set(by_path) - {s.path for s in built.stories})
    assert stored_others == [], {p: built.others.get(p) for p in stored_others}


def test_every_other_page_is_refused_under_refused(crawled):
    _, built, run, _ = crawled
    stats = run.report["stations"][LABEL]
    assert sum(stats["refused"].values()) == len(built.others), stats["refused"]
    assert set(stats["refused"]) <= REFUSAL_KINDS - {"empty"}
    assert "listing" in stats["refused"] or "archive" in stats["refused"]


def test_the_run_succeeds_and_finds_every_story_and_page(crawled):
    _, built, run, _ = crawled
    stats = run.report["stations"][LABEL]
    assert (run.code, run.report["status"]) == (0, "success"), run.stdout
    assert not stats["errors"] and not stats["discovery"]["errors"]
    assert stats["discovered"] == len(built.stories) + len(built.others)
    assert stats["new"] == len(built.stories)


def test_guessed_urls_that_are_missing_are_probes(crawled):
    served, _, run, _ = crawled
    probed = run.report["stations"][LABEL]["discovery"]["probed"]
    missing = [r.path for r in served.log if r.path not in served.routes]
    assert missing  # every style guesses some parent section or sitemap that is not there
    assert probed == {"not-found": len(missing)}


def test_story_bodies_are_the_story_text(crawled):
    """The lede (a `<p class="intro">` on one template) stays in the body, and nothing else
    (a tune-in line after the body, a related rail) joins it."""
    _, built, _, by_path = crawled
    for story in built.stories:
        if story.path in by_path:
            assert by_path[story.path]["body"] == list(story.paragraphs), story.path


def test_a_broken_link_is_an_error_but_a_missing_guess_is_not(crawl):
    with LocalSite() as served:
        built = build_site("global", served.url)
        served.routes.update(built.routes)
        home = served.routes["/"]
        home.body = home.body.replace(b"</body>", b'<a href="/news/showbiz/gone/">x</a></body>')
        run = crawl("--url", f"{served.url}/")
    stats = run.report["stations"][LABEL]
    assert stats["errors"] == {"http-404": 1}  # the site linked it
    assert stats["discovery"]["probed"]["not-found"] >= 1  # /win/, /music/ ...: guessed
    assert (run.code, run.report["status"]) == (1, "partial")


def test_a_report_that_does_not_add_up_is_caught(tmp_path):
    """The check every test runs on the crawl reports it wrote (tests/conftest.py)."""
    counts = {"discovered": 3, "new": 1, "updated": 0, "unchanged": 0, "refused": {"show": 1},
              "filtered": {}, "dropped": {}, "errors": {}}  # fmt: skip
    report = {"finish_reason": "finished", "stations": {"a": counts}, "totals": counts}
    (tmp_path / "report.json").write_text(json.dumps(report))
    with pytest.raises(AssertionError, match=r"report\.json"):
        check_new_reports(tmp_path, set())
    counts["errors"] = {"http-404": 1}
    (tmp_path / "report.json").write_text(json.dumps(report))
    check_new_reports(tmp_path, set())

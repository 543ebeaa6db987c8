"""The fixture suite: every saved page must give exactly its expected record."""

from __future__ import annotations

import json

import pytest

from crawler.fixtures import all_fixtures, diff_fields, format_diff
from crawler.stations import registry
from pipelines.clean import parse_html
from pipelines.clean.clutter import match_text
from pipelines.core.items import RECORD_FIELDS
from pipelines.core.refusals import REFUSAL_KINDS

FIXTURES = all_fixtures()
ARTICLES = [f for f in FIXTURES if "not_article" not in f.expected]
NOT_ARTICLES = [f for f in FIXTURES if "not_article" in f.expected]


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_fixture_gives_expected_record(fixture):
    diffs = diff_fields(fixture.expected, fixture.actual())
    assert not diffs, format_diff(fixture.name, diffs)


def test_enough_fixtures_across_templates():
    templates = {f.meta["template"] for f in ARTICLES}
    assert len(ARTICLES) >= 24
    assert len(NOT_ARTICLES) >= 4
    assert len(templates) >= 7, templates


def test_every_station_has_a_fixture():
    stations = {f.meta["station"] for f in FIXTURES}
    missing = [p.key for p in registry() if p.key not in stations]
    assert not missing, f"stations without fixtures: {missing}"


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_fixture_files_are_tidy(fixture):
    for name in ("meta.json", "expected.json"):
        text = (fixture.path / name).read_text(encoding="utf-8")
        data = json.loads(text)
        assert text == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", name
    meta = fixture.meta
    assert meta["url"].startswith(("http://", "https://"))
    assert meta["fetched_at"].endswith("+00:00")
    assert meta["station"] in (None, *registry().by_key)
    assert (fixture.path.parent.name == "generic") == (meta["station"] is None)


@pytest.mark.parametrize("fixture", ARTICLES, ids=lambda f: f.name)
def test_article_expectations_are_complete(fixture):
    expected = fixture.expected
    assert set(expected) == set(RECORD_FIELDS)
    for key in ("title", "body", "url", "canonical_url", "station", "content_hash", "language"):
        assert expected[key], f"{key} is empty"
    assert all(p.strip() == p and p for p in expected["body"])
    assert expected["word_count"] > 0


def _body_selector(fixture):
    """The body selector of the fixture's station profile (None: generic page or none set)."""
    profile = next((p for p in registry() if p.key == fixture.meta["station"]), None)
    return profile.selectors.get("body") if profile else None


@pytest.mark.parametrize(
    "fixture", [f for f in ARTICLES if _body_selector(f)], ids=lambda f: f.name
)
def test_the_station_body_selector_finds_the_article(fixture):
    # A template the selector misses is cleaned as an unknown page: the whole page goes to
    # trafilatura with its fallback extractors (slower), its clutter counted outside the story.
    assert _body_selector(fixture)(parse_html(fixture.page())), "the body selector matches nothing"


@pytest.mark.parametrize("fixture", ARTICLES, ids=lambda f: f.name)
def test_no_expected_paragraph_is_clutter(fixture):
    leaks = [p for p in fixture.expected["body"] if match_text(p)]
    assert not leaks, leaks


@pytest.mark.parametrize("fixture", NOT_ARTICLES, ids=lambda f: f.name)
def test_not_article_reason_is_known(fixture):
    assert fixture.expected["not_article"] in REFUSAL_KINDS

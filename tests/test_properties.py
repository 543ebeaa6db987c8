"""Property-based tests of build_record on generated and mutated pages.

Short by default; `HYPOTHESIS_PROFILE=long pytest tests/test_properties.py` runs the long one.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.fixtures import all_fixtures
from crawler.stations import registry
from pipelines.clean import CleanError, build_record
from pipelines.clean.clutter import RULES, match_text
from pipelines.core.items import Page

pytestmark = pytest.mark.slow  # hypothesis: hundreds of generated pages

settings.register_profile(
    "short", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "short"))

FIXTURES = [f for f in all_fixtures() if "body" in f.expected]
CLUTTER_LINES = [r.must_go for r in RULES if r.text and not r.before_embed]
WORDS = st.sampled_from(
    [
        "the",
        "singer",
        "said",
        "she",
        "would",
        "tour",
        "again",
        "next",
        "year",
        "“we",
        "love",
        "you”",
        "Beyoncé",
        "Morné",
        "fans",
        "album",
        "show",
        "radio",
        "live",
        "tonight",
        "watch",
        "read",
        "more",
        "from",
        "station",
        "&",
        "<",
        ">",
        "é",
        "’",
        "—",
        "2024",
        "09:00",
    ]
)
SENTENCE = st.lists(WORDS, min_size=3, max_size=30).map(" ".join)


def clean(page: Page, station: str | None = None):
    """The record, or the CleanError the chain refuses the page with (never anything else)."""
    profile = registry().get(station) if station else None
    try:
        return build_record(page, profile)
    except CleanError as exc:
        return exc


def assert_sound(result) -> None:
    if isinstance(result, CleanError):
        assert result.kind
        return
    assert result.title is not None
    for para in result.body:
        assert para and para == para.strip()
        assert match_text(para) is None, f"clutter leaked: {para!r}"


@given(
    fixture=st.sampled_from(FIXTURES),
    cuts=st.lists(st.tuples(st.floats(0, 1), st.integers(1, 4000)), max_size=4),
    junk=st.binary(max_size=200),
    at=st.floats(0, 1),
)
def test_mutated_fixture_pages_never_crash(fixture, cuts, junk, at):
    body = bytearray((fixture.path / "page.html").read_bytes())
    for where, length in cuts:
        start = int(where * len(body))
        del body[start : start + length]
    pos = int(at * len(body))
    body[pos:pos] = junk
    page = Page(url=fixture.meta["url"], body=bytes(body), headers=fixture.meta["headers"])
    first = clean(page, fixture.meta["station"])
    assert_sound(first)
    second = clean(page, fixture.meta["station"])
    assert type(first) is type(second)
    if not isinstance(first, CleanError):
        assert first.to_dict() == second.to_dict(), "build_record must be deterministic"


@given(
    paragraphs=st.lists(SENTENCE, min_size=1, max_size=8),
    clutter=st.lists(st.tuples(st.integers(0, 8), st.sampled_from(CLUTTER_LINES)), max_size=6),
    wrap=st.sampled_from(["p", "div", "li", "h3"]),
    encoding=st.sampled_from(["utf-8", "cp1252"]),
    declared=st.sampled_from(["utf-8", "windows-1252", None]),
)
def test_generated_pages_keep_text_and_drop_clutter(paragraphs, clutter, wrap, encoding, declared):
    blocks = [f"<p>{p}.</p>" for p in paragraphs]
    for index, line in sorted(clutter, reverse=True):
        blocks.insert(min(index, len(blocks)), f"<{wrap}>{line}</{wrap}>")
    html = (
        "<html><head><title>T | Station</title><meta property='og:type' content='article'></head>"
        f"<body><article><h1>A generated headline</h1>{''.join(blocks)}</article></body></html>"
    )
    content_type = f"text/html; charset={declared}" if declared else "text/html"
    page = Page(
        url="https://station.example/news/story/",
        body=html.encode(encoding, "replace"),
        headers={"content-type": content_type},
    )
    result = clean(page)
    assert_sound(result)
    if isinstance(result, CleanError):
        return
    for line in {line for _, line in clutter}:
        assert line not in result.body


@given(st.binary(max_size=3000))
def test_arbitrary_bytes_never_crash(data):
    assert_sound(clean(Page(url="https://station.example/x/", body=data)))


@given(st.text(max_size=2000))
def test_arbitrary_text_never_crashes(text):
    assert_sound(
        clean(Page(url="https://station.example/x/", body=text.encode("utf-8", "surrogatepass")))
    )

"""The frontier's decisions, on a real SQLite store: what is requested, how, and when again."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crawler.discovery import Link
from crawler.frontier import (
    CHANGED,
    FILTERED_GONE,
    FILTERED_PAGE,
    FRESH,
    GONE,
    NEW,
    PAGE_RECHECK,
    RETRY,
    ROTATION,
    UNCHANGED,
    Frontier,
    RecrawlPolicy,
    Visit,
    conditional_headers,
    crawl_clock,
)
from pipelines.core.dates import parse_date
from pipelines.core.fetch import PAGE, FetchState
from pipelines.core.urls import url_key
from pipelines.store.sqlite import SQLiteStore

NOW = parse_date("2026-11-30T12:00:00+00:00")
DAY = timedelta(days=1)
URL = "https://r.test/news/a/"


def iso(moment) -> str:
    return moment.isoformat(timespec="seconds")


def state(url: str = URL, **values) -> FetchState:
    defaults = {"etag": '"e"', "lastmod": "2026-10-01T00:00:00+00:00",
                "fetched_at": iso(NOW - DAY), "published": "2026-10-01T00:00:00+00:00"}  # fmt: skip
    return FetchState(url_key(url), url, "r", **{**defaults, **values})


@pytest.fixture
def store(tmp_path):
    with SQLiteStore(tmp_path / "f.db") as opened:
        yield opened


def plan(store, link: Link, now=NOW, **policy) -> Visit | str:
    return Frontier(store, RecrawlPolicy(**policy), now).plan([link])[0]


def test_a_url_never_requested_is_new_and_asked_in_full(store):
    visit = plan(store, Link(URL))
    assert (visit.reason, visit.headers()) == (NEW, {})


def test_a_newer_lastmod_asks_conditionally_an_older_one_not_at_all(store):
    store.save_fetch_state(state())
    visit = plan(store, Link(URL, parse_date("2026-10-02")))
    assert (visit.reason, visit.headers()) == (CHANGED, {"If-None-Match": '"e"'})
    assert plan(store, Link(URL, parse_date("2026-10-01T02:00:00+02:00"))) == UNCHANGED
    assert plan(store, Link(URL)) == UNCHANGED  # undated: not fresh, not due
    assert plan(store, Link(URL), now=NOW + 60 * DAY).reason == ROTATION  # its turn came
    store.save_fetch_state(state(lastmod=None))  # first found undated: its last check counts
    assert plan(store, Link(URL, NOW - 2 * DAY)) == UNCHANGED
    assert plan(store, Link(URL, NOW)).reason == CHANGED


def test_a_fresh_article_is_rechecked_every_run(store):
    store.save_fetch_state(state(published=iso(NOW - 13 * DAY), fetched_at=iso(NOW)))
    assert plan(store, Link(URL)).reason == FRESH
    assert plan(store, Link(URL), now=NOW + 2 * DAY) == UNCHANGED  # out of the window


def test_a_redirect_is_asked_at_its_remembered_target(store):
    target = "https://r.test/news/a-moved/"
    store.save_fetch_state(state(redirect_to=target))
    store.save_fetch_state(state(target, published=iso(NOW - DAY)))
    visit = plan(store, Link(URL))
    assert (visit.url, visit.key, visit.reason) == (target, url_key(target), FRESH)
    store.save_fetch_state(state(target))  # an old one: not asked at all
    assert plan(store, Link(URL)) == UNCHANGED


def test_gone_urls_back_off_one_step_per_answer(store):
    checked = NOW - 2 * DAY
    store.save_fetch_state(state(last_status=404, failures=1, fetched_at=iso(checked)))
    visit = plan(store, Link(URL))
    assert (visit.reason, visit.headers()) == (GONE, {})  # after 1 day
    store.save_fetch_state(state(last_status=410, failures=2, fetched_at=iso(checked)))
    assert plan(store, Link(URL)) == FILTERED_GONE  # 7 days now
    assert plan(store, Link(URL), now=checked + 7 * DAY).reason == GONE
    store.save_fetch_state(state(last_status=404, failures=9, fetched_at=iso(checked)))
    assert plan(store, Link(URL), now=checked + 29 * DAY) == FILTERED_GONE  # 30 days at most
    assert plan(store, Link(URL), now=checked + 2 * DAY, gone_days=(2.0,)).reason == GONE


def test_server_errors_and_timeouts_are_retried_next_run(store):
    for status in (500, 0):
        store.save_fetch_state(state(last_status=status))
        assert plan(store, Link(URL)).reason == RETRY


def test_a_page_that_is_no_article_is_rechecked_slowly_and_conditionally(store):
    store.save_fetch_state(state(kind=PAGE, published=None, fetched_at=iso(NOW - 29 * DAY)))
    assert plan(store, Link(URL)) == FILTERED_PAGE
    visit = plan(store, Link(URL), now=NOW + DAY)
    assert (visit.reason, visit.headers()) == (PAGE_RECHECK, {"If-None-Match": '"e"'})


def test_rotation_rechecks_every_article_within_the_period_spread_over_runs(store):
    urls = [f"https://r.test/news/{n}/" for n in range(300)]
    stored = NOW - 100 * DAY
    for url in urls:
        store.save_fetch_state(state(url, fetched_at=iso(stored)))
    checked = dict.fromkeys(urls, stored)
    per_run = []
    for day in range(1, 61):  # a run a day for 60 days, each re-check stamped by its run
        now = NOW + day * DAY
        frontier = Frontier(store, RecrawlPolicy(), now)
        due = [u for u in urls
               if frontier.rotation_due(state(u, fetched_at=iso(checked[u])))]  # fmt: skip
        for url in due:
            checked[url] = now
        if day > 1:  # the first run catches up on everything older than a period
            per_run.append(len(due))
            assert all(now - checked[u] <= 30 * DAY for u in urls)
    assert max(per_run) <= 300 / 30 * 2.5  # about 10 a run: spread, never all at once
    assert sum(per_run) >= 300  # each checked at least once more in 59 days


def test_due_lists_the_stored_urls_to_ask_whatever_discovery_finds(store):
    fresh, old, failed = (f"https://r.test/news/{n}/" for n in ("fresh", "old", "failed"))
    store.save_fetch_state(state(fresh, published=iso(NOW - DAY), fetched_at=iso(NOW)))
    store.save_fetch_state(state(old, fetched_at=iso(NOW)))
    store.save_fetch_state(state(failed, last_status=503))
    store.save_fetch_state(state("https://r.test/moved/", redirect_to=fresh))
    due = Frontier(store, RecrawlPolicy(), NOW).due("r")
    assert sorted(link.url for link in due) == sorted([fresh, failed])


def test_conditional_headers_from_the_validators():
    assert conditional_headers(state(last_modified="Mon, 01 Jan 2026 00:00:00 GMT")) == {
        "If-None-Match": '"e"',
        "If-Modified-Since": "Mon, 01 Jan 2026 00:00:00 GMT",
    }
    assert conditional_headers(None) == {}


def test_policy_and_clock_settings_are_checked():
    assert RecrawlPolicy.from_setting({"gone_days": ["2", 3]}).gone_days == (2.0, 3.0)
    assert RecrawlPolicy.from_setting(None) == RecrawlPolicy()
    for bad in ({"days": 1}, {"fresh_days": "soon"}, {"gone_days": []}):
        with pytest.raises(ValueError):
            RecrawlPolicy.from_setting(bad)
    assert crawl_clock("2026-12-01") == parse_date("2026-12-01T00:00:00+00:00")
    with pytest.raises(ValueError):
        crawl_clock("tomorrow")

"""Discovery is bounded per station and run (RADIOSCRAPE_DISCOVERY_LIMITS), and says so.

Hostile sites on 127.0.0.1: a sitemap index that lists new indexes for ever (in breadth and in
depth), calendar pages with 30 next links each, slow sitemaps. Each crawl ends well within its
timeout, reports the bound that cut discovery short under discovery/cut/<bound>, and still
fetches and stores the stories the site lists.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tracemalloc

import pytest

from crawler.demo_site import LocalSite, Resource, demo_sites
from crawler.discovery import Candidates, DiscoveryBudget, DiscoveryLimits, Link, parse_listing
from pipelines.core.dates import parse_date
from tests.conftest import FAST, ROOT
from tests.sites.text import story

STORIES = [
    story(n, f"/news/story-{n}/", "Ann Author", 20 + n % 9, "Mornings", "Ann") for n in range(4)
]
LABEL = "127.0.0.1"


def article(s) -> Resource:
    body = "".join(f"<p>{p}</p>" for p in s.paragraphs)
    return Resource(
        f"<html><head><title>{s.title}</title><meta property='og:type' content='article'>"
        f"<meta name='author' content='{s.author}'></head><body><article><h1>{s.title}</h1>"
        f"{body}</article></body></html>".encode()
    )


def xml(text: str) -> Resource:
    return Resource(text.encode(), headers={"Content-Type": "application/xml"})


def index(urls: list[str]) -> Resource:
    entries = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in urls)
    return xml(f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}'
               "</sitemapindex>")  # fmt: skip


class Generated(dict):
    """Routes: fixed ones, and a function that makes the others from their path."""

    def __init__(self, fixed: dict[str, Resource], make):
        super().__init__(fixed)
        self.make = make

    def get(self, path, default=None):
        return super().get(path) or self.make(path) or default


def slow_sitemap_chain(served: LocalSite, delay: float):
    """Routes for an endless chain of sitemap indexes, each answering after `delay` seconds."""

    def make(path: str) -> Resource | None:
        if not path.startswith("/sitemap"):
            return None
        resource = index([f"{served.url}{path.removesuffix('.xml')}-x.xml"])
        resource.delay = delay
        return resource

    return make


def hostile_site(served: LocalSite, make) -> None:
    """Stories listed by /stories.xml; robots.txt names it and /sitemap.xml (hostile)."""
    urlset = "".join(f"<url><loc>{served.url}{s.path}</loc></url>" for s in STORIES)
    fixed = {
        "/robots.txt": Resource(
            f"Sitemap: {served.url}/stories.xml\nSitemap: {served.url}/sitemap.xml\n".encode(),
            headers={"Content-Type": "text/plain"},
        ),
        "/stories.xml": xml(
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urlset}</urlset>'
        ),
        "/": Resource(b"<html><body><h1>A radio station</h1></body></html>"),
        **{s.path: article(s) for s in STORIES},
    }
    served.routes = Generated(fixed, make)


def limits(**values) -> tuple[str, str]:
    return "-s", f"RADIOSCRAPE_DISCOVERY_LIMITS={json.dumps(values)}"


def sitemap_requests(served: LocalSite) -> int:
    return sum(1 for r in served.log if r.path.startswith(("/sitemap", "/calendar")))


def assert_stories_stored(run) -> None:
    stats = run.report["stations"][LABEL]
    assert stats["new"] == len(STORIES), stats
    assert (run.code, run.report["status"]) == (0, "success"), run.stdout


def test_an_endless_sitemap_index_is_cut_at_the_document_bound(crawl):
    with LocalSite() as served:
        hostile_site(
            served,
            lambda p: (
                index([f"{served.url}{p.removesuffix('.xml')}-{k}.xml" for k in range(30)])
                if p.startswith("/sitemap")
                else None
            ),
        )
        started = time.monotonic()
        run = crawl("--url", f"{served.url}/", *limits(documents=40, depth=50))
        elapsed = time.monotonic() - started
        fetched = sitemap_requests(served)
    cut = run.report["stations"][LABEL]["discovery"]["cut"]
    assert cut["documents"] > 0
    assert fetched <= 40
    assert_stories_stored(run)
    assert elapsed < 30


def test_a_sitemap_index_chain_is_cut_at_the_depth_bound(crawl):
    with LocalSite() as served:
        hostile_site(
            served,
            lambda p: (
                index([f"{served.url}{p.removesuffix('.xml')}-x.xml"])
                if p.startswith("/sitemap")
                else None
            ),
        )
        run = crawl("--url", f"{served.url}/", *limits(depth=5))
        fetched = sitemap_requests(served)
    assert run.report["stations"][LABEL]["discovery"]["cut"] == {"depth": 1}
    assert fetched == 5  # robots.txt (depth 0) -> /sitemap.xml (1) -> ... -> depth 5
    assert_stories_stored(run)


def test_calendar_pages_with_many_next_links_are_cut_at_the_section_bound(crawl):
    def calendar(path: str) -> Resource | None:
        if not path.startswith("/calendar/"):
            return None
        nexts = "".join(
            f'<link rel="next" href="{path.rstrip("/")}-{k}/?page=2">' for k in range(30)
        )
        return Resource(f"<html><head>{nexts}</head><body><p>Events</p></body></html>".encode())

    with LocalSite() as served:
        hostile_site(served, calendar)
        links = "".join(f'<a href="{s.path}">{s.title}</a>' for s in STORIES)
        served.routes["/"] = Resource(
            f'<html><body>{links}<a href="/calendar/day/event-1/">Event</a></body></html>'.encode()
        )
        served.routes["/calendar/day/event-1/"] = article(story(9, "", "Ann Author", 28, "", ""))
        run = crawl("--url", f"{served.url}/", *limits(sections=20))
        fetched = sitemap_requests(served)
    cut = run.report["stations"][LABEL]["discovery"]["cut"]
    assert cut["sections"] > 0
    assert fetched <= 20 + 1  # the listing pages, and the event page fetched as a story
    assert run.report["stations"][LABEL]["new"] == len(STORIES) + 1


def test_slow_discovery_is_cut_at_the_time_bound(crawl):
    with LocalSite() as served:
        hostile_site(served, slow_sitemap_chain(served, 0.4))
        run = crawl("--url", f"{served.url}/", *limits(seconds=1, depth=100))
    assert run.report["stations"][LABEL]["discovery"]["cut"] == {"time": 1}
    assert_stories_stored(run)


def test_budget_names_the_bound_a_document_would_pass():
    now = [0.0]
    budget = DiscoveryBudget(DiscoveryLimits(documents=3, depth=2, sections=1, seconds=10),
                             clock=lambda: now[0])  # fmt: skip
    assert budget.bound_passed("sitemap", 3) == "depth"
    budget.spend("home")
    assert budget.bound_passed("section", 1) == "sections"
    assert budget.bound_passed("sitemap", 1) is None
    budget.spend("sitemap")
    budget.spend("feed")
    assert budget.bound_passed("feed", 1) == "documents"
    now[0] = 11
    assert budget.bound_passed("feed", 1) == "time"


def test_limits_from_the_setting_keep_defaults_and_refuse_unknown_keys():
    assert DiscoveryLimits.from_setting({"documents": "5"}) == DiscoveryLimits(documents=5)
    assert DiscoveryLimits.from_setting(None) == DiscoveryLimits()
    with pytest.raises(ValueError, match="pages"):
        DiscoveryLimits.from_setting({"pages": 3})


@pytest.mark.slow  # timed or measured at scale
def test_listing_links_are_deduplicated_in_linear_time():
    def cpu_seconds(count: int) -> float:
        links = "".join(f'<a href="/news/story-{i}/">s</a><a href="/news/story-{i}/">s</a>'
                        for i in range(count))  # fmt: skip
        body = f"<html><body>{links}</body></html>".encode()
        started = time.process_time()
        listing = parse_listing(body, "http://radio.test/news/")
        assert len(listing.links) == count
        return time.process_time() - started

    small, large = cpu_seconds(2_000), cpu_seconds(20_000)
    assert large < 2.0  # was 3.7 s with a quadratic list search
    assert large < 30 * max(small, 0.005)  # ten times the links: about ten times the time


def test_a_station_slow_to_discover_does_not_hold_up_the_others(tmp_path):
    """Two stations in one crawl: one whose sitemaps are slow and endless, one healthy. The
    healthy station's articles are fetched while the other is still discovering."""

    def slow_chain(path: str) -> Resource | None:
        if not path.startswith("/sitemap"):
            return None
        resource = index([f"{slow.url}{path.removesuffix('.xml')}-x.xml"])
        resource.delay = 0.3
        return resource

    with demo_sites(["heart"]) as sites, LocalSite() as slow:
        slow.routes = Generated({}, slow_chain)
        healthy = sites["heart"]
        done = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "station",
             "-a", f"mirrors=jacaranda={slow.url}/,heart={healthy.url}/",
             "-s", f"RADIOSCRAPE_DB={tmp_path / 'crawl.db'}",
             "-s", f"RADIOSCRAPE_REPORT={tmp_path / 'report.json'}",
             *limits(seconds=4, depth=100), *FAST, "-s", "LOG_LEVEL=WARNING"],
            capture_output=True, text=True, cwd=ROOT, timeout=120,
        )  # fmt: skip
        articles = [r.at for r in healthy.log if "ETag" in healthy.routes.get(r.path).headers]
        last_sitemap = max(r.at for r in slow.log if r.path.startswith("/sitemap"))
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["stations"]["jacaranda"]["discovery"]["cut"] == {"time": 1}, done.stderr
    assert report["stations"]["heart"]["new"] == len(articles) > 0
    assert max(articles) < last_sitemap  # all fetched before the slow station stopped


def test_candidates_keep_one_row_per_story_with_its_newest_date():
    candidates = Candidates()
    day = [parse_date(f"2026-11-{d:02d}") for d in range(1, 6)]
    assert candidates.add(0, "a", Link("http://r.test/a", day[1]))
    assert not candidates.add(0, "a", Link("http://r.test/a/", day[3]))  # newer: kept
    assert not candidates.add(0, "a", Link("http://r.test/a", day[0]))  # older: ignored
    assert not candidates.add(0, "a", Link("http://r.test/a"))  # undated: ignored
    candidates.add(0, "b", Link("http://r.test/b"))
    candidates.add(0, "c", Link("http://r.test/c", day[2]))
    candidates.add(0, "d", Link("http://r.test/d", day[0]))
    candidates.add(1, "a", Link("http://other.test/a", day[4]))  # another target
    assert [link.url[-2:] for link in candidates.newest(0)] == ["a/", "/c", "/d", "/b"]
    assert next(candidates.newest(0)).date == day[3]
    assert [link.url[-2:] for link in candidates.newest(0, since=day[2])] == ["a/", "/c", "/b"]
    assert [link.url[-2:] for link in candidates.newest(0, limit=2)] == ["a/", "/c"]
    assert (candidates.count(0), candidates.count(0, before=day[2]), candidates.count(1)) == (
        4,
        1,
        1,
    )
    candidates.close()


@pytest.mark.slow  # timed or measured at scale
def test_candidates_hold_no_memory_per_url():
    candidates = Candidates()
    date = parse_date("2026-11-20")
    tracemalloc.start()
    for n in range(50_000):
        candidates.add(
            0, f"https://r.test/news/story-{n}", Link(f"http://r.test/news/story-{n}/", date)
        )
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert candidates.count(0) == 50_000
    assert held < 1_000_000  # in a dict of Links: 16.7 MB (0.33 kB a URL)
    candidates.close()


@pytest.mark.parametrize("value", ['{"pages": 3}', '{"depth": "deep"}'])
def test_bad_discovery_limits_are_one_line_and_exit_2(crawl, value):
    run = crawl("--url", "http://127.0.0.1:9/", "-s", f"RADIOSCRAPE_DISCOVERY_LIMITS={value}")
    assert run.code == 2
    assert run.stderr.strip().startswith("radioscrape: setting RADIOSCRAPE_DISCOVERY_LIMITS")
    assert "Traceback" not in run.stderr


def test_a_station_fetches_its_articles_while_its_own_discovery_goes_on(crawl):
    """One station: a sitemap of the stories, and a slow endless sitemap chain beside it. The
    stories are fetched (and stored) long before discovery is cut at its time bound."""
    with LocalSite() as served:
        hostile_site(served, slow_sitemap_chain(served, 0.3))
        run = crawl("--url", f"{served.url}/", *limits(seconds=3, depth=100))
        stories = [r.at for r in served.log if r.path.startswith("/news/")]
        chain = [r.at for r in served.log if r.path.startswith("/sitemap")]
    assert run.report["stations"][LABEL]["discovery"]["cut"] == {"time": 1}
    assert_stories_stored(run)
    assert len(stories) == len(STORIES)
    assert max(stories) < max(chain) - 1.5  # not held until discovery ended


def test_candidates_are_taken_once_as_discovery_adds_them():
    candidates = Candidates()
    day = [parse_date(f"2026-11-{d:02d}") for d in range(1, 4)]
    candidates.add(0, "a", Link("http://r.test/a", day[2]))
    candidates.add(0, "b", Link("http://r.test/b", day[0]))
    links, older = candidates.take(0, 10, since=day[1])
    assert ([link.url for link in links], older) == (["http://r.test/a"], 1)
    assert candidates.take(0, 10) == ([], 0)  # each taken once
    candidates.add(0, "c", Link("http://r.test/c"))  # found later
    candidates.add(0, "a", Link("http://r.test/a/", day[2]))  # known: not taken again
    assert candidates.take(0, 10) == ([Link("http://r.test/c")], 0)
    candidates.close()


def test_since_leaving_out_a_whole_batch_does_not_end_the_crawl_early(crawl):
    """More sitemap URLs dated before --since than a schedule batch, and a recent story listed
    after them: the recent one is still fetched, and every old one is counted."""
    old = [f"/news/a-old-{n}/" for n in range(40)]
    with LocalSite() as served:
        entries = [(path, "2020-01-01") for path in old] + [(STORIES[0].path, "2026-11-20")]
        urlset = "".join(f"<url><loc>{served.url}{path}</loc><lastmod>{day}</lastmod></url>"
                         for path, day in entries)  # fmt: skip
        served.routes = {
            "/robots.txt": Resource(f"Sitemap: {served.url}/s.xml\n".encode()),
            "/s.xml": xml(
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urlset}</urlset>'
            ),
            "/": Resource(b"<html><body><h1>A radio station</h1></body></html>"),
            STORIES[0].path: article(STORIES[0]),
        }
        run = crawl("--url", f"{served.url}/", "--since", "2025-01-01",
                    "-s", "RADIOSCRAPE_SCHEDULE_BATCH=8")  # fmt: skip
    stats = run.report["stations"][LABEL]
    assert (stats["new"], stats["filtered"]["since"]) == (1, len(old)), stats
    assert (run.code, run.report["status"]) == (0, "success"), run.stderr


@pytest.mark.slow  # timed or measured at scale
def test_taking_candidates_a_batch_at_a_time_is_linear():
    """Each take reads untaken rows by their index, not past every row taken before (was
    quadratic: 7.3 s of CPU to take 200,000 URLs 256 at a time, now 1 s)."""

    def cpu_seconds(count: int) -> float:
        candidates = Candidates()
        for n in range(count):
            candidates.add(0, f"k{n:07d}", Link(f"http://r.test/news/story-{n}/"))
        started, taken = time.process_time(), 0
        while links := candidates.take(0, 256)[0]:
            taken += len(links)
        seconds = time.process_time() - started
        candidates.close()
        assert taken == count
        return seconds

    small, large = cpu_seconds(2_000), cpu_seconds(100_000)
    assert large < 150 * max(small, 0.005)  # 50 times the rows: about 50 times (was 2,500)

"""Extraction speed: radioscrape's cleaner vs bare trafilatura.bare_extraction, same pages.

Both run in this process over the same page bytes, alternating rounds so that a load spike on
the machine hits both alike; each side's best round counts. With --cpu each side is timed by
the process's CPU time instead of wall time: on a machine shared with other busy processes the
wall time counts the waits for a core, the CPU time does not. Pages: the article fixtures, the
public Article Extraction Benchmark pages in ../shared/bench-data/aeb, and pages of the site
bench/speed_crawl.py generates (what the crawl benchmark cleans).

    python bench/speed_extract.py [--rounds N] [--aeb-limit N] [--generated N] [--cpu]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import fixture_pages
from bench.corpora import aeb_pages
from bench.speed_crawl import GeneratedSite
from pipelines.core.items import Page
from pipelines.extract import clean_page

CLOCK = time.perf_counter  # time.process_time with --cpu


def radioscrape_pass(pages: list[Page]) -> float:
    """Seconds to clean every page with build_record (profile from the page's station)."""
    started = CLOCK()
    for page in pages:
        clean_page(page)
    return CLOCK() - started


def trafilatura_pass(pages: list[Page]) -> float:
    """Seconds to run bare_extraction (its defaults) on every page's bytes."""
    started = CLOCK()
    for page in pages:
        trafilatura.bare_extraction(page.body, url=page.url)
    return CLOCK() - started


def compare(name: str, pages: list[Page], rounds: int) -> tuple[float, float]:
    """Print pages/s of both and the ratio; return (radioscrape, trafilatura) pages/s."""
    radioscrape_pass(pages[:3])
    trafilatura_pass(pages[:3])
    ours = theirs = float("inf")
    for _ in range(rounds):
        ours = min(ours, radioscrape_pass(pages))
        theirs = min(theirs, trafilatura_pass(pages))
    ours_pps, theirs_pps = len(pages) / ours, len(pages) / theirs
    print(
        f"{name:<10}{len(pages):>6}{ours_pps:>14.1f}{theirs_pps:>14.1f}"
        f"{ours_pps / theirs_pps:>10.2f}x"
    )
    return ours_pps, theirs_pps


def main() -> None:
    """Run both extractors over the fixtures and AEB and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per side (best)")
    parser.add_argument("--aeb-limit", type=int, help="only the first N AEB pages")
    parser.add_argument("--generated", type=int, default=300, help="generated pages (0: none)")
    parser.add_argument("--station", default="jacaranda", help="station of the generated pages")
    parser.add_argument("--cpu", action="store_true", help="time by CPU time, not wall time")
    args = parser.parse_args()
    global CLOCK
    if args.cpu:
        CLOCK = time.process_time
    fixtures = [page for _, page, _ in fixture_pages()]
    aeb = [page for _, page, _ in aeb_pages(args.aeb_limit)]
    clock = "CPU time" if args.cpu else "wall time"
    print(f"pages/s ({clock}), best of {args.rounds} rounds, one process")
    print(f"{'pages':<10}{'n':>6}{'radioscrape':>14}{'trafilatura':>14}{'ratio':>11}")
    compare("fixtures", fixtures, args.rounds)
    compare("AEB", aeb, args.rounds)
    compare("all", fixtures + aeb, args.rounds)
    if args.generated:
        compare("generated", generated_pages(args.station, args.generated), args.rounds)


def generated_pages(station: str, count: int) -> list[Page]:
    """The first `count` article pages of bench/speed_crawl.py's generated site."""
    site = GeneratedSite(station, count, "https://bench.invalid")
    origin = f"https://{site.profile.canonical_host}"
    return [
        Page(
            url=origin + site.articles[i].path,
            body=site.page_bytes(i),
            status=200,
            headers={"content-type": site.templates[i % len(site.templates)].content_type},
            station=station,
            fetched_at="2026-11-24T00:00:00+00:00",
        )
        for i in range(count)
    ]


if __name__ == "__main__":
    main()

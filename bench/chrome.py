"""Learned chrome, measured: a station site whose pages carry promo, CTA and footer lines no
clutter rule knows, crawled with RADIOSCRAPE_LEARN_CHROME on and off.

The site is the speed bench's generated station site (bench/speed_crawl.py: the station's article
fixtures, each page with its own URL and its own sentences), and on top of that each page gets:

  - its show (a show link under the headline; four shows, a page's show is its number mod 4) and
    that show's tune-in promo, worded for the show, at the show's place in the body (after the
    last paragraph, before the first, in the middle, before the last);
  - the station's call-in CTA at a place that turns with the page (head, middle, tail) and its
    footer sentence after the body;
  - on two or three pages each, an ordinary sentence those stories share (a stock phrase, a
    quote reused in a follow-up): article text, which must stay.

It prints:

  a. after one crawl of --pages pages (default 50) into a fresh store: the chrome lines the
     pages carry that a crawl without learning keeps (no rule knows them), how many of those are
     gone from the stored records with learning on, each line's fate, and the article lines
     (every other line of the records without learning) lost with it, named;
  b. crawl pages/s with learning on and off over --speed-pages pages (default 300), --rounds
     rounds alternating on and off in one run (the machine is shared: compare within a round),
     by wall time and by CPU time of the crawl process, and the store's size with the pages'
     HTML kept.

    python bench/chrome.py                     # a and b
    python bench/chrome.py --rounds 0          # a only
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lxml import html

from bench.speed_crawl import GeneratedSite, LocalSite, crawl, machine
from pipelines.clean.text import fold
from pipelines.store import open_store

SHOWS = (
    ("The Sunrise Shift", "sunrise-shift", "tail",
     "Wake up with Thabo and Lerato on The Sunrise Shift, weekdays from five till nine."),
    ("Midday Mix", "midday-mix", "head",
     "Midday Mix keeps the hits flowing from nine to one, with Zanele at the desk."),
    ("Homeward Drive", "homeward-drive", "middle",
     "Homeward Drive with Pieter gets you home from three, with traffic on the hour."),
    ("Late Lounge", "late-lounge", "before-last",
     "Slow down with Late Lounge from ten every night, requests open till midnight."),
)  # fmt: skip
CTA = "Voice-note the studio on 072 555 0199 and you could hear yourself on air tomorrow."
FOOTER = "Jacaranda is part of the Kagiso family, proudly broadcasting across Gauteng since 1995."
STOCK = (
    "Police spokesperson Captain Mavela said investigations were continuing.",
    "The matter has been postponed to next month for further investigation.",
    "\u201cWe are grateful for every message of support,\u201d the family said in a statement.",
    "Tickets are available from the usual outlets while stocks last.",
    "The organisers thanked the sponsors who made the weekend possible.",
)
STOCK_PAGES = 3  # pages each stock sentence is on (the last one on only two)


def chrome_lines(i: int) -> list[tuple[str, str]]:
    """The (place, text) chrome lines page `i` carries."""
    _, _, place, promo = SHOWS[i % len(SHOWS)]
    cta_place = ("head", "middle", "tail")[i % 3]
    return [(place, promo), (cta_place, CTA), ("after", FOOTER)]


def stock_lines(i: int, pages: int) -> list[str]:
    """The ordinary sentences page `i` shares with one or two other pages."""
    found = []
    for k, sentence in enumerate(STOCK):
        carriers = [k * 7 + 1, k * 7 + 4, k * 7 + 6][: STOCK_PAGES - (k == len(STOCK) - 1)]
        if i in carriers and max(carriers) < pages:
            found.append(sentence)
    return found


class ChromeSite(GeneratedSite):
    """The speed bench's generated site with each page's show, chrome and stock lines."""

    def page_bytes(self, i: int) -> bytes:
        """Generated page `i` with its show link, chrome lines and shared sentences."""
        root = html.document_fromstring(super().page_bytes(i))
        show, slug, _, _ = SHOWS[i % len(SHOWS)]
        heading = root.find(".//h1")
        if heading is not None:
            link = html.fragment_fromstring(
                f'<a class="show-name" href="/shows/{slug}/">{show}</a>'
            )
            heading.addnext(link)
        found = self.profile.selectors["body"](root)
        longest = max(root.iter("p"), key=lambda p: len(p.text_content()))
        container = found[0] if found else longest.getparent()
        paragraphs = [p for p in container.iter("p") if len(p.text_content()) > 40]

        def put(place: str, text: str) -> None:
            node = html.fragment_fromstring(f"<p>{html_escape(text)}</p>")
            if place == "head":
                paragraphs[0].addprevious(node)
            elif place == "middle":
                paragraphs[len(paragraphs) // 2].addnext(node)
            elif place == "before-last":
                paragraphs[-1].addprevious(node)
            elif place == "tail":
                paragraphs[-1].addnext(node)
            else:  # after the body
                container.append(node)

        for sentence in stock_lines(i, self.count):
            put("middle", sentence)
        for place, text in chrome_lines(i):
            put(place, text)
        return html.tostring(root, encoding="utf-8", doctype="<!DOCTYPE html>")


def html_escape(text: str) -> str:
    """Text for an HTML element."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@contextmanager
def learning(on: bool):
    """RADIOSCRAPE_LEARN_CHROME for the crawls run inside (their environment)."""
    before = os.environ.get("RADIOSCRAPE_LEARN_CHROME")
    os.environ["RADIOSCRAPE_LEARN_CHROME"] = "true" if on else "false"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("RADIOSCRAPE_LEARN_CHROME", None)
        else:
            os.environ["RADIOSCRAPE_LEARN_CHROME"] = before


def serve(station: str, pages: int) -> tuple[LocalSite, ChromeSite]:
    """A started LocalSite serving a prebuilt ChromeSite of `pages` articles."""
    site = LocalSite()
    routes = ChromeSite(station, pages, site.url)
    routes.prebuild()
    site.routes = routes
    return site.__enter__(), routes


def bodies(db: Path) -> dict[str, list[str]]:
    """{url path: stored body} of every stored record."""
    with open_store(db) as store:
        return {r["url"].split("/", 3)[3]: r["body"] for r in store.records()}


def page_number(path: str, routes: ChromeSite) -> int:
    """The generated page number of a stored record's URL path."""
    return routes.index["/" + path]


def measure_removal(station: str, pages: int, tmp: Path) -> None:
    """a: chrome gone and article lines kept after one crawl, learning on against off."""
    site, routes = serve(station, pages)
    try:
        with learning(False):
            crawl(site, station, tmp / "off.db", 0, 16)
        with learning(True):
            crawl(site, station, tmp / "on.db", 0, 16)
    finally:
        site.__exit__(None, None, None)
    off, on = bodies(tmp / "off.db"), bodies(tmp / "on.db")
    print(f"\na. one crawl of {pages} pages: {len(off)} records without learning, {len(on)} with")
    kept_by_rules = gone = 0
    fates: dict[str, list[int]] = {}
    lost: list[tuple[str, str]] = []
    for path, plain in sorted(off.items()):
        i = page_number(path, routes)
        learned = {fold(line) for line in on.get(path, [])}
        chrome = {fold(text): text for _, text in chrome_lines(i)}
        for line in plain:
            key = fold(line)
            if key in chrome:
                kept_by_rules += 1
                fate = fates.setdefault(chrome[key], [0, 0])
                fate[0] += 1
                if key not in learned:
                    gone += 1
                    fate[1] += 1
            elif key not in learned:
                lost.append((path, line))
    shared = {fold(s) for s in STOCK}
    stock_kept = sum(fold(line) in shared for body in on.values() for line in body)
    stock_all = sum(fold(line) in shared for body in off.values() for line in body)
    print(f"   chrome lines the records keep without learning: {kept_by_rules}")
    print(f"   gone with learning: {gone} ({gone / max(kept_by_rules, 1):.1%})")
    for text, (carried, removed) in sorted(fates.items()):
        print(f"     {removed:>3}/{carried:<3} {text}")
    print(f"   shared ordinary sentences kept: {stock_kept} of {stock_all}")
    print(f"   article lines lost: {len(lost)}")
    for path, line in lost:
        print(f"     {path}: {line}")


def measure_speed(station: str, pages: int, rounds: int, tmp: Path) -> None:
    """b: pages/s with learning on and off, alternating, by wall and by CPU time (the crawl
    process and its children: steadier on a shared machine), and the store's size."""
    site, _ = serve(station, pages)
    runs: dict[bool, list] = {True: [], False: []}
    sizes: dict[bool, float] = {}
    try:
        for n in range(rounds):
            for on in (n % 2 == 0, n % 2 != 0):  # alternate which goes first
                db = tmp / f"speed-{n}-{on}.db"
                with learning(on):
                    runs[on].append(crawl(site, station, db, 0, 16))
                sizes[on] = sum(p.stat().st_size for p in tmp.glob(db.name + "*")) / 2**20
    finally:
        site.__exit__(None, None, None)
    print(f"\nb. crawl of {pages} pages, {rounds} rounds alternating (median pages/s):")
    ratios = {}
    for name, seconds in (("wall", "seconds"), ("CPU", "cpu_seconds")):
        off, on = ([r.stored / getattr(r, seconds) for r in runs[flag]] for flag in (False, True))
        ratios[name] = statistics.median(on) / statistics.median(off)
        per_round = [round(a / b, 3) for a, b in zip(on, off, strict=True)]
        print(
            f"   by {name} time: off {statistics.median(off):6.1f}, on {statistics.median(on):6.1f}"
            f" pages/s = {ratios[name]:.3f} (per round {per_round})"
        )
    print(f"   store with the pages' HTML kept: {sizes[True]:.1f} MiB ({pages} articles)")


def main() -> None:
    """Run a and b."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--station", default="jacaranda", help="station whose fixtures to use")
    parser.add_argument("--pages", type=int, default=50, help="pages of the site for a")
    parser.add_argument("--speed-pages", type=int, default=300, help="pages of the site for b")
    parser.add_argument("--rounds", type=int, default=4, help="rounds of b (0: skip b)")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    tmp = Path(tempfile.mkdtemp(prefix="radioscrape-chrome-"))
    measure_removal(args.station, args.pages, tmp)
    if args.rounds:
        measure_speed(args.station, args.speed_pages, args.rounds, tmp)


if __name__ == "__main__":
    main()

"""Learning a station's chrome (pipelines/clean/chrome.py) and `radioscrape chrome KEY`: a line
most of a station's stories repeat is learned; a sentence two or three stories share, a line
worded differently, a line from too few stories or from another station is not."""

from __future__ import annotations

import html
import json
from dataclasses import replace

from crawler.fixtures import all_fixtures
from pipelines.clean import clean_page
from pipelines.clean.chrome import StoredBody, learn_chrome
from pipelines.core.urls import url_key
from pipelines.store import open_store
from tests.conftest import run_cli

PROMO = "Catch Martin and the crew every weekday morning from six on the Jacaranda breakfast table."
STOCK = "The singer thanked fans for their support throughout the tour."  # 3 stories share it


def story(number: int, *extra: str, at_end: bool = True) -> StoredBody:
    own = [f"Story {number} opens with its own first sentence.", f"Story {number} goes on."]
    body = [*own, *extra] if at_end else [*extra, *own]
    return StoredBody(
        f"https://st.example/{number:02}", f"2026-11-{number + 1:02}T00:00:00+00:00", body
    )


def stories() -> list[StoredBody]:
    found = [story(n, PROMO) for n in range(8)]
    found += [story(n, STOCK, at_end=False) for n in (8, 9, 10)]
    found.append(story(11, PROMO.replace("six", "seven")))  # worded differently: another line
    found.append(story(12, PROMO.upper()))  # only case differs: the same line
    return found


def test_a_line_most_stories_repeat_is_learned_with_its_counts():
    (line,) = learn_chrome(stories())
    assert (line.text, line.pages, line.share, line.position) == (
        PROMO,
        9,
        round(9 / 13, 3),
        "tail",
    )
    assert (line.first_seen, line.last_seen) == (
        "2026-11-01T00:00:00+00:00",
        "2026-11-13T00:00:00+00:00",
    )
    assert line.example_url == "https://st.example/00"


def test_order_of_the_pages_changes_nothing():
    assert learn_chrome(stories()) == learn_chrome(list(reversed(stories())))


def test_nothing_is_learned_from_a_handful_of_pages_or_a_small_share():
    assert learn_chrome([story(n, PROMO) for n in range(4)]) == []  # 100% of 4 stories
    many = [story(n, PROMO if n < 5 else "") for n in range(40)]
    assert learn_chrome(many) == []  # 5 of 40 stories: under the share
    assert [line.pages for line in learn_chrome(many, min_share=0.1)] == [5]


def test_one_story_under_several_urls_counts_once():
    copies = [replace(story(1, PROMO), url=f"https://st.example/copy-{n}") for n in range(6)]
    assert learn_chrome(copies) == []


def with_promo(page):
    """The page with PROMO as a paragraph after its article's last one."""
    last = clean_page(page).body[-1][:25]
    text = page.body.decode("utf-8")
    start = text.find(html.escape(last, quote=False)[:25])
    end = text.find("</p>", start) + len("</p>")
    return replace(page, body=(text[:end] + f"<p>{PROMO}</p>" + text[end:]).encode())


def test_chrome_command_lists_what_a_station_repeats(tmp_path):
    db = tmp_path / "chrome.db"
    articles = [f for f in all_fixtures() if "not_article" not in f.expected and f.meta["station"]]
    with open_store(db) as store:
        for fixture in articles:
            page = fixture.page()
            if fixture.meta["station"] == "jacaranda":
                page = with_promo(page)
            record = clean_page(page)
            store.save_record(record)
            store.save_page(url_key(record.canonical_url), page)
    stored = run_cli("chrome", "jacaranda", "--db", str(db))
    assert stored.code == 0 and stored.stdout == ""  # nothing learned: no crawl ran
    assert "jacaranda: 0 learned lines" in stored.stderr
    shown = run_cli("chrome", "jacaranda", "--db", str(db), "--from-pages", "--format", "json")
    assert shown.code == 0, shown.stderr
    (line,) = json.loads(shown.stdout)
    assert line["text"] == PROMO and line["pages"] >= 5 and line["position"] == "tail"
    assert "jacaranda: 1 repeated lines in 7 stored pages" in shown.stderr
    other = run_cli("chrome", "heart", "--db", str(db), "--from-pages")
    assert other.code == 0 and other.stdout == ""  # the promo is Jacaranda's, not Heart's
    assert "heart: 0 repeated lines in 3 stored pages" in other.stderr
    fewer = run_cli("chrome", "jacaranda", "--db", str(db), "--from-pages", "--min-pages", "8")
    assert fewer.code == 0 and fewer.stdout == ""

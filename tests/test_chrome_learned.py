"""Learned chrome kept and applied: the cleaner's hook (build_record's chrome), the store's table
and in-place removal on SQLite and PostgreSQL, and crawls of a local station site whose pages
carry promo, CTA and footer lines no rule knows (bench/chrome.py's site)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from functools import partial

import pytest

from bench.chrome import CTA, FOOTER, SHOWS, STOCK, ChromeSite, chrome_lines, stock_lines
from crawler.demo_site import LocalSite
from crawler.fixtures import all_fixtures
from crawler.reclean import reclean
from crawler.stations import registry
from pipelines.chrome import learn_station
from pipelines.clean import build_record, clean_page
from pipelines.clean.chrome import (
    LEARNED_CHROME,
    StoredBody,
    learn_chrome,
    strip_chrome,
    strip_stored,
)
from pipelines.clean.text import fold
from pipelines.core.urls import url_key
from pipelines.store import open_store
from pipelines.store.base import UNCHANGED
from tests.conftest import FAST, run_cli
from tests.test_chrome import PROMO, with_promo

ARTICLES = [f for f in all_fixtures("jacaranda") if "not_article" not in f.expected]
PAGES = 48  # pages of the crawled site: each show's promo on 12 of them


def test_only_whole_paragraphs_equal_to_a_learned_line_go():
    clutter: Counter[str] = Counter()
    inside = f"The host said: {PROMO}"  # the line inside the article's own text
    body = ["Own text.", PROMO.upper(), inside, f"  {PROMO}  "]
    assert strip_chrome(body, {fold(PROMO)}, clutter) == ["Own text.", inside]
    assert clutter == {LEARNED_CHROME: 2}
    assert strip_chrome(body, frozenset(), clutter) is body and clutter[LEARNED_CHROME] == 2


def test_the_cleaner_drops_learned_lines_and_keeps_the_pages_own_hash():
    page = ARTICLES[0].page()
    profile = registry().get("jacaranda")
    plain = build_record(page, profile)
    line = plain.body[-1]
    learned = build_record(page, profile, chrome={fold(line)})
    assert learned.body == plain.body[:-1]
    assert learned.clutter == {**plain.clutter, LEARNED_CHROME: 1}
    assert learned.word_count < plain.word_count
    assert learned.content_hash == plain.content_hash  # the page's own text did not change
    as_snapshot = clean_page(page, chrome={"jacaranda": frozenset({fold(line)})})
    assert as_snapshot == learned
    assert clean_page(page, chrome={"heart": frozenset({fold(line)})}) == plain  # not its own


def test_a_stored_record_without_chrome_is_what_the_cleaner_makes():
    checked = 0
    # a station's articles with sub-headings (the expected records say which: test_fixtures
    # holds the cleaner to them), cleaned without and with a learned line
    for fixture in all_fixtures():
        page = fixture.page()
        if not (page.station and fixture.expected.get("headings")):
            continue
        plain = clean_page(page)
        if isinstance(plain, tuple) or not plain.headings or len(plain.body) < 3:
            continue
        line = plain.body[0]  # before the sub-headings: their positions move
        learned = clean_page(page, chrome={page.station: frozenset({fold(line)})})
        fields = strip_stored(plain.to_dict(), {fold(line)})
        assert fields == {name: getattr(learned, name) for name in fields}
        assert learned.headings == [i - 1 for i in plain.headings]
        checked += 1
    assert checked >= 3


def test_a_shows_promo_is_learned_from_that_shows_stories():
    def story(n: int, show: str, *extra: str) -> StoredBody:
        body = [f"Story {n} has its own opening line here.", *extra]
        return StoredBody(f"https://st.example/{n:02}", "2026-11-01T00:00:00+00:00", body, show)

    found = [story(n, "Drive", PROMO) for n in range(6)]  # 6 of 30: a fifth of the station
    found += [story(n, "News") for n in range(6, 30)]
    (line,) = learn_chrome(found)
    assert (line.show, line.pages, line.stories, line.share) == ("Drive", 6, 6, 1.0)
    assert learn_chrome(found[:4] + found[6:]) == []  # 4 of the show's: too few


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.services)])
def target(request, tmp_path) -> str:
    """Where a store lives: a SQLite path, or the DSN of a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "chrome.db")
    return request.getfixturevalue("pg_dsn")


def test_the_store_keeps_learned_lines_and_removes_them_in_place(target):
    pages = [with_promo(f.page()) for f in ARTICLES]
    with open_store(target) as store:
        carriers = 0
        for page in pages:
            record = clean_page(page)
            carriers += PROMO in record.body
            assert store.save_record(record) == "new"
            store.save_page(url_key(record.canonical_url), page)
        assert carriers >= 5
        learned, removed = learn_station(store, "jacaranda")
        assert [line.text for line in learned] == [PROMO] and removed == carriers
        (line,) = store.chrome("jacaranda")
        assert (line["pages"], line["stories"], line["position"]) == (carriers, len(pages), "tail")
        assert line["text"] == PROMO and line["show"] is None
        assert line["example_url"] in {r["canonical_url"] for r in store.records()}
        assert store.chrome("heart") == []
        assert store.chrome_snapshot() == {"jacaranda": frozenset({fold(PROMO)})}
        for record in list(store.records()):  # (PostgreSQL streams them)
            versions = store.versions(record["canonical_url"])
            assert PROMO not in record["body"]
            assert len(versions) == 1 and versions[0]["body"] == record["body"]
        assert learn_station(store, "jacaranda") == ([], 0)  # nothing new, nothing left
        # the same pages fetched again, cleaned with the learned chrome: no new version
        snapshot = store.chrome_snapshot()
        for page in pages:
            again = clean_page(page, chrome=snapshot)
            assert store.save_record(again) == UNCHANGED
            assert len(store.versions(again.canonical_url)) == 1
        assert reclean(store).recleaned == []  # the stored records are the cleaner's


def _stored(store, pages, chrome=None, suffix: str = "") -> None:
    """Store each page cleaned with `chrome` (under its URL + `suffix`)."""
    for page in pages:
        record = clean_page(page, chrome=chrome)
        url = record.canonical_url + suffix
        assert store.save_record(replace(record, canonical_url=url, url=url)) == "new"


def test_a_run_that_finds_no_chrome_in_the_stored_records_rewrites_none(tmp_path):
    """A run whose records were cleaned with the learned chrome leaves none in the store: the
    learner finds no line and updates no stored record (counted by a trigger)."""
    pages = [with_promo(f.page()) for f in ARTICLES]
    with open_store(tmp_path / "chrome.db") as store:
        _stored(store, pages)
        assert learn_station(store, "jacaranda")[1] >= 5
        snapshot = store.chrome_snapshot()
        _stored(store, pages, chrome=snapshot, suffix="?again")  # the next run's own records
        store.conn.execute("CREATE TEMP TABLE updates (n INTEGER)")
        store.conn.execute(
            "CREATE TEMP TRIGGER counted AFTER UPDATE ON articles"
            " BEGIN INSERT INTO updates VALUES (1); END"
        )
        assert learn_station(store, "jacaranda") == ([], 0)
        assert store.conn.execute("SELECT COUNT(*) FROM updates").fetchone()[0] == 0


def test_a_learned_line_goes_from_records_stored_without_it_though_nothing_new_is_learned(
    tmp_path,
):
    """Records a run stored without the learned line (learning off, or a snapshot taken before
    another run learned it) lose it at the next learning, which learns nothing new."""
    pages = [with_promo(f.page()) for f in ARTICLES]
    with open_store(tmp_path / "chrome.db") as store:
        _stored(store, pages)
        learn_station(store, "jacaranda")
        _stored(store, pages, suffix="?unlearned")  # cleaned with no chrome: PROMO stays
        assert sum(PROMO in r["body"] for r in store.records()) >= 5
        learned, removed = learn_station(store, "jacaranda")
        assert learned == [] and removed >= 5
        assert not any(PROMO in r["body"] for r in store.records())


def test_every_record_holding_a_line_loses_it_and_only_those_are_rewritten(target):
    """A story stored under two URLs counts once for learning but both records lose the line;
    the store rewrites the records it is given, no other."""
    pages = [with_promo(f.page()) for f in ARTICLES]
    with open_store(target) as store:
        _stored(store, pages)
        _stored(store, pages, suffix="?copy")
        carriers = sum(PROMO in r["body"] for r in store.records())
        (line,), removed = learn_station(store, "jacaranda")
        assert line.pages * 2 == carriers == removed
        assert not any(PROMO in r["body"] for r in store.records())
        _stored(store, pages, suffix="?unlearned")
        holding = sorted(url_key(r["canonical_url"]) for r in store.records() if PROMO in r["body"])
        rewrite = partial(strip_stored, learned={fold(PROMO)})
        assert store.keep_chrome("jacaranda", [], holding[:2], rewrite) == 2
        assert sum(PROMO in r["body"] for r in store.records()) == len(holding) - 2


def test_learning_does_not_depend_on_the_order_pages_were_stored(tmp_path):
    pages = [with_promo(f.page()) for f in ARTICLES]
    results = []
    for name, order in (("forward", pages), ("backward", pages[::-1])):
        with open_store(tmp_path / f"{name}.db") as store:
            for page in order:
                record = clean_page(page)
                store.save_record(record)
                store.save_page(url_key(record.canonical_url), page)
            learn_station(store, "jacaranda")
            records = sorted(json.dumps(r, sort_keys=True) for r in store.records())
            results.append((store.chrome("jacaranda"), records))
    assert results[0] == results[1]


# --- crawls of a station site with chrome no rule knows --------------------------------------


@pytest.fixture
def chrome_site():
    site = LocalSite()
    routes = ChromeSite("jacaranda", PAGES, site.url)
    site.routes = routes
    with site:
        yield site, routes


def crawl_into(db: str, site: LocalSite, *settings: str, report=None):
    return run_cli("crawl", "--db", db, *FAST, "--station", "jacaranda", "--url",
                   f"{site.url}/", *settings, report=report)  # fmt: skip


def test_a_crawl_learns_the_stations_chrome_and_keeps_its_article_text(
    chrome_site, target, tmp_path
):
    site, routes = chrome_site
    run = crawl_into(target, site, report=tmp_path / "report.json")
    assert run.code == 0, run.stderr
    with open_store(target) as store:
        records = list(store.records())
        learned = {line["text"]: line for line in store.chrome("jacaranda")}
    assert len(records) == PAGES
    assert {CTA, FOOTER, *(promo for *_, promo in SHOWS)} <= set(learned)
    assert learned[FOOTER]["pages"] == PAGES and learned[FOOTER]["show"] is None
    assert learned[SHOWS[1][3]]["show"] == SHOWS[1][0]  # a show's promo, learned for its show
    for record in records:
        i = routes.index["/" + record["url"].split("/", 3)[3]]
        chrome = {fold(text) for _, text in chrome_lines(i)}
        assert not chrome & {fold(line) for line in record["body"]}, record["url"]
        assert set(stock_lines(i, PAGES)) <= set(record["body"])  # shared sentences stay
        assert record["clutter"][LEARNED_CHROME] >= 1
    assert sum(1 for r in records for line in r["body"] if line in STOCK) >= 5
    removed = sum(r["clutter"][LEARNED_CHROME] for r in records)
    assert run.report["stations"]["jacaranda"]["clutter"][LEARNED_CHROME] == removed
    shown = run_cli("chrome", "jacaranda", "--db", target)
    assert shown.code == 0 and f"{PAGES}/{PAGES} (100%)" in shown.stdout and FOOTER in shown.stdout


def test_no_article_line_is_lost_and_learning_can_be_switched_off(chrome_site, tmp_path):
    site, _ = chrome_site
    off, on = str(tmp_path / "off.db"), str(tmp_path / "on.db")
    assert crawl_into(off, site, "-s", "RADIOSCRAPE_LEARN_CHROME=false").code == 0
    assert crawl_into(on, site).code == 0
    with open_store(off) as store:
        assert store.chrome("jacaranda") == []
        plain = {r["url"]: r["body"] for r in store.records()}
    with open_store(on) as store:
        learned = {r["url"]: r["body"] for r in store.records()}
        chrome = {fold(line["text"]) for line in store.chrome("jacaranda")}
    assert set(plain) == set(learned)
    assert any(fold(FOOTER) in {fold(line) for line in body} for body in plain.values())
    for url, body in plain.items():  # every line but the chrome stays, in its order
        assert learned[url] == [line for line in body if fold(line) not in chrome]


def test_reclean_and_a_one_off_scrape_use_the_stores_chrome(chrome_site, tmp_path):
    site, routes = chrome_site
    db = str(tmp_path / "crawl.db")
    assert crawl_into(db, site).code == 0
    done = run_cli("reclean", "--db", db)
    assert done.code == 0 and done.stdout == ""  # the stored records are what reclean makes
    page = tmp_path / "page.html"
    page.write_bytes(routes.page_bytes(PAGES + 3))  # a page the crawl never saw
    plain = run_cli("scrape", str(page), "--station", "jacaranda")
    learned = run_cli("scrape", str(page), "--station", "jacaranda", "--db", db)
    assert plain.code == learned.code == 0, learned.stderr
    plain_body, learned_body = json.loads(plain.stdout)["body"], json.loads(learned.stdout)["body"]
    assert FOOTER in plain_body and FOOTER not in learned_body
    assert json.loads(learned.stdout)["clutter"][LEARNED_CHROME] >= 2
    missing = run_cli("scrape", str(page), "--db", str(tmp_path / "none.db"))
    assert missing.code == 2 and "no store there" in missing.stderr

"""Extraction in worker processes stores exactly what extraction in the crawl process stores,
and the cleaner's fast paths give what the code they replace gave.

Both crawls run over the same demo station mirrors (crawler.demo_site) into their own stores;
the records, the report totals and the clutter counts must be the same.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from lxml import etree, html
from lxml.cssselect import CSSSelector
from scrapy import Request, signals
from scrapy.utils.test import get_crawler

from crawler.demo_site import demo_sites
from crawler.fixtures import all_fixtures
from pipelines.clean import parse_html
from pipelines.clean.clutter import NODE_RULES
from pipelines.clean.cssindex import SelectorIndex
from pipelines.core.signals import story_printed
from pipelines.core.urls import url_key
from pipelines.core.workers import worker_context
from pipelines.extract import (
    CRAWL_GC_THRESHOLD,
    PRINTING_WORKERS,
    ExtractPipeline,
    _start_worker,
    clean_within,
)
from pipelines.store import open_store
from pipelines.store.pipeline import StorePipeline
from pipelines.store.stories import body_shingles, shingles_column
from pipelines.stories import StoryOptions, story_print
from tests.conftest import ROOT
from tests.test_crawl_stations import ARTICLES

pytestmark = pytest.mark.slow  # extraction in worker processes

PER_CRAWL_FIELDS = {"fetched_at"}  # the crawl's own time


def _crawl(sites, tmp_path, name: str, workers: int):
    """One `scrapy crawl station` over every mirror: (records by URL key, JSON report, each
    article's stored shingles and band keys)."""
    db, report = tmp_path / f"{name}.db", tmp_path / f"{name}.json"
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "station",
         "-a", "mirrors=" + ",".join(f"{k}={s.url}/" for k, s in sites.items()),
         "-s", f"RADIOSCRAPE_DB={db}", "-s", f"RADIOSCRAPE_REPORT={report}",
         "-s", f"RADIOSCRAPE_EXTRACT_WORKERS={workers}",
         "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=WARNING"],
        capture_output=True, text=True, cwd=ROOT, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with open_store(db) as store:
        records = {
            url_key(r["canonical_url"]): {k: v for k, v in r.items() if k not in PER_CRAWL_FIELDS}
            for r in store.records()
        }
        prints = {
            row["url_key"]: (row["shingles"], sorted(
                band["band"] for band in store.conn.execute(
                    "SELECT band FROM band_articles WHERE article = ?", (row["id"],))
            ))
            for row in store.conn.execute("SELECT rowid AS id, url_key, shingles FROM articles")
        }  # fmt: skip
    return records, json.loads(report.read_text()), prints


def test_workers_store_the_same_records_stories_and_band_keys_as_in_process(tmp_path):
    """With 1 worker and with 2 (which make each record's story print) the stored records,
    their stories, shingles and band keys are those of a crawl cleaning in process."""
    with demo_sites() as sites:
        inline, inline_report, inline_prints = _crawl(sites, tmp_path, "inline", 0)
        crawls = [_crawl(sites, tmp_path, f"pooled{n}", n) for n in (1, 2)]
    assert len(inline) == len(ARTICLES)
    assert all(shingled and bands for shingled, bands in inline_prints.values())
    for pooled, pooled_report, pooled_prints in crawls:
        assert pooled == inline
        assert pooled_prints == inline_prints
        for station, figures in inline_report["stations"].items():
            other = pooled_report["stations"][station]
            for key in ("new", "updated", "unchanged", "dropped", "errors", "clutter"):
                assert other.get(key) == figures.get(key), (station, key)
        assert pooled_report["totals"]["new"] == inline_report["totals"]["new"] == len(ARTICLES)


def test_a_workers_story_print_is_the_one_the_store_makes(tmp_path):
    """A worker makes each record's story print with the store's options (here not the
    defaults) and sends it beside the record; it equals what the store makes in process."""
    options = {"RADIOSCRAPE_STORY_SHINGLE": 3, "RADIOSCRAPE_STORY_BANDS": 16,
               "RADIOSCRAPE_STORY_ROWS": 2}  # fmt: skip
    settings = {"RADIOSCRAPE_EXTRACT_WORKERS": 2, "RADIOSCRAPE_DB": str(tmp_path / "s.db")}
    crawler = get_crawler(settings_dict={**settings, **options})
    stories = StoryOptions.from_settings(crawler.settings)
    assert stories != StoryOptions()
    sent = []
    crawler.signals.connect(lambda **kwargs: sent.append(kwargs), signal=story_printed, weak=False)
    pipeline = ExtractPipeline.from_crawler(crawler)
    pipeline.open_spider()
    pages = [f.page() for f in all_fixtures() if "body" in f.expected][:3]
    records = clean_at_once(pipeline, pages[:2])  # in the worker: the pool is not behind
    assert pipeline.cleaned == {"worker": 2}
    assert len(sent) == 2
    by_url = {record.url: record for record in records}  # two workers: in either order
    assert sorted(by_url) == sorted(s["record"].url for s in sent)
    assert all(s["record"] == by_url[s["record"].url] for s in sent)
    with open_store(tmp_path / "s.db", stories=stories) as store:
        for given in sent:
            record, printed = given["record"], given["printed"]
            assert given["options"] == stories
            made = story_print(record.body, stories)
            assert printed.hashes.dtype == made.hashes.dtype
            assert printed.hashes.tolist() == made.hashes.tolist() and printed.keys == made.keys
            assert len(printed.keys) == 16
            assert shingles_column(printed.hashes) == body_shingles(record.body, 3)
            store.save_record(record)  # the store makes the print itself
            key = url_key(record.canonical_url)
            row = store.conn.execute("SELECT shingles FROM articles WHERE url_key = ?", (key,))
            assert row.fetchone()["shingles"] == shingles_column(printed.hashes)
            bands = store.conn.execute(
                "SELECT band FROM band_articles b JOIN articles a ON a.rowid = b.article"
                " WHERE a.url_key = ?", (key,))  # fmt: skip
            assert sorted(band["band"] for band in bands) == sorted(printed.keys)


def test_one_worker_makes_no_story_prints(tmp_path):
    """With one worker the worker is the crawl's serial path: the store makes the prints."""
    settings = {"RADIOSCRAPE_EXTRACT_WORKERS": 1, "RADIOSCRAPE_DB": str(tmp_path / "s.db")}
    assert ExtractPipeline.from_crawler(get_crawler(settings_dict=settings)).stories is None
    settings["RADIOSCRAPE_EXTRACT_WORKERS"] = PRINTING_WORKERS
    assert ExtractPipeline.from_crawler(get_crawler(settings_dict=settings)).stories is not None


def test_a_store_given_a_story_print_keeps_what_it_would_make(tmp_path):
    """save_record with the record's story print stores the same rows, stories and band keys
    as without; the store pipeline takes a print made with other options for none."""
    records = [clean_within(f.page(), 0) for f in all_fixtures() if "body" in f.expected][:6]
    records += [dataclasses.replace(records[0], canonical_url=records[0].canonical_url + "?copy")]
    stores = []
    for given in (False, True):
        with open_store(tmp_path / f"{given}.db") as store:
            for record in records:
                printed = story_print(record.body, store.story_options) if given else None
                store.save_record(record, printed=printed)
            stores.append([
                [tuple(row) for row in store.conn.execute(f"SELECT {columns} ORDER BY 1, 2")]
                for columns in ("url_key, story_id, shingles, body FROM articles",
                                "url_key, band FROM band_articles JOIN articles ON"
                                " articles.rowid = band_articles.article")
            ])  # fmt: skip
    assert stores[0] == stores[1]
    assert len({row[1] for row in stores[0][0]}) < len(records)  # the copy joined a story

    pipeline = StorePipeline(str(tmp_path / "p.db"), stats=None)
    pipeline.store = open_store(tmp_path / "p.db")
    try:
        printed = story_print(records[0].body, StoryOptions(shingle=5))
        pipeline.story_printed(records[0], printed, StoryOptions(shingle=5))
        assert pipeline.prints == {}
        pipeline.story_printed(records[0], printed, StoryOptions())
        assert pipeline.prints == {records[0].content_hash: printed}
    finally:
        pipeline.store.close()


# The fast paths the workers run must match what they replace: SelectorIndex (the clutter node
# rules in one walk) against lxml's CSSSelector, on every fixture page and a few edge cases.
EDGE_CASES = """<html><body class="x"><header class="header">h</header><article><div>
<header id="comments">c</header></div></article><i class="icon big">i</i><span class=" icon\t">s
</span><div role="navigation" data-slot="" id="div-gpt-ad-1" class="a-podcast-promo-b">d</div>
<section class="Share">no</section><p class="share">yes</p></body></html>"""


def test_selector_index_matches_cssselect():
    css = [rule.css for rule in NODE_RULES] + ["p:first-child", "div > p.share, .nope"]
    index = SelectorIndex(css)
    assert set(index.fallback) == {len(NODE_RULES)}  # every rule compiled, :first-child not
    roots = [parse_html(f.page()) for f in all_fixtures()] + [html.fromstring(EDGE_CASES)]
    for root in roots:
        contexts = [root, root.find("body"), *list(root.iter("article", "main"))[:3]]
        for context in [c for c in contexts if c is not None]:
            got = index.hits(context)
            for i, selector in enumerate(css):
                want = CSSSelector(selector)(context)
                assert [id(e) for e in got[i]] == [id(e) for e in want], selector


def test_a_dead_worker_is_replaced():
    pipeline = ExtractPipeline(workers=1)
    pipeline.open_spider()
    pages = [f.page() for f in all_fixtures() if "body" in f.expected][:2]

    async def clean_kill_clean():
        first = await pipeline.process_item(pages[0])
        os.kill(next(iter(pipeline.pool._processes)), signal.SIGKILL)
        await asyncio.sleep(0.5)
        return first, await pipeline.process_item(pages[1])

    try:
        first, second = asyncio.run(clean_kill_clean())
    finally:
        pipeline.close_spider()
    assert [first.url, second.url] == [pages[0].url, pages[1].url]


def clean_at_once(pipeline: ExtractPipeline, pages: list) -> list:
    """Hand all `pages` to the opened `pipeline` at once; its records (the pipeline closed)."""

    async def clean_all():
        return await asyncio.gather(*(pipeline.process_item(page) for page in pages))

    try:
        return asyncio.run(clean_all())
    finally:
        pipeline.close_spider()


def test_the_crawl_process_cleans_when_the_pool_is_behind():
    pipeline = ExtractPipeline(workers=1)
    pipeline.open_spider()
    pages = [f.page() for f in all_fixtures() if "body" in f.expected][:6]
    records = clean_at_once(pipeline, pages)
    # a page for the worker and one waiting for it; the others cleaned here meanwhile
    assert pipeline.cleaned == {"worker": 2, "crawl-process": len(pages) - 2}
    assert records == [clean_within(page, 0) for page in pages]


def test_the_crawl_process_leaves_pages_to_the_pool_while_downloading():
    crawler = get_crawler(settings_dict={"RADIOSCRAPE_EXTRACT_WORKERS": 1})
    pipeline = ExtractPipeline.from_crawler(crawler)
    pipeline.open_spider()
    pages = [f.page() for f in all_fixtures() if "body" in f.expected][:6]
    request = Request("https://example.org/slow")
    crawler.signals.send_catch_log(signals.request_reached_downloader, request=request)
    records = clean_at_once(pipeline, pages)
    # cleaning here would hold up the engine, and the workers' results with it
    assert pipeline.cleaned == {"worker": len(pages)}
    assert records == [clean_within(page, 0) for page in pages]
    crawler.signals.send_catch_log(signals.request_left_downloader, request=request)
    assert pipeline.downloading == 0


@pytest.mark.parametrize("workers", [0, 1])
def test_the_crawl_process_collects_less_often_during_the_crawl(workers):
    """The crawl process's first-generation threshold is raised while the crawl runs (its
    collections found next to nothing to free), with workers or without; the workers keep
    the default, and the threshold is back after the run."""
    before = gc.get_threshold()
    pipeline = ExtractPipeline(workers=workers)
    pipeline.open_spider()
    try:
        assert gc.get_threshold() == (CRAWL_GC_THRESHOLD, *before[1:])
        if workers:
            assert pipeline.pool.submit(gc.get_threshold).result() == before
    finally:
        pipeline.close_spider()
    assert gc.get_threshold() == before


def test_cleaning_leaves_no_reference_cycle():
    """What cleaning a page leaves is freed by reference counting (a cycle through its tree
    would keep the whole parsed page until a collection, which the crawl makes rare): no
    element and no object of the cleaner's among what a collection finds unreachable."""
    pages = [fixture.page() for fixture in all_fixtures()]
    clean_within(pages[0], 0)  # caches and lazy imports first
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what a collection finds goes to gc.garbage
    try:
        for page in pages:
            clean_within(page, 0)
        gc.collect()
        left = [o for o in gc.garbage if isinstance(o, etree._Element)
                or getattr(o, "__module__", "").startswith("pipelines.")]  # fmt: skip
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was:
            gc.enable()
    assert left == []


def test_a_worker_keeps_what_it_loaded_out_of_full_collections():
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_start_worker, initargs=({}, 0.0)) as pool:  # fmt: skip
        assert pool.submit(gc.get_freeze_count).result() > 10_000


WARM_START = """
import time
from pipelines.extract import ExtractPipeline

def cpu_so_far():
    return time.process_time()  # the worker's CPU time since it started

pipeline = ExtractPipeline(workers=1)
pipeline.open_spider()
try:
    method = pipeline.pool._mp_context.get_start_method()
    print(method, pipeline.pool.submit(cpu_so_far).result())
finally:
    pipeline.close_spider()
"""


def test_workers_start_with_what_the_crawl_process_loaded():
    """Forked from a process running one thread, a worker starts with the cleaner loaded: a
    spawned one spent ~0.7 s of CPU importing it (and Scrapy) before its first page."""
    done = subprocess.run([sys.executable, "-c", WARM_START], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    method, cpu = done.stdout.split()
    assert method == "fork"
    assert float(cpu) < 0.2, cpu


def test_workers_are_spawned_while_another_thread_runs():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert worker_context().get_start_method() == "spawn"  # a fork would copy its locks
    finally:
        stop.set()
        thread.join()


KILLED_CRAWL = """
import os, signal
from pipelines.extract import ExtractPipeline

pipeline = ExtractPipeline(workers=2)
pipeline.open_spider()
pipeline.pool.submit(os.getpid).result()
print(*pipeline.pool._processes, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_workers_end_with_a_killed_crawl_process(tmp_path):
    """A worker outliving its crawl would wait for pages for ever, holding what it inherited
    (a forked worker: the store's lock file, so the next crawl of the store is refused)."""
    out = tmp_path / "workers.txt"
    with out.open("w") as stdout:  # a file: a pipe would stay open as long as a worker lives
        done = subprocess.run([sys.executable, "-c", KILLED_CRAWL], stdout=stdout, cwd=ROOT,
                              timeout=120)  # fmt: skip
    assert done.returncode == -signal.SIGKILL
    workers = [int(pid) for pid in out.read_text().split()]
    assert len(workers) == 2
    deadline = time.monotonic() + 10
    while any(map(_running, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(map(_running, workers)), workers

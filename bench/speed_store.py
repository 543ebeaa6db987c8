"""Storing speed: CPU time a crawl spends per record in validate, dedup and the store pipeline.

Cleans N generated article pages of a station once (the pages bench/speed_crawl.py serves, so
the same near-copies and story matching), then times by CPU time, in this process:

  validate and dedup   ValidatePipeline and DedupPipeline on every record;
  storing (new)        StorePipeline as a crawl drives it: each record (process_item, in
                       batches of RADIOSCRAPE_STORE_BATCH), its fetch state and its page
                       (item_scraped), the run's figures at close, into a new SQLite store
                       (or --db: a PostgreSQL DSN, whose tables are emptied first);
  storing (unchanged)  the same records again into that store (a re-crawl that refetched them).

    python bench/speed_store.py                  # 800 pages of jacaranda
    python bench/speed_store.py --pages 200 --profile 25   # and the top 25 functions by CPU
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.reactor import install_reactor
from scrapy.utils.test import get_crawler

from bench.speed_crawl import GeneratedSite
from crawler import settings
from crawler.stations import registry
from pipelines.clean import build_record
from pipelines.core.fetch import ARTICLE_META, STATION_META, ArticleFetch
from pipelines.core.items import ArticleRecord, Page
from pipelines.core.urls import url_key
from pipelines.dedup import DedupPipeline
from pipelines.store.pipeline import StorePipeline
from pipelines.validate import ValidatePipeline

ORIGIN = "http://127.0.0.1:8000"
FETCHED_AT = "2026-11-30T08:00:00+00:00"


def crawled(station: str, pages: int) -> list[tuple[ArticleRecord, HtmlResponse]]:
    """Each generated page cleaned: its record and the response it came as (an article
    request's, as the spider makes it)."""
    site = GeneratedSite(station, pages, ORIGIN)
    profile = registry().get(station)
    out = []
    for i, article in enumerate(site.articles):
        url = ORIGIN + article.path
        body = site.page_bytes(i)
        record = build_record(Page(url, body, station=station, fetched_at=FETCHED_AT), profile)
        fetch = ArticleFetch(station, url_key(url), article.lastmod, None, url, FETCHED_AT)
        request = Request(url, meta={ARTICLE_META: fetch, STATION_META: station})
        headers = {"Content-Type": "text/html; charset=utf-8", "ETag": f'"{i}"'}
        out.append((record, HtmlResponse(url, body=body, headers=headers, request=request)))
    return out


def validate_and_dedup(records: list[ArticleRecord]) -> float:
    """CPU seconds of ValidatePipeline and DedupPipeline over the records."""
    validate, dedup = ValidatePipeline(), DedupPipeline()
    started = time.process_time()
    for record in records:
        dedup.process_item(validate.process_item(record))
    return time.process_time() - started


def store_all(db: str, items: list[tuple[ArticleRecord, HtmlResponse]], batch: int) -> float:
    """CPU seconds of a crawl's StorePipeline over the items, from opening the store to
    closing it (the chrome learnt at the end included)."""
    project = {name: value for name, value in vars(settings).items() if name.isupper()}
    crawler = get_crawler(
        settings_dict={**project, "RADIOSCRAPE_DB": db, "RADIOSCRAPE_STORE_BATCH": batch}
    )
    crawler.stats.open_spider()

    async def crawl() -> None:
        pipeline.open_spider()

        async def one(record: ArticleRecord, response: HtmlResponse) -> None:
            pipeline.item_scraped(await pipeline.process_item(record), response)

        await asyncio.gather(*(one(record, response) for record, response in items))
        pipeline.close_spider()
        pipeline.spider_closed("finished")

    pipeline = StorePipeline.from_crawler(crawler)
    started = time.process_time()
    asyncio.run(crawl())
    return time.process_time() - started


def empty_postgres(dsn: str) -> None:
    """Drop every table of the PostgreSQL database `dsn` (a bench database)."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def profiled(run: Callable[[], float], top: int) -> float:
    """`run()` under cProfile (CPU time), printing its `top` functions by own time."""
    profile = cProfile.Profile(time.process_time)
    seconds = profile.runcall(run)
    pstats.Stats(profile).sort_stats("tottime").print_stats(top)
    return seconds


def main() -> None:
    """Print CPU ms per record of validate and dedup, and of storing new and unchanged."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--station", default="jacaranda", help="station whose fixtures to use")
    parser.add_argument("--pages", type=int, default=800, help="generated pages to store")
    parser.add_argument("--batch", type=int, default=64, help="RADIOSCRAPE_STORE_BATCH")
    parser.add_argument("--db", help="a PostgreSQL DSN (emptied first); default: a new SQLite file")
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions")
    args = parser.parse_args()
    install_reactor(settings.TWISTED_REACTOR)  # before anything imports the default one
    items = crawled(args.station, args.pages)
    records = [record for record, _ in items]
    print(f"{len(items)} {args.station} records, batches of {args.batch}; load average "
          + " ".join(f"{x:.1f}" for x in os.getloadavg()))  # fmt: skip
    per = 1000 / len(items)
    step = "validate and dedup"
    print(f"  {step:<21} {validate_and_dedup(records) * per:6.2f} ms a record (CPU)")
    with tempfile.TemporaryDirectory(prefix="radioscrape-store-") as tmp:
        db = args.db or str(Path(tmp) / "store.db")
        if args.db:
            empty_postgres(args.db)
        for label in ("new", "unchanged"):
            run = lambda: store_all(db, items, args.batch)  # noqa: E731
            seconds = profiled(run, args.profile) if args.profile else run()
            step = f"storing ({label})"
            print(f"  {step:<21} {seconds * per:6.2f} ms a record (CPU)")


if __name__ == "__main__":
    main()

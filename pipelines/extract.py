"""ExtractPipeline: Page in, ArticleRecord out, through the one cleaning chain.

Cleaning is the CPU-heavy step of a crawl. With RADIOSCRAPE_EXTRACT_WORKERS=N (N > 0) pages are
cleaned in a pool of N worker processes while the Scrapy engine keeps downloading; with 0 (the
default) they are cleaned in the crawl's own process. The workers start with the crawl, forked
from it (pipelines.core.workers: they start with the cleaner it has loaded, instead of
importing it again), so they are ready by the time discovery yields pages. When the pool is
behind (every worker busy and a page waiting for each) and no download is in flight, the crawl
process cleans the next page itself instead of queueing it: it would otherwise only wait for
the workers (on a machine whose cores others take, they get less than their share). While
downloads are in flight it leaves every page to the workers: cleaning a page there holds up
the engine and the hand-off of the workers' results for as long, so the workers would wait for
it. Either way every page goes through the same build_record and gives the same record and the
same refusals (the crawl report counts them, by station, from the item signals). A worker gets
the run's chrome snapshot once, when it starts, and then only the pages.

With a store (RADIOSCRAPE_DB) and PRINTING_WORKERS workers or more, a worker also makes the
story print of each record it cleans (pipelines.stories.story_print: the body's shingle hashes
and band keys, with the store's RADIOSCRAPE_STORY_* options) and hands it back beside the record;
the pipeline sends it to the store pipeline (signal story_printed), which then does not make it
again on the crawl process's main thread, the crawl's serial path. A page cleaned in the crawl
process gets no print: the store makes it, the same.

Cleaning one page has a CPU-time budget (RADIOSCRAPE_CLEAN_TIMEOUT): a page that takes longer is
refused as `timeout`, so a hostile page cannot hold up the crawl. A page lost to a dead worker is
a PageFailed (errors/worker-died): not recorded as handled, so the next run fetches it again.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import signal
import threading
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext

from scrapy import signals
from scrapy.exceptions import DropItem

from crawler.stations import registry
from pipelines.clean import clean_page
from pipelines.clean.chrome import ChromeSnapshot
from pipelines.core import signals as radioscrape_signals
from pipelines.core.items import ArticleRecord, Page
from pipelines.core.refusals import PAGE_KINDS
from pipelines.core.workers import end_with_parent, worker_context
from pipelines.store.chrome import read_snapshot
from pipelines.stories import StoryOptions, StoryPrint, prepare, story_print
from pipelines.validate import PageFailed

logger = logging.getLogger(__name__)


class PageRefused(DropItem):
    """A page that gives no record; `kind` is the reason ('listing', 'empty', ...). The report
    files a page of another kind (an archive, a show page...) under `refused/<kind>`, any other
    refusal (empty, not HTML, a timeout) under `dropped/<kind>`."""

    def __init__(self, url: str, kind: str, message: str):
        super().__init__(f"{url}: {message}")
        self.url = url
        self.kind = kind
        self.group = "refused" if kind in PAGE_KINDS else "dropped"


class CleanTimeout(Exception):
    """Cleaning a page went past its CPU-time budget (raised by the SIGPROF handler)."""


def _over_budget(signum, frame):
    raise CleanTimeout


# After the budget, the timer fires again every this many CPU seconds: a CleanTimeout raised
# where Python ignores exceptions (a __del__ run by the garbage collector) is raised again.
_REFIRE = 0.05


def clean_within(
    page: Page, seconds: float, chrome: ChromeSnapshot | None = None
) -> ArticleRecord | tuple[str, str]:
    """clean_page (with the run's `chrome` snapshot), or ('timeout', message) when it takes
    more than `seconds` of CPU time (0: no limit).

    The budget is this process's CPU time (ITIMER_PROF), not the wall clock, so a loaded
    machine does not refuse pages that are slow only because they wait for a core. The SIGPROF
    it sends interrupts the Python code and the regular expressions of the cleaner (CPython's
    regex engine checks for signals as it runs), in the crawl process and in a worker alike;
    signals only reach the main thread, so elsewhere there is no limit. SIGALRM (pytest-timeout's)
    is left alone.
    """
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        return clean_page(page, chrome=chrome)
    previous = signal.signal(signal.SIGPROF, _over_budget)
    signal.setitimer(signal.ITIMER_PROF, seconds, _REFIRE)
    try:
        try:
            return clean_page(page, chrome=chrome)
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
    except CleanTimeout:
        # clean_page turns the garbage collector off while it cleans; a timeout landing in its
        # finally, before it turns it back on, must not leave it off for the whole process
        gc.enable()
        return "timeout", f"cleaning took more than {seconds:g}s of CPU time"
    finally:
        signal.signal(signal.SIGPROF, previous)


def _warm_worker() -> None:
    """Load the station registry once per process, before any page is timed against
    RADIOSCRAPE_CLEAN_TIMEOUT. dateparser's locale data (htmldate's external parser) is left to
    the first page that needs it: most never do, and loading it costs ~0.25 s of CPU and 9 MB a
    process, well within one page's budget (which is CPU time, not the clock)."""
    registry()


# A worker's settings for the run, given once when it starts (_start_worker).
_worker_chrome: ChromeSnapshot = {}
_worker_timeout = 0.0
_worker_stories: StoryOptions | None = None


def _start_worker(
    chrome: ChromeSnapshot, timeout: float, stories: StoryOptions | None = None
) -> None:
    """Keep the run's chrome snapshot, clean budget and story options (None: no story prints)
    in this worker; warm it, and keep what it loaded out of the garbage collector's full
    collections (as the crawl process does). It
    ends with the crawl process (end_with_parent). A worker forked from the crawl process
    drops the crawl's SIGINT and SIGTERM handlers (they would stop a reactor it does not run)
    for Python's defaults, a spawned worker's."""
    global _worker_chrome, _worker_timeout, _worker_stories
    _worker_chrome, _worker_timeout, _worker_stories = chrome, timeout, stories
    end_with_parent()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _warm_worker()
    if stories is not None:
        prepare(stories)
    gc.freeze()


def _clean_in_worker(page: Page) -> tuple[ArticleRecord | tuple[str, str], StoryPrint | None]:
    """clean_within in a worker, with the snapshot and budget it was started with; and the
    record's story print, when it was started with story options."""
    result = clean_within(page, _worker_timeout, _station_chrome(_worker_chrome, page.station))
    if _worker_stories is None or not isinstance(result, ArticleRecord):
        return result, None
    return result, story_print(result.body, _worker_stories)


def _station_chrome(chrome: ChromeSnapshot, station: str | None) -> ChromeSnapshot | None:
    """The part of a chrome snapshot a page of `station` is cleaned with."""
    return {station: chrome[station]} if station in chrome else None


# The fewest extraction workers that make story prints. A page's cleaning (~4.4 ms of CPU on the
# bench's pages) is shared by the workers, its storing and Scrapy's work (~3.5 ms) is the crawl
# process's main thread's alone: with one worker the worker is the serial path and a print made
# there (~0.45 ms) would lengthen it; from two the main thread is, and the print leaves it.
PRINTING_WORKERS = 2


# The crawl process's first-generation GC threshold during the crawl (Python's default: 700).
# What it allocates a page (requests, responses, records on their way to the store) is freed
# by reference counting, or lives on (queued requests, a batch of records): a collection every
# 700 new objects freed nothing and walked the living ones again (over 800 pages with 2
# workers: 250 collections, ~0.15 s of the crawl process's CPU, 0 to 600 objects freed). The
# cleaner leaves no reference cycle either (tests/test_extract_pool.py), so a crawl that cleans
# in process collects rarely too (800 pages: ~300 collections, ~0.13 s of CPU, before). The
# workers, forked before, keep the default.
CRAWL_GC_THRESHOLD = 50_000


class ExtractPipeline:
    """Turn each Page into an ArticleRecord with build_record; refuse non-articles."""

    def __init__(
        self,
        workers: int = 0,
        timeout: float = 0,
        chrome_db: str | None = None,
        stories: StoryOptions | None = None,
    ):
        self.workers = workers
        self.timeout = timeout
        self.chrome_db = chrome_db  # the store whose learned chrome the run cleans with
        self.stories = stories  # the store's story options: workers make story prints with them
        self.chrome: ChromeSnapshot = {}
        self.pool: ProcessPoolExecutor | None = None
        self.in_pool = 0  # pages sent to the pool and not back yet
        self.downloading = 0  # requests in the downloader (signals), with workers
        self.warm = False  # this process's cleaner warmed (_warm_worker)
        self.cleaned: Counter[str] = Counter()  # pages cleaned in workers, in the crawl process
        self.gc_threshold: tuple[int, int, int] | None = None  # the one before the pool's
        self.stats = None
        self.signals = None  # the crawler's SignalManager: story prints are sent with it

    @classmethod
    def from_crawler(cls, crawler):
        """Build the pipeline with RADIOSCRAPE_EXTRACT_WORKERS, RADIOSCRAPE_CLEAN_TIMEOUT and
        (with RADIOSCRAPE_LEARN_CHROME) RADIOSCRAPE_DB; with a store and PRINTING_WORKERS
        workers or more, the story options (RADIOSCRAPE_STORY_*) they make story prints with;
        with workers, count the downloads in flight."""
        settings = crawler.settings
        workers = max(settings.getint("RADIOSCRAPE_EXTRACT_WORKERS", 0), 0)
        learning = settings.getbool("RADIOSCRAPE_LEARN_CHROME")
        pipeline = cls(
            workers=workers,
            timeout=max(settings.getfloat("RADIOSCRAPE_CLEAN_TIMEOUT", 0), 0),
            chrome_db=settings.get("RADIOSCRAPE_DB") if learning else None,
            stories=StoryOptions.from_settings(settings)
            if workers >= PRINTING_WORKERS and settings.get("RADIOSCRAPE_DB")
            else None,
        )
        pipeline.stats = crawler.stats
        pipeline.signals = crawler.signals
        if pipeline.workers:
            crawler.signals.connect(
                pipeline.request_reached_downloader, signal=signals.request_reached_downloader
            )
            crawler.signals.connect(
                pipeline.request_left_downloader, signal=signals.request_left_downloader
            )
        return pipeline

    def request_reached_downloader(self) -> None:
        """One more download in flight."""
        self.downloading += 1

    def request_left_downloader(self) -> None:
        """One download fewer in flight."""
        self.downloading -= 1

    def open_spider(self) -> None:
        """Start the worker pool (forked while the crawl runs no other thread, else spawned), or
        warm this process's cleaner when it cleans in process; take the chrome snapshot
        every page of the run is cleaned with; collect less often (CRAWL_GC_THRESHOLD)."""
        if self.chrome_db:
            self.chrome = read_snapshot(self.chrome_db)
        if self.workers:
            self.pool = self._new_pool(worker_context())
            logger.info("extracting in %d worker processes", self.workers)
        elif self.timeout:
            self._warm()
        self.gc_threshold = gc.get_threshold()
        gc.set_threshold(CRAWL_GC_THRESHOLD, *self.gc_threshold[1:])

    def _warm(self) -> None:
        if not self.warm:
            _warm_worker()
            self.warm = True

    def _new_pool(self, context: BaseContext) -> ProcessPoolExecutor:
        """A pool whose workers start now (a pool starts a worker only for a call that finds
        none idle): the first pages do not wait for them."""
        pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=context,
            initializer=_start_worker,
            initargs=(self.chrome, self.timeout, self.stories),
        )
        for _ in range(self.workers):
            pool.submit(_warm_worker)
        return pool

    def close_spider(self) -> None:
        """Stop the worker pool; count where the pages were cleaned (extract/cleaned/...)."""
        if self.gc_threshold is not None:
            gc.set_threshold(*self.gc_threshold)
            self.gc_threshold = None
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
            logger.info(
                "cleaned %d pages in workers, %d in the crawl process",
                self.cleaned["worker"], self.cleaned["crawl-process"],
            )  # fmt: skip
        if self.stats is not None:
            for where, count in self.cleaned.items():
                self.stats.set_value(f"extract/cleaned/{where}", count)

    async def process_item(self, item):
        """Clean a Page (in a worker when there is a pool, unless it is behind while nothing
        is downloading); pass other items through."""
        if not isinstance(item, Page):
            return item
        printed = None
        if self.pool is not None and (self.in_pool < 2 * self.workers or self.downloading):
            self.cleaned["worker"] += 1
            self.in_pool += 1
            try:
                result, printed = await self._in_pool(item)
            finally:
                self.in_pool -= 1
        else:
            self._warm()
            self.cleaned["crawl-process"] += 1
            result = clean_within(item, self.timeout, _station_chrome(self.chrome, item.station))
        if isinstance(result, tuple):
            kind, message = result
            raise PageRefused(item.url, kind, message)
        if printed is not None and self.signals is not None:
            self.signals.send_catch_log(
                signal=radioscrape_signals.story_printed,
                record=result, printed=printed, options=self.stories,
            )  # fmt: skip
        return result

    async def _in_pool(
        self, page: Page
    ) -> tuple[ArticleRecord | tuple[str, str], StoryPrint | None]:
        """_clean_in_worker in a worker. When a worker dies (killed, or crashed in C code) the pool
        breaks: start a new one and try the page once more there; PageFailed when that worker
        dies too."""
        for _ in range(2):
            pool = self.pool
            try:
                return await asyncio.wrap_future(pool.submit(_clean_in_worker, page))
            except BrokenProcessPool:
                if self.pool is pool:
                    logger.error("an extraction worker died; starting a new pool")
                    pool.shutdown(wait=False, cancel_futures=True)
                    # spawned: a fork now would hand the workers the downloads' open sockets
                    self.pool = self._new_pool(multiprocessing.get_context("spawn"))
        raise PageFailed(page.url, "worker-died", "the extraction worker died twice on this page")

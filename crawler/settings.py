"""Scrapy settings for radioscrape: every RADIOSCRAPE_* setting with its default.

Override any of them with `-s NAME=VALUE` (scrapy) or the matching `radioscrape` option.
"""

BOT_NAME = "radioscrape"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- radioscrape ---------------------------------------------------------------------------
RADIOSCRAPE_CONTACT = "https://github.com/radioscrape/radioscrape"  # who to tell about the bot
RADIOSCRAPE_DB = "radioscrape.db"  # store: a SQLite path or a postgresql:// DSN
RADIOSCRAPE_DB_TIMEOUT = 30.0  # seconds a SQLite write waits for another writer
RADIOSCRAPE_STORE_BATCH = 64  # records written per transaction (SQLite; PostgreSQL: 1)
RADIOSCRAPE_STORE_BATCH_SECONDS = 0.25  # a write waits at most this long for its batch
RADIOSCRAPE_KEEP_PAGES = True  # keep each stored article's fetched HTML (compressed) for reclean
RADIOSCRAPE_LEARN_CHROME = True  # learn each station's repeated lines after a run; clean with them
RADIOSCRAPE_MAX_PAGE_BYTES = 10 * 1024 * 1024  # larger (or larger decompressed) pages are refused
RADIOSCRAPE_SINCE = None  # ISO date: skip articles dated before it (before download if dated)
RADIOSCRAPE_LIMIT = 0  # at most this many (newest) articles per station and run; 0: no limit
RADIOSCRAPE_SCHEDULE_BATCH = 256  # article requests queued at a time (memory flat); 0: all
RADIOSCRAPE_MAX_SECTION_PAGES = 5  # pages of one section listing followed by pagination
RADIOSCRAPE_DISCOVERY_LIMITS = {"documents": 1000, "depth": 6, "sections": 200, "seconds": 600}
# How often known URLs are asked again (crawler.frontier): articles published within
# fresh_days every run, every article at least every revalidate_days, 404/410 after gone_days
# (one step per answer in a row), pages that are not articles every page_days.
RADIOSCRAPE_RECRAWL = {"fresh_days": 14, "revalidate_days": 30, "gone_days": [1, 7, 30],
                       "page_days": 30}  # fmt: skip
RADIOSCRAPE_NOW = ""  # the crawl's clock as an ISO date (tests move it forward); empty: the time
RADIOSCRAPE_REPORT_ENABLED = False  # end-of-run report on stdout (the station spider sets True)
RADIOSCRAPE_REPORT = ""  # also write the end-of-run report as JSON to this path
RADIOSCRAPE_PROGRESS = True  # a live progress line while crawling, when stdout is a terminal
RADIOSCRAPE_REDIS = ""  # redis://HOST:PORT/N: crawl as one of many workers (crawler.distributed)
RADIOSCRAPE_REDIS_LEASE = 30.0  # seconds before a silent worker's requests are re-queued
RADIOSCRAPE_EXTRACT_WORKERS = 0  # clean pages in N worker processes; 0: in the crawl process
RADIOSCRAPE_CLEAN_TIMEOUT = 5.0  # CPU seconds to clean one page (normal: under 0.1), then refused
RADIOSCRAPE_STORY_THRESHOLD = 0.5  # Jaccard similarity of word shingles: one story (stories)
RADIOSCRAPE_STORY_SHINGLE = 4  # words per shingle of a story's body
RADIOSCRAPE_STORY_BANDS = 32  # LSH bands of the MinHash signature (changing it re-keys the index)
RADIOSCRAPE_STORY_ROWS = 4  # MinHash values per band (bands x rows permutations)
RADIOSCRAPE_STORY_MAX_CANDIDATES = 200  # at most this many candidates checked per new article

# --- politeness ----------------------------------------------------------------------------
ADDONS = {
    "crawler.addons.RadioscrapeAddon": 0,  # USER_AGENT and DOWNLOAD_MAXSIZE from the above
    "crawler.addons.DistributedCrawl": 0,  # the scrapy-redis scheduler with RADIOSCRAPE_REDIS
}
ROBOTSTXT_OBEY = True
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsTxtMiddleware": 100,  # fixes concurrent waiters (see module)
    # Scrapy's, refusing with typed exceptions (crawler.middlewares.Refused), not a bare
    # IgnoreRequest whose message would have to be read.
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.MetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.middlewares.HttpCompressionMiddleware": 590,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.RedirectMiddleware": 600,
    "crawler.middlewares.CompressionCheckMiddleware": 595,  # refuses truncated gzip bodies
    "crawler.middlewares.RetryAfterMiddleware": 555,  # waits Retry-After before a retry
}
# Only http(s) is ever fetched: Scrapy's file://, data:, ftp:// and s3:// handlers are off.
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}
LOG_FORMATTER = "crawler.report.ShortLogFormatter"  # a dropped page is logged without its bytes
STATS_CLASS = "crawler.report.StatsCollector"  # Scrapy's, ~15x cheaper a count (see there)
# Scrapy's downloader/* counts (requests, bytes, statuses), read by nothing in radioscrape (the
# report counts pages by station): each request was serialised again to measure its size.
DOWNLOADER_STATS = False
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RADIOSCRAPE_RETRY_AFTER_MAX = 30.0  # wait at most this many seconds for a 429/503 Retry-After
REDIRECT_MAX_TIMES = 5
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
COOKIES_ENABLED = False
# Scrapy extensions radioscrape does not use are off: the telnet console, and the remote
# control endpoint (a localhost HTTP server that runs Python code and keeps token files under
# ~/.local/state/scrapy, which a service user often cannot write). EXTENSIONS_BASE is Scrapy's
# own list without them (tests/test_cli_cron.py compares the two): set to None in EXTENSIONS
# they would still be imported (Scrapy loads every key there to normalise it), and the remote
# control's aiohttp cost ~0.2 s of CPU at every crawl's start. This module imports nothing:
# `radioscrape scrape FILE` reads it without loading Scrapy.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
EXTENSIONS_BASE = {
    f"scrapy.extensions.{path}": 0
    for path in ("corestats.CoreStats", "logcount.LogCount", "memusage.MemoryUsage",
                 "memdebug.MemoryDebugger", "closespider.CloseSpider", "feedexport.FeedExporter",
                 "logstats.LogStats", "spiderstate.SpiderState", "throttle.AutoThrottle")
}  # fmt: skip

# --- items ---------------------------------------------------------------------------------
# Scrapy starts this many tasks for the output of each response (items and requests). Every
# callback gives one item (a Page) or a few requests: one task is enough. The default (100 tasks
# a response) cost a fifth of a crawl's CPU time, 4 tasks ~0.09 ms a response more than one.
CONCURRENT_ITEMS = 1
# Scrapy's check for a callback that is a generator returning a value reads and parses the
# callback's source for every response (its cache is keyed by the short-lived bound method):
# ~0.15 ms a page. It checks the spider's code, which does not change during a crawl.
WARN_ON_GENERATOR_RETURN_VALUE = False
ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 100,
    "pipelines.validate.ValidatePipeline": 200,
    "pipelines.dedup.DedupPipeline": 300,
    "pipelines.store.pipeline.StorePipeline": 400,
}
EXTENSIONS = {
    "crawler.report.CrawlReport": 500,
    "crawler.shutdown.PromptShutdown": 510,  # SIGTERM: in-flight downloads aborted after 3 s
    "pipelines.chrome.ChromeLearner": 520,  # RADIOSCRAPE_LEARN_CHROME: learned after each run
}
COMMANDS_MODULE = "crawler.commands"  # `scrapy crawl` exits with radioscrape's codes
FEED_EXPORT_ENCODING = "utf-8"

LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

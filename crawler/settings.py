"""Scrapy settings for radioscrape: every RADIOSCRAPE_* setting with its default.

Override any of them with `-s NAME=VALUE` (scrapy) or the matching `radioscrape` option.
"""

BOT_NAME = "radioscrape"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- radioscrape ---------------------------------------------------------------------------
RADIOSCRAPE_CONTACT = "https://github.com/radioscrape/radioscrape"  # who to tell about the bot
RADIOSCRAPE_DB = "radioscrape.db"  # store: a SQLite path or a postgresql:// DSN
RADIOSCRAPE_MAX_PAGE_BYTES = 10 * 1024 * 1024  # larger article pages are refused, not parsed

# --- politeness ----------------------------------------------------------------------------
USER_AGENT = f"radioscrape/0.1 (+{RADIOSCRAPE_CONTACT})"
ROBOTSTXT_OBEY = True
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
REDIRECT_MAX_TIMES = 5
DOWNLOAD_MAXSIZE = RADIOSCRAPE_MAX_PAGE_BYTES
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

# --- items ---------------------------------------------------------------------------------
ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 100,
}
FEED_EXPORT_ENCODING = "utf-8"

LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

"""The radioscrape Scrapy add-ons: settings derived from other settings, at crawler start.

No scrapy-redis import here: it is an optional extra (`radioscrape[distributed]`), needed only
when RADIOSCRAPE_REDIS is set (crawler.distributed).
"""

from __future__ import annotations

from functools import cache


@cache
def radioscrape_version() -> str:
    """The installed radioscrape's version ("dev" when it is not installed), looked up once."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("radioscrape")
    except PackageNotFoundError:
        return "dev"


COOKIES_MIDDLEWARE = "scrapy.downloadermiddlewares.cookies.CookiesMiddleware"


class RadioscrapeAddon:
    """Name the project and its contact in the User-Agent and cap page sizes, unless the user
    set USER_AGENT or DOWNLOAD_MAXSIZE themselves (their priority is higher than an add-on's).
    With COOKIES_ENABLED off (radioscrape's default), Scrapy's cookies middleware is left out
    of DOWNLOADER_MIDDLEWARES_BASE: it would only raise NotConfigured, after its import (with
    tldextract, filelock and requests: ~17 ms of CPU at every crawl's start)."""

    def update_settings(self, settings) -> None:
        """Derive USER_AGENT from RADIOSCRAPE_CONTACT and DOWNLOAD_MAXSIZE from
        RADIOSCRAPE_MAX_PAGE_BYTES; drop the cookies middleware when cookies are off."""
        contact = settings.get("RADIOSCRAPE_CONTACT")
        settings.set(
            "USER_AGENT", f"radioscrape/{radioscrape_version()} (+{contact})", priority="addon"
        )
        settings.set(
            "DOWNLOAD_MAXSIZE", settings.getint("RADIOSCRAPE_MAX_PAGE_BYTES"), priority="addon"
        )
        if not settings.getbool("COOKIES_ENABLED"):
            base = settings.getdict("DOWNLOADER_MIDDLEWARES_BASE")
            if base.pop(COOKIES_MIDDLEWARE, None) is not None:
                settings.set("DOWNLOADER_MIDDLEWARES_BASE", base, priority="addon")


KEY_PREFIX = "radioscrape:%(spider)s"  # every key of one crawl starts with this
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")  # what RADIOSCRAPE_REDIS may start with


def crawl_keys(prefix: str) -> dict[str, str]:
    """The Redis keys of one crawl, by role."""
    return {
        role: f"{prefix}:{role}"
        for role in ("requests", "dupefilter", "workers", "leader", "discovered", "inflight:")
    }


class DistributedCrawl:
    """Add-on: with RADIOSCRAPE_REDIS set, crawl through Redis with LeaseScheduler."""

    def update_settings(self, settings) -> None:
        """Switch the scheduler and dupefilter to scrapy-redis when RADIOSCRAPE_REDIS is set."""
        url = settings.get("RADIOSCRAPE_REDIS")
        if not url:
            return
        if not url.startswith(REDIS_SCHEMES):
            raise ValueError(f"RADIOSCRAPE_REDIS is not a redis:// URL: {url}")
        try:
            import scrapy_redis  # noqa: F401
        except ModuleNotFoundError:
            raise ValueError(
                "RADIOSCRAPE_REDIS needs scrapy-redis: pip install 'radioscrape[distributed]'"
            ) from None
        keys = crawl_keys(KEY_PREFIX)
        for name, value in {
            "SCHEDULER": "crawler.distributed.LeaseScheduler",
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "SCHEDULER_QUEUE_KEY": keys["requests"],
            "SCHEDULER_DUPEFILTER_KEY": keys["dupefilter"],
            "REDIS_URL": url,
        }.items():
            settings.set(name, value, priority="addon")

"""Checks made before a crawl fetches anything: every configuration or environment error is
one ConfigError line (the CLI prints it and exits 2), not a traceback half-way through a run."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from crawler.config import ConfigError, check_setting
from crawler.stations import ProfileError
from pipelines.clean.clutter import checked_registry
from pipelines.store import POSTGRES_SCHEMES, open_store


def check_settings(settings: dict) -> None:
    """Every `-s`/config Scrapy setting has a value of its default's type."""
    for name, value in settings.items():
        try:
            check_setting(name, value)
        except ConfigError as exc:
            raise ConfigError(f"setting {exc}") from None


def check_store(db: str) -> None:
    """The store opens (SQLite file creatable, PostgreSQL reachable, schema migrated)."""
    if not db.startswith(POSTGRES_SCHEMES):
        folder = Path(db).expanduser().resolve().parent
        if not folder.is_dir():
            raise ConfigError(f"store {db}: folder {folder} does not exist")
        if Path(db).is_dir():
            raise ConfigError(f"store {db}: is a folder, not a SQLite file")
    try:
        open_store(db).close()
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"store {db}: needs {exc.name}: pip install 'radioscrape[postgres]'"
        ) from None
    except (OSError, sqlite3.Error, NotImplementedError) as exc:
        from crawler.config import mask

        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"store {mask(db)}: {reason}") from None


def check_report(path: str | None) -> None:
    """The JSON report can be written where asked (its folder exists and is writable)."""
    if not path:
        return
    target = Path(path).expanduser()
    folder = target.resolve().parent
    if target.is_dir():
        raise ConfigError(f"report {path}: is a folder")
    if not folder.is_dir():
        raise ConfigError(f"report {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise ConfigError(f"report {path}: not writable")


def check_redis(url: str | None, timeout: float = 5.0) -> None:
    """The Redis server of a distributed crawl answers a PING."""
    if not url:
        return
    from crawler.config import mask

    try:
        import redis
        import scrapy_redis  # noqa: F401  (the scheduler the crawl will use)
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"--redis needs {exc.name}: pip install 'radioscrape[distributed]'"
        ) from None
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, ValueError, OSError) as exc:
        raise ConfigError(f"redis {mask(url)}: {str(exc).splitlines()[0]}") from None


def check_discovery_limits(value: dict) -> None:
    """RADIOSCRAPE_DISCOVERY_LIMITS names known bounds, with numbers."""
    from crawler.discovery import DiscoveryLimits

    try:
        DiscoveryLimits.from_setting(value)
    except ValueError as exc:
        raise ConfigError(f"setting RADIOSCRAPE_DISCOVERY_LIMITS: {exc}") from None


def check_recrawl(policy: dict, now: str | None) -> None:
    """RADIOSCRAPE_RECRAWL names known keys, with numbers; RADIOSCRAPE_NOW is an ISO date."""
    from crawler.frontier import RecrawlPolicy, crawl_clock

    for name, check in (("RECRAWL", lambda: RecrawlPolicy.from_setting(policy)),
                        ("NOW", lambda: crawl_clock(now))):  # fmt: skip
        try:
            check()
        except ValueError as exc:
            raise ConfigError(f"setting RADIOSCRAPE_{name}: {exc}") from None


def check_targets(spider_kwargs: dict) -> None:
    """The stations and URLs the crawl will use are valid: their profiles load (with no
    station named, every profile must), the URLs are http(s); the cleaner takes their own
    clutter rules."""
    from crawler.spiders.station import build_targets

    try:
        targets = build_targets(**spider_kwargs)
        stations = checked_registry()
        for target in targets:
            if target.station:
                stations.get(target.station)
        if not any(spider_kwargs.get(k) for k in ("station", "url", "mirrors")):
            stations.require_all()
    except ProfileError as exc:
        raise ConfigError(f"invalid station profile: {exc}") from None
    except (KeyError, ValueError) as exc:
        raise ConfigError(str(exc.args[0] if exc.args else exc)) from None


def preflight(settings, spider_kwargs: dict, given: dict | None = None) -> None:
    """Every check, cheapest first, on the crawl's final Scrapy `settings`; `given`: the
    settings the user set (`-s`, config), whose types are checked first."""
    check_settings(given or {})
    check_targets(spider_kwargs)
    check_discovery_limits(settings.getdict("RADIOSCRAPE_DISCOVERY_LIMITS"))
    check_recrawl(settings.getdict("RADIOSCRAPE_RECRAWL"), settings.get("RADIOSCRAPE_NOW"))
    check_report(settings.get("RADIOSCRAPE_REPORT") or None)
    check_redis(settings.get("RADIOSCRAPE_REDIS") or None)
    check_store(str(settings.get("RADIOSCRAPE_DB")))

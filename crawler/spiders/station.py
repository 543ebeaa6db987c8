"""StationSpider: discover a station's articles and fetch only the new or changed ones.

Two phases. Discovery fetches robots.txt, sitemaps (indexes, news sitemaps), feeds and section
listings (with pagination) and collects candidate article URLs with the best date any source
gives. When discovery is done (spider_idle), each candidate is checked against the store's
fetch state: unchanged ones (same or older lastmod) are not requested, others are requested
with If-None-Match / If-Modified-Since when the store has validators. `--since` and `--limit`
apply before any article is downloaded. Fetched articles are yielded as Page items.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar
from urllib.parse import urlsplit, urlunsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.discovery import (
    DiscoveryError,
    Link,
    kind_of,
    parse_date,
    parse_feed,
    parse_listing,
    parse_sitemap,
    robots_sitemaps,
    xml_fault,
)
from crawler.spiders.page import error_kind, response_to_page
from crawler.stations import StationProfile, parse_profile, registry
from pipelines.clean.urls import canonicalize, is_http_url, url_key
from pipelines.store import open_store
from pipelines.store.base import FetchState, utc_iso

STATION_META = "radioscrape_station"  # every request: the station label its stats go under
ARTICLE_META = "radioscrape_article"  # article requests: an ArticleFetch
GENERIC_EXCLUDE = [
    r"\.(css|js|json|xml|rss|png|jpe?g|gif|svg|webp|ico|pdf|mp3|mp4|zip)$",
    r"^/(tags?|authors?|category|categories|search|page|feed|wp-[a-z]+|cms|static|assets"
    r"|members|account|login|contests?|schedule)(/|$)",
]
_OLDEST = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class ArticleFetch:
    """What an article request tells the pipelines: station, identity, source date, last state."""

    station: str
    key: str
    lastmod: str | None
    previous: FetchState | None


@dataclass(frozen=True)
class Target:
    """One site to crawl: a station profile (or a generic one), optionally on a local mirror."""

    label: str  # the station key, or the host (without www.) of a site with no profile
    profile: StationProfile
    station: str | None  # Page.station: the profile key; None for a site with no profile
    origin: str | None  # scheme://host:port every URL of the site is fetched from, if any

    def localize(self, url: str) -> str | None:
        """The URL to request for a link of this site (mirror origin or canonical host,
        tracking parameters dropped), or None when the link is not this site's."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        origin = urlsplit(self.origin) if self.origin else None
        if origin and (host in self.profile.domains or parts.netloc == origin.netloc):
            scheme, netloc = origin.scheme, origin.netloc
        elif host in self.profile.domains:
            scheme, netloc = parts.scheme, self.profile.canonical_host
        else:
            return None
        query = urlsplit(canonicalize(url)).query
        return urlunsplit((scheme, netloc, parts.path or "/", query, ""))

    def sources(self) -> list[tuple[str, str]]:
        """The discovery URLs to start from, each with its role."""
        home = self.localize(self.profile.home) or self.profile.home
        found = [(urlunsplit(urlsplit(home)._replace(path="/robots.txt", query="")), "robots")]
        if self.station is None:
            return [*found, (home, "home")]
        src = self.profile.sources
        for role, urls in (
            ("sitemap", src.sitemaps),
            ("feed", src.feeds),
            ("section", src.sections),
        ):
            found += [(self.localize(u) or u, role) for u in urls]
        return found


def _parent(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[0] + ("/" if path.endswith("/") else "")


def generic_target(url: str) -> Target:
    """A target for a site with no profile: sitemaps from robots.txt, feeds and sections from
    its home page, generic article URL rules."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    bare = host.removeprefix("www.")
    profile = parse_profile(
        {
            "key": "generic",
            "name": bare,
            "domains": [host] + ([bare] if bare != host else []),
            "home": url,
            "urls": {"exclude": GENERIC_EXCLUDE},
        }
    )
    return Target(bare, profile, None, f"{parts.scheme}://{parts.netloc}")


def build_targets(
    station: str | None = None, url: str | None = None, mirrors: str | None = None
) -> list[Target]:
    """Targets from the spider arguments: `station` (comma-separated keys; default all),
    `url` (a site, or with one station a local mirror of it), `mirrors` ('KEY=URL,...')."""
    keys = [k.strip() for k in (station or "").split(",") if k.strip()]
    pairs = dict(p.split("=", 1) for p in (mirrors or "").split(",") if p.strip())
    if url and len(keys) == 1:
        pairs[keys.pop()] = url
        url = None
    elif url and keys:
        raise ValueError("a URL goes with at most one station (the station it mirrors)")
    bad = [u for u in [*pairs.values(), url] if u is not None and not is_http_url(u)]
    if bad:
        raise ValueError(f"only http(s) URLs can be crawled: {', '.join(bad)}")
    targets = []
    for key, origin in pairs.items():
        profile = registry().get(key)
        parts = urlsplit(origin)
        targets.append(Target(key, profile, key, f"{parts.scheme}://{parts.netloc}"))
    if url:
        profile = registry().for_url(url)
        targets.append(Target(profile.key, profile, profile.key, None) if profile else
                       generic_target(url))  # fmt: skip
    targets += [Target(k, registry().get(k), k, None) for k in keys]
    return targets or [Target(p.key, p, p.key, None) for p in registry()]


def is_unchanged(date: datetime | None, state: FetchState | None) -> bool:
    """Whether a source's date says the page is unchanged since its stored fetch."""
    if date is None or state is None or state.lastmod is None:
        return False
    return state.last_status in (200, 304) and date <= datetime.fromisoformat(state.lastmod)


def conditional_headers(state: FetchState | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from the stored validators."""
    headers = {}
    if state and state.etag:
        headers["If-None-Match"] = state.etag
    if state and state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


def failure_kind(failure) -> str:
    """A short name for a failed request: http-<status>, dns, timeout, refused, robots, ..."""
    if failure.check(HttpError):
        return f"http-{failure.value.response.status}"
    return error_kind(failure)


class StationSpider(scrapy.Spider):
    """`scrapy crawl station [-a station=KEY[,KEY]] [-a url=URL] [-a mirrors=KEY=URL,...]`."""

    name = "station"
    custom_settings: ClassVar[dict] = {"RADIOSCRAPE_REPORT_ENABLED": True}

    def __init__(
        self,
        station: str | None = None,
        url: str | None = None,
        mirrors: str | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.targets = build_targets(station, url, mirrors)
        self.candidates: list[dict[str, Link]] = [{} for _ in self.targets]
        self.fetching = False
        self.pending: deque[tuple[int, Link]] = deque()  # selected articles not yet scheduled
        self.batch: int | None = 256  # RADIOSCRAPE_SCHEDULE_BATCH; None: every article at once
        self.since: datetime | None = None
        self.limit: int | None = None
        self.max_section_pages = 5
        self.db = ""

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        """Read the RADIOSCRAPE_* crawl settings; run the fetch phase when discovery is idle."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.since = parse_date(settings.get("RADIOSCRAPE_SINCE"))
        spider.limit = settings.getint("RADIOSCRAPE_LIMIT") or None
        spider.max_section_pages = settings.getint("RADIOSCRAPE_MAX_SECTION_PAGES")
        spider.db = settings.get("RADIOSCRAPE_DB")
        spider.batch = settings.getint("RADIOSCRAPE_SCHEDULE_BATCH") or None
        if settings.get("RADIOSCRAPE_REDIS"):  # the leader shares every article at once
            spider.batch = None
        crawler.signals.connect(spider.discovery_done, signal=signals.spider_idle)
        crawler.signals.connect(spider.top_up, signal=signals.request_left_downloader)
        crawler.signals.connect(spider.refuse_offsite, signal=signals.request_scheduled)
        crawler.signals.connect(spider.redirect_dropped, signal=signals.request_dropped)
        return spider

    def _inc(self, label: str, name: str, count: int = 1) -> None:
        self.crawler.stats.inc_value(f"radioscrape/{label}/{name}", count)

    async def start(self):
        """The discovery requests of every target."""
        self.crawler.stats.set_value("radioscrape/stations", [t.label for t in self.targets])
        for index, target in enumerate(self.targets):
            self._inc(target.label, "discovered", 0)
            for url, role in target.sources():
                yield self.discovery_request(index, url, role)

    def discovery_request(
        self, index: int, url: str, role: str, page: int = 1, via: tuple[str, ...] = ()
    ) -> scrapy.Request:
        """A request for a robots.txt, sitemap, feed, home or section page (`via`: the sitemap
        indexes that led to a sitemap)."""
        return scrapy.Request(
            url,
            callback=self.parse_discovery,
            errback=self.failed,
            priority=10,
            meta={STATION_META: self.targets[index].label, "target": index, "role": role,
                  "page": page, "via": via},
        )  # fmt: skip

    def parse_discovery(self, response):
        """Collect candidates from one discovery page; follow sitemaps, feeds and next pages."""
        index, role = response.meta["target"], response.meta["role"]
        target = self.targets[index]
        if role == "robots":
            for url in robots_sitemaps(response.body):
                if local := target.localize(url):
                    yield self.discovery_request(index, local, "sitemap")
            return
        try:
            kind = kind_of(response.body)
            if kind != "html" and (fault := xml_fault(response.body)):
                self._inc(target.label, f"errors/{fault}-{role}")
                self.logger.warning("%s: %s %s", response.url, fault, role)
                if fault == "entities":
                    return
            if kind == "sitemap":
                sitemap = parse_sitemap(response.body)
                if sitemap.is_index:
                    via = (*response.meta.get("via", ()), response.url)
                    for link in sitemap.links:
                        local = target.localize(link.url)
                        if local in via:
                            self._inc(target.label, "filtered/sitemap-loop")
                        elif local and not (self.since and link.date and link.date < self.since):
                            yield self.discovery_request(index, local, "sitemap", via=via)
                    return
                links = sitemap.links
            elif kind == "feed":
                links = parse_feed(response.body, response.url)
            else:
                links = list(self.follow_listing(index, response))
        except DiscoveryError as exc:
            self._inc(target.label, f"errors/unreadable-{role}")
            self.logger.warning("%s: unreadable %s: %s", response.url, role, exc)
            return
        for link in links:
            if isinstance(link, scrapy.Request):
                yield link
            else:
                self.add_candidate(index, link)

    def follow_listing(self, index: int, response):
        """Links of a home or section page as candidates; requests for its next pages and,
        on a home page, for the feeds it advertises and the sections its articles sit in."""
        target = self.targets[index]
        listing = parse_listing(response.body, response.url)
        articles = [
            u for u in listing.links
            if u not in listing.next_pages and target.profile.is_article_url(u)
        ]  # fmt: skip
        yield from (Link(u) for u in articles)
        if response.meta["page"] < self.max_section_pages:
            for url in listing.next_pages:
                if local := target.localize(url):
                    yield self.discovery_request(index, local, "section", response.meta["page"] + 1)
        if response.meta["role"] != "home":
            return
        for url in listing.feeds:
            if local := target.localize(url):
                yield self.discovery_request(index, local, "feed")
        sections = {
            urlunsplit(urlsplit(u)._replace(path=_parent(urlsplit(u).path), query=""))
            for u in articles
        }
        for url in sorted(sections):
            if (local := target.localize(url)) and urlsplit(local).path not in ("", "/"):
                yield self.discovery_request(index, local, "section")

    def add_candidate(self, index: int, link: Link) -> None:
        """Keep a discovered article URL once per story, with the newest date seen for it."""
        target = self.targets[index]
        local = target.localize(link.url)
        if local is None or not target.profile.is_article_url(local):
            return
        key = url_key(local)
        known = self.candidates[index].get(key)
        if known is None:
            self._inc(target.label, "discovered")
        if known is None or (link.date and (known.date is None or link.date > known.date)):
            self.candidates[index][key] = Link(local, link.date)

    def selected(self, index: int) -> list[Link]:
        """The candidates to consider: --since drops older dated ones, --limit keeps the newest."""
        label = self.targets[index].label
        links = list(self.candidates[index].values())
        if self.since:
            kept = [link for link in links if not (link.date and link.date < self.since)]
            self._inc(label, "filtered/since", len(links) - len(kept))
            links = kept
        links.sort(key=lambda link: (link.date is not None, link.date or _OLDEST, link.url))
        links.reverse()
        if self.limit and len(links) > self.limit:
            self._inc(label, "filtered/limit", len(links) - self.limit)
            links = links[: self.limit]
        return links

    def discovery_done(self) -> None:
        """When discovery is idle: select the articles (once) and schedule their requests."""
        if not self.fetching:
            self.fetching = True
            for index in range(len(self.targets)):
                self.pending.extend((index, link) for link in self.selected(index))
                self.candidates[index] = {}
        if self.schedule_articles():
            raise DontCloseSpider

    def top_up(self) -> None:
        """When a request leaves the downloader: refill the scheduler once it is half empty."""
        if self.batch and self.pending and len(self.crawler.engine.scheduler) < self.batch // 2:
            self.schedule_articles()

    def schedule_articles(self) -> bool:
        """Schedule pending articles until the scheduler holds a batch of requests (all of
        them with no batch); whether any request was scheduled."""
        engine, scheduled = self.crawler.engine, False
        while self.pending:
            room = self.batch - len(engine.scheduler) if self.batch else len(self.pending)
            if room <= 0:
                break
            for request in self.article_requests(room):
                engine.crawl(request)
                scheduled = True
        return scheduled

    def article_requests(self, count: int) -> list[scrapy.Request]:
        """Requests for the next `count` pending articles, except those the store knows to be
        unchanged."""
        chosen = [self.pending.popleft() for _ in range(min(count, len(self.pending)))]
        with open_store(self.db) as store:
            states = store.fetch_states([url_key(link.url) for _, link in chosen])
        requests = []
        for index, link in chosen:
            target = self.targets[index]
            key = url_key(link.url)
            state = states.get(key)
            if is_unchanged(link.date, state):
                self._inc(target.label, "unchanged")
                continue
            fetch = ArticleFetch(target.label, key, utc_iso(link.date), state)
            request = scrapy.Request(
                link.url,
                callback=self.parse_article,
                errback=self.failed,
                headers=conditional_headers(state),
                meta={STATION_META: target.label, ARTICLE_META: fetch,
                      "target": index, "handle_httpstatus_list": [304]},
            )  # fmt: skip
            requests.append(request)
        return requests

    def parse_article(self, response):
        """Yield the fetched article as a Page; a 304 means unchanged."""
        fetch: ArticleFetch = response.meta[ARTICLE_META]
        if response.status == 304:
            self._inc(fetch.station, "unchanged")
            return
        if self.targets[response.meta["target"]].localize(response.url) is None:
            self._inc(fetch.station, "errors/offsite-redirect")
            self.logger.warning("%s: redirected off the site to %s", fetch.key, response.url)
            return
        yield response_to_page(response, self.targets[response.meta["target"]].station)

    def refuse_offsite(self, request) -> None:
        """Count and refuse (before it is fetched) an article request redirected off its site;
        the engine drops a request a request_scheduled handler ignores."""
        target = self.targets[request.meta["target"]] if ARTICLE_META in request.meta else None
        if target and target.localize(request.url) is None:
            self._inc(target.label, "errors/offsite-redirect")
            first = request.meta.get("redirect_urls", ["?"])[0]
            self.logger.warning("%s: redirected off the site to %s", first, request.url)
            raise IgnoreRequest(f"offsite redirect to {request.url}")

    def redirect_dropped(self, request) -> None:
        """Count a redirect of an article that the duplicate filter dropped: back to a URL of
        its own chain (a redirect loop), or to a URL this run requested already."""
        chain = request.meta.get("redirect_urls")
        if ARTICLE_META not in request.meta or not chain:
            return
        if request.url in chain:
            self._inc(request.meta[STATION_META], "errors/redirect-loop")
            self.logger.warning("%s: redirect loop at %s", chain[0], request.url)
        else:  # a routine duplicate: the target is fetched by its own request
            self._inc(request.meta[STATION_META], "filtered/redirect-duplicate")
            self.logger.debug("%s: redirected to %s, fetched already", chain[0], request.url)

    def failed(self, failure):
        """Count a failed request under its station (a missing robots.txt is no failure)."""
        request = failure.request
        label = request.meta[STATION_META]
        kind = failure_kind(failure)
        if request.meta.get("role") == "robots":
            return
        if kind == "robots":
            self._inc(label, "filtered/robots")
            return
        self._inc(label, f"errors/{kind}")
        self.logger.warning("%s: %s (%s)", request.url, kind, failure.getErrorMessage())

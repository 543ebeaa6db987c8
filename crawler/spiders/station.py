"""StationSpider: discover a station's articles and fetch only the new or changed ones.

Discovery fetches robots.txt, sitemaps (indexes, news sitemaps), feeds and section listings
(with pagination) and collects candidate article URLs with the best date any source gives,
within the bounds of RADIOSCRAPE_DISCOVERY_LIMITS, into a temporary file (Candidates: memory
stays flat). Articles are fetched while discovery goes on: as each discovery document is read,
the candidates found so far (and the stored URLs the frontier says are due) are taken, a batch
at a time. With --limit, which keeps the newest of all, a station's articles wait for its own
discovery to end; with RADIOSCRAPE_REDIS, for the crawl to be idle. The frontier
(crawler/frontier.py) decides for each candidate whether and how it is requested. `--since` and
`--limit` apply before any article is downloaded. Fetched articles are yielded as Page items.

Every candidate ends in exactly one report column under its station: new, updated, unchanged,
refused/<kind>, dropped/<reason>, filtered/<reason> or errors/<kind>. What discovery itself
fetched is counted apart, under discovery/: documents, errors/<kind> for a document the site
named (robots.txt, a profile, a link), probed/<outcome> for one the crawler guessed (the
parent of an article URL, a conventional sitemap location), filtered/<why> and cut/<bound>.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import ClassVar
from urllib.parse import urlsplit, urlunsplit

import scrapy
from scrapy import signals
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.exceptions import DontCloseSpider
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.discovery import (
    Candidates,
    DiscoveryBudget,
    DiscoveryError,
    DiscoveryLimits,
    Link,
    TooLarge,
    gunzip_body,
    kind_of,
    parse_feed,
    parse_listing,
    parse_sitemap,
    robots_sitemaps,
    xml_fault,
)
from crawler.frontier import (
    FILTERED_PAGE,
    RECHECKS,
    Frontier,
    RecrawlPolicy,
    Visit,
    conditional_headers,
    crawl_clock,
)
from crawler.middlewares import StationOffsiteMiddleware, is_private_host
from crawler.spiders.page import error_kind
from crawler.stations import StationProfile, parse_profile, registry
from pipelines.core import signals as radioscrape_signals
from pipelines.core.dates import parse_date, utc_iso
from pipelines.core.fetch import ARTICLE_META, DISCOVERY, PAGE, STATION_META, ArticleFetch
from pipelines.core.items import ArticleRecord, response_to_page
from pipelines.core.refusals import refusal
from pipelines.core.stats import STATIONS, inc_stat
from pipelines.core.urls import canonicalize, is_http_url, url_key
from pipelines.store import open_store
from pipelines.validate import PageFailed

GENERIC_EXCLUDE = [
    r"\.(css|js|json|xml|rss|png|jpe?g|gif|svg|webp|ico|pdf|mp3|mp4|zip)$",
    r"^/(tags?|authors?|category|categories|search|page|feed|wp-[a-z]+|cms|static|assets"
    r"|members|account|login|contests?|schedule)(/|$)",
]
# Where a site with no profile and no Sitemap: line in robots.txt may keep its sitemap.
CONVENTIONAL_SITEMAPS = ("/sitemap.xml", "/sitemap_index.xml")
READ_CHUNK = 1000  # article links of a discovery document kept between turns of the event loop
UNBATCHED_CHUNK = (
    1000  # with no batch (a distributed crawl), articles are queued this many at a time
)


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
        query = urlsplit(canonicalize(url)).query if parts.query else ""
        return urlunsplit((scheme, netloc, parts.path or "/", query, ""))

    def lives_at(self, url: str) -> bool:
        """Whether a URL is on this station's mirror (the one address it may have that is
        private)."""
        return (
            bool(self.origin)
            and urlsplit(url).netloc.lower() == urlsplit(self.origin).netloc.lower()
        )

    def owns(self, url: str) -> bool:
        """Whether a URL is on this station's own hosts: its mirror's origin, or one of its
        domains (never a private or link-local address unless the mirror lives there)."""
        if self.lives_at(url):
            return True
        host = (urlsplit(url).hostname or "").lower()
        return host in self.profile.domains and not is_private_host(host)

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
    named = not is_private_host(bare) and not bare.replace(".", "").isdigit()
    domains = dict.fromkeys([host, bare, *([f"www.{bare}"] if named else [])])
    profile = parse_profile(
        {
            "key": "generic",
            "name": bare,
            "domains": list(domains),
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
        self.candidates: Candidates  # opened when the crawl starts, closed when it ends
        # keys requested or read as home/section pages: fetched again as articles
        self.listings: list[set[str]] = [set() for _ in self.targets]
        self.budgets: list[DiscoveryBudget] = []
        self.limits = DiscoveryLimits()
        self.discovering = [0] * len(self.targets)  # discovery requests not yet answered
        self.selected_targets: set[int] = set()  # targets whose articles are being fetched
        self.fetch_early = True  # fetch a target's articles before the whole crawl is idle
        self.pending: deque[tuple[int, Iterator[Link]]] = deque()  # selected, not scheduled
        self.streaming: set[int] = set()  # targets whose articles are fetched as found
        self.left_out: set[int] = set()  # targets some of whose URLs --limit left out
        # stations with a page that failed for a reason outside it (PageFailed: a store error,
        # a dead worker): it has no fetch state, so a 304 next run must not hide its URL
        self.unhandled: set[str] = set()
        self.batch: int | None = 256  # RADIOSCRAPE_SCHEDULE_BATCH; None: every article at once
        self.since: datetime | None = None
        self.limit: int | None = None
        self.max_section_pages = 5
        self.max_size = 0  # DOWNLOAD_MAXSIZE: a gzipped sitemap's cap once decompressed
        self.db = ""
        self.policy = RecrawlPolicy()
        self.now = ""  # RADIOSCRAPE_NOW: the crawl's clock (empty: the time)
        self.frontier: Frontier  # opened by from_crawler, closed when the crawl ends
        self.reading = asyncio.Lock()  # one discovery document read at a time

    @classmethod
    def update_settings(cls, settings) -> None:
        """Put the station offsite policy in place of Scrapy's OffsiteMiddleware (at the
        spider's priority, as custom_settings would, so that project settings keep it)."""
        super().update_settings(settings)
        middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
        middlewares.update({OffsiteMiddleware: None, StationOffsiteMiddleware: 50})
        settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority="spider")

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        """Read the RADIOSCRAPE_* crawl settings; fetch a station's articles when its discovery
        is done (all of them when the crawl is idle)."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.since = parse_date(settings.get("RADIOSCRAPE_SINCE"))
        spider.limit = settings.getint("RADIOSCRAPE_LIMIT") or None
        spider.max_section_pages = settings.getint("RADIOSCRAPE_MAX_SECTION_PAGES")
        spider.limits = DiscoveryLimits.from_setting(
            settings.getdict("RADIOSCRAPE_DISCOVERY_LIMITS")
        )
        spider.db = settings.get("RADIOSCRAPE_DB")
        spider.policy = RecrawlPolicy.from_setting(settings.getdict("RADIOSCRAPE_RECRAWL"))
        spider.now = settings.get("RADIOSCRAPE_NOW") or ""
        # Opened here, before the scheduler: a distributed leader that waited for the store's
        # migration lock after taking the lead would lose its lease (and discovery would run
        # twice).
        spider.frontier = Frontier(open_store(spider.db), spider.policy, crawl_clock(spider.now))
        spider.batch = settings.getint("RADIOSCRAPE_SCHEDULE_BATCH") or None
        if settings.get("RADIOSCRAPE_REDIS"):  # the leader shares every article at once
            spider.batch = None
            spider.fetch_early = False
        crawler.signals.connect(spider.discovery_done, signal=signals.spider_idle)
        crawler.signals.connect(spider.top_up, signal=signals.request_left_downloader)
        crawler.signals.connect(spider.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(spider.offsite_refused, signal=radioscrape_signals.request_offsite)
        crawler.signals.connect(spider.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(spider.item_dropped, signal=signals.item_dropped)
        return spider

    async def start(self):
        """The discovery requests of every target."""
        self.crawler.stats.set_value(STATIONS, [t.label for t in self.targets])
        # Read now: the radioscrape add-on sets it after the spider is built.
        self.max_size = self.crawler.settings.getint("DOWNLOAD_MAXSIZE")
        self.budgets = [DiscoveryBudget(self.limits) for _ in self.targets]
        self.candidates = Candidates()
        requests = []  # all made first: a target's discovery is not done before it starts
        for index, target in enumerate(self.targets):
            inc_stat(self.crawler.stats, target.label, "discovered", 0)
            requests += [self.discovery_request(index, url, role) for url, role in target.sources()]
        if self.fetch_early and not self.limit:  # --limit keeps the newest: after discovery
            for index in range(len(self.targets)):
                self.stream_articles(index)
        for request in requests:
            yield request

    def closed(self, reason: str) -> None:
        """Delete the candidates' file; let the frontier keep the validators of the discovery
        documents of each target whose every URL was taken and handled (a run that finished,
        nothing left out by --limit, no page failed for a reason outside it; --since is the
        run's scope, as for the child sitemaps it skips); close the frontier's store."""
        if hasattr(self, "candidates"):
            self.candidates.close()
        if not hasattr(self, "frontier"):
            return
        waiting = self.streaming | {index for index, _ in self.pending}
        if reason == "finished":
            for index, target in enumerate(self.targets):
                if index not in self.left_out | waiting and target.label not in self.unhandled:
                    self.frontier.confirm_documents(target.label)
        self.frontier.store.close()

    def discovery_request(
        self,
        index: int,
        url: str,
        role: str,
        page: int = 1,
        via: tuple[str, ...] = (),
        depth: int = 0,
        guess: bool = False,
        lastmod: datetime | None = None,
    ) -> scrapy.Request | None:
        """A request for a robots.txt, sitemap, feed, home or section page, or None when a
        bound of the station's discovery is reached. `via`: the sitemap indexes that led to a
        sitemap; `depth`: hops from a start document; `guess`: a URL the site did not name;
        `lastmod`: a child sitemap's date in its index. Conditional when the store has the
        document's validators (the frontier keeps them only for documents a 304 hides
        nothing of, once a run took every URL they listed). A home or section page is asked
        once per run whatever else asked for its URL (dont_filter: an article request made
        first would filter it and its links would go unread); a page asked as a listing
        already is not asked again."""
        label = self.targets[index].label
        budget = self.budgets[index]
        listing = role in ("home", "section")
        if listing and url_key(url) in self.listings[index]:
            self.logger.debug("%s: not fetched, asked as a listing already", url)
            return None
        if depth and (bound := budget.bound_passed(role, depth)):
            inc_stat(self.crawler.stats, label, f"discovery/cut/{bound}")
            self.logger.debug("%s: not fetched, discovery %s bound reached", url, bound)
            return None
        budget.spend(role)
        self.discovering[index] += 1
        if listing:  # its article request may be made before it is read
            self.listings[index].add(url_key(url))
        state = self.frontier.document_state(url)
        known = state if state is not None and state.kind == DISCOVERY else None
        return scrapy.Request(
            url,
            callback=self.parse_discovery,
            errback=self.failed,
            priority=10,
            dont_filter=listing,
            headers=conditional_headers(known),
            meta={STATION_META: label, "target": index, "role": role, "page": page,
                  "via": via, "depth": depth, "guess": guess, "lastmod": lastmod,
                  "state": known, "handle_httpstatus_list": [304]},
        )  # fmt: skip

    def probe_sitemaps(self, index: int):
        """Requests for the conventional sitemap locations of a site with no profile."""
        if self.targets[index].station is not None:
            return
        home = self.targets[index].localize(self.targets[index].profile.home) or ""
        for path in CONVENTIONAL_SITEMAPS:
            url = urlunsplit(urlsplit(home)._replace(path=path, query=""))
            if request := self.discovery_request(index, url, "sitemap", depth=1, guess=True):
                yield request

    def _discovery_problem(self, response, name: str) -> None:
        """Count a discovery document that could not be used: an error when the site named
        it, a probe outcome when the crawler guessed it."""
        group = "probed" if response.meta.get("guess") else "errors"
        inc_stat(self.crawler.stats, response.meta[STATION_META], f"discovery/{group}/{name}")
        log = self.logger.debug if group == "probed" else self.logger.warning
        log("%s: %s", response.url, name)

    def discovery_answered(self, index: int) -> None:
        """One discovery request of a target has its outcome (after the requests it led to
        were made). The articles it found are scheduled at once (with --limit, which keeps
        the newest of all, only when the target's discovery is done)."""
        self.discovering[index] -= 1
        if not self.fetch_early:
            return
        if self.limit and not self.discovering[index]:
            self.fetch_articles(index)
        self.schedule_articles()

    async def parse_discovery(self, response):
        """Read one discovery document (see read_discovery) and keep the article links it
        gives, then count it answered. One document at a time, and the event loop runs every
        READ_CHUNK links: a sitemap of 50,000 URLs costs seconds of CPU, and downloads in flight
        would time out while a row of them held the loop. Once the crawl is stopping (SIGTERM),
        the documents not read yet are left to the next run."""
        index = response.meta["target"]
        async with self.reading:
            try:
                if not self.crawler.engine.running:
                    label = self.targets[index].label
                    inc_stat(self.crawler.stats, label, "discovery/cut/shutdown")
                    return
                for count, output in enumerate(self.read_discovery(response), 1):
                    if not isinstance(output, Link):
                        yield output
                        continue
                    self.add_candidate(index, output)
                    if count % READ_CHUNK == 0:
                        await asyncio.sleep(0)
            finally:
                self.discovery_answered(index)

    def read_discovery(self, response):
        """Read one discovery page: requests for the sitemaps, feeds and next pages it leads
        to, and its article links (Link)."""
        index, role = response.meta["target"], response.meta["role"]
        target = self.targets[index]
        depth = response.meta["depth"] + 1
        inc_stat(self.crawler.stats, target.label, "discovery/documents")
        if response.status == 304:  # as when last read: a run took every link it gave
            inc_stat(self.crawler.stats, target.label, "discovery/unchanged/not-modified")
            self.frontier.remember_not_modified(response.meta["state"], response.meta["lastmod"])
            return
        if role == "robots":
            self.frontier.remember_document(target.label, response, None, leaf=False)
            sitemaps = [u for u in map(target.localize, robots_sitemaps(response.body)) if u]
            for url in sitemaps:
                if request := self.discovery_request(index, url, "sitemap", depth=depth):
                    yield request
            if not sitemaps:
                yield from self.probe_sitemaps(index)
            return
        try:
            body = gunzip_body(response.body, self.max_size)
            kind = kind_of(body)
            if response.meta["guess"] and role == "sitemap" and kind != "sitemap":
                self._discovery_problem(response, "not-a-sitemap")
                return
            if kind != "html" and (fault := xml_fault(body)):
                self._discovery_problem(response, f"{fault}-{role}")
                if fault == "entities":
                    return
            leaf = role == "section" or kind == "feed"
            if kind == "sitemap":
                sitemap = parse_sitemap(body)
                leaf = not sitemap.is_index
                if sitemap.is_index:
                    self.remember_document(index, response, leaf)
                    yield from self.follow_index(index, response, sitemap.links, depth)
                    return
                links = sitemap.links
            elif kind == "feed":
                links = parse_feed(body, response.url)
            else:
                links = list(self.follow_listing(index, response, depth))
        except TooLarge as exc:
            self._discovery_problem(response, f"too-large-{role}")
            self.logger.debug("%s: %s", response.url, exc)
            return
        except DiscoveryError as exc:
            self._discovery_problem(response, f"unreadable-{role}")
            self.logger.debug("%s: %s", response.url, exc)
            return
        self.remember_document(index, response, leaf)
        yield from links

    def remember_document(self, index: int, response, leaf: bool) -> None:
        """Let the frontier keep what a discovery document answered."""
        if response.status == 200:
            self.frontier.remember_document(
                self.targets[index].label, response, response.meta.get("lastmod"), leaf
            )

    def follow_index(self, index: int, response, links: list[Link], depth: int):
        """Requests for the child sitemaps of a sitemap index (not those that loop back, nor
        those whose lastmod in the index says they are as they were last read)."""
        target = self.targets[index]
        via = (*response.meta.get("via", ()), response.url)
        for link in links:
            local = target.localize(link.url)
            if local in via:
                inc_stat(self.crawler.stats, target.label, "discovery/filtered/sitemap-loop")
            elif local and self.frontier.child_unchanged(local, link.date):
                inc_stat(self.crawler.stats, target.label, "discovery/unchanged/sitemap-lastmod")
            elif local and not (self.since and link.date and link.date < self.since):
                request = self.discovery_request(
                    index, local, "sitemap", via=via, depth=depth, lastmod=link.date
                )
                if request:
                    yield request

    def follow_listing(self, index: int, response, depth: int):
        """Links of a home or section page as candidates; requests for its next pages and,
        on a home page, for the feeds it advertises and (guessed) the sections its articles
        sit in."""
        target = self.targets[index]
        self.listings[index].add(url_key(response.url))
        listing = parse_listing(response.body, response.url)
        next_pages = set(listing.next_pages)
        articles = [
            u for u in listing.links if u not in next_pages and target.profile.is_article_url(u)
        ]
        yield from (Link(u) for u in articles)
        page = response.meta["page"]
        if page < self.max_section_pages:
            for local in filter(None, map(target.localize, listing.next_pages)):
                if request := self.discovery_request(index, local, "section", page + 1, (), depth):
                    yield request
        if response.meta["role"] != "home":
            return
        for local in filter(None, map(target.localize, listing.feeds)):
            if request := self.discovery_request(index, local, "feed", depth=depth):
                yield request
        sections = {
            urlunsplit(urlsplit(u)._replace(path=_parent(urlsplit(u).path), query=""))
            for u in articles
        }
        for url in sorted(sections):
            if (local := target.localize(url)) and urlsplit(local).path not in ("", "/"):
                request = self.discovery_request(index, local, "section", depth=depth, guess=True)
                if request:
                    yield request

    def add_candidate(self, index: int, link: Link) -> None:
        """Keep a discovered article URL once per story, with the newest date seen for it."""
        target = self.targets[index]
        local = target.localize(link.url)
        if local is None or not target.profile.is_article_url(local):
            return
        key = url_key(local)
        if self.candidates.add(index, key, Link(local, link.date)):
            inc_stat(self.crawler.stats, target.label, "discovered")

    def selected(self, index: int) -> Iterator[Link]:
        """The candidates to fetch, newest first: --since drops older dated ones, --limit
        keeps the newest."""
        label, found = self.targets[index].label, self.candidates.count(index)
        if self.since and (older := self.candidates.count(index, before=self.since)):
            inc_stat(self.crawler.stats, label, "filtered/since", older)
            found -= older
        if self.limit and found > self.limit:
            inc_stat(self.crawler.stats, label, "filtered/limit", found - self.limit)
            self.left_out.add(index)
        return self.candidates.newest(index, self.since, self.limit)

    def add_due(self, index: int) -> None:
        """Add the stored URLs the frontier says are due (re-checks, retries) to a target's
        candidates."""
        for link in self.frontier.due(self.targets[index].label):
            self.add_candidate(index, link)

    def stream_articles(self, index: int) -> None:
        """Fetch a target's articles as discovery finds them (its due ones first)."""
        self.selected_targets.add(index)
        self.add_due(index)
        self.streaming.add(index)

    def fetch_articles(self, index: int) -> None:
        """Add a target's due URLs to its candidates, select them and queue them for
        fetching (once: with --limit, or in a distributed crawl, when discovery is done)."""
        if index not in self.selected_targets:
            self.selected_targets.add(index)
            self.add_due(index)
            self.pending.append((index, self.selected(index)))

    def next_pending(self, count: int) -> list[tuple[int, Link]]:
        """The next `count` articles to fetch: selected ones, then ones discovery found so far
        (fewer when none are left for now)."""
        chosen: list[tuple[int, Link]] = []
        while self.pending and len(chosen) < count:
            index, links = self.pending[0]
            want = count - len(chosen)
            batch = list(islice(links, want))
            chosen += [(index, link) for link in batch]
            if len(batch) < want:
                self.pending.popleft()
        for index in sorted(self.streaming):
            while (want := count - len(chosen)) > 0:
                links, older = self.candidates.take(index, want, self.since)
                if older:
                    label = self.targets[index].label
                    inc_stat(self.crawler.stats, label, "filtered/since", older)
                chosen += [(index, link) for link in links]
                if len(links) + older == want:
                    continue  # a full batch: take again if --since left some of it out
                if self.discovering[index]:
                    break  # more may be found
                if not self.candidates.release(index):  # the deferred ones, decided now
                    self.streaming.discard(index)  # discovery is done and every URL taken
                    break
        return chosen

    def discovery_done(self) -> None:
        """When the crawl is idle: fetch the articles of every target not fetched yet."""
        for index in range(len(self.targets)):
            self.fetch_articles(index)
        if self.schedule_articles():
            raise DontCloseSpider

    def top_up(self) -> None:
        """When a request leaves the downloader: refill the scheduler once it is half empty."""
        waiting = self.pending or self.streaming
        if self.batch and waiting and len(self.crawler.engine.scheduler) < self.batch // 2:
            self.schedule_articles()

    def schedule_articles(self) -> bool:
        """Schedule pending articles until the scheduler holds a batch of requests (all of
        them with no batch); whether any request was scheduled."""
        engine, scheduled = self.crawler.engine, False
        while self.pending or self.streaming:
            room = self.batch - len(engine.scheduler) if self.batch else UNBATCHED_CHUNK
            if room <= 0:
                break
            chosen = self.next_pending(room)
            if not chosen:
                break
            for request in self.article_requests(chosen):
                engine.crawl(request)
                scheduled = True
        return scheduled

    def article_requests(self, chosen: list[tuple[int, Link]]) -> list[scrapy.Request]:
        """Requests for these articles, as the frontier plans them (those it finds unchanged,
        gone or known not to be articles are counted, not requested; while their station is
        still discovering they are deferred instead: a source read later may give a newer
        date). A page discovery requests or reads as a listing is fetched again as an article
        (it may be a show or archive page to refuse, or a story that lists others)."""
        plans = self.frontier.plan([link for _, link in chosen])
        requests = []
        deferred: dict[int, list[str]] = {}
        for (index, link), plan in zip(chosen, plans, strict=True):
            label = self.targets[index].label
            if not isinstance(plan, Visit) and index in self.streaming and self.discovering[index]:
                deferred.setdefault(index, []).append(url_key(link.url))  # a newer date may come
                continue
            if not isinstance(plan, Visit):
                inc_stat(self.crawler.stats, label, plan)
                continue
            if plan.reason in RECHECKS:
                inc_stat(self.crawler.stats, label, "recheck/checked")
            fetch = ArticleFetch(label, plan.key, utc_iso(link.date), plan.state, plan.url,
                                 self.frontier.checked_at, plan.reason)  # fmt: skip
            request = scrapy.Request(
                plan.url,
                callback=self.parse_article,
                errback=self.failed,
                headers=plan.headers(),
                dont_filter=plan.key in self.listings[index],
                meta={STATION_META: label, ARTICLE_META: fetch,
                      "target": index, "handle_httpstatus_list": [304]},
            )  # fmt: skip
            requests.append(request)
        for index, keys in deferred.items():
            self.candidates.defer(index, keys)
        return requests

    def parse_article(self, response):
        """Yield the fetched article as a Page; a 304 means unchanged (a page known not to be
        an article stays filtered, never extracted again)."""
        fetch: ArticleFetch = response.meta[ARTICLE_META]
        if response.status == 304:
            known_page = fetch.previous is not None and fetch.previous.kind == PAGE
            column = FILTERED_PAGE if known_page else "unchanged"
            inc_stat(self.crawler.stats, fetch.station, column)
            if fetch.reason in RECHECKS:
                inc_stat(self.crawler.stats, fetch.station, "recheck/not-modified")
            return
        yield response_to_page(response, self.targets[response.meta["target"]].station)

    def item_dropped(self, item, response, exception) -> None:
        """Note the station of a page that failed for a reason outside it (see closed)."""
        if isinstance(exception, PageFailed) and response is not None:
            self.unhandled.add(response.meta.get(STATION_META))

    def item_scraped(self, item, response) -> None:
        """Count an edit a re-check found (a record whose text changed with no sign of it in
        the sources)."""
        fetch = response.meta.get(ARTICLE_META) if response is not None else None
        if (
            isinstance(item, ArticleRecord)
            and fetch is not None
            and fetch.reason in RECHECKS
            and fetch.previous is not None
            and fetch.previous.content_hash not in (None, item.content_hash)
        ):
            inc_stat(self.crawler.stats, fetch.station, "recheck/edited")

    def may_be_private(self, request) -> bool:
        """Whether a request may go to a private address: only on its station's mirror (or
        when made for no station: robots.txt for the robots middleware)."""
        index = request.meta.get("target")
        return index is None or self.targets[index].lives_at(request.url)

    def on_own_hosts(self, request) -> bool:
        """The offsite policy (StationOffsiteMiddleware): a request made for a station stays
        on its hosts; others (robots.txt for the robots middleware) are let through."""
        index = request.meta.get("target")
        return index is None or self.targets[index].owns(request.url)

    def offsite_refused(self, request) -> None:
        """Count a request refused for leaving its station's hosts (a redirect, most often)."""
        label = request.meta.get(STATION_META)
        if label is None:
            return
        chain = request.meta.get("redirect_urls") or [request.url]
        kind = "offsite-redirect" if request.meta.get("redirect_urls") else "offsite"
        self.logger.warning("%s: refused, %s leaves the station's hosts", chain[0], request.url)
        if ARTICLE_META in request.meta:
            inc_stat(self.crawler.stats, label, f"errors/{kind}")
            return
        group = "probed" if request.meta.get("guess") else "errors"
        inc_stat(self.crawler.stats, label, f"discovery/{group}/{kind}")
        self.discovery_answered(request.meta["target"])

    def request_dropped(self, request) -> None:
        """Count a request the duplicate filter dropped: a redirect back to a URL of its own
        chain (a loop, of a discovery document or an article); an article's redirect to a URL
        this run requested already (fetched by its own request), or a URL requested already
        under another form."""
        label, chain = request.meta.get(STATION_META), request.meta.get("redirect_urls")
        if ARTICLE_META not in request.meta:
            if "target" not in request.meta:
                return
            if chain and request.url in chain:  # a discovery document redirected in a loop
                group = "probed" if request.meta.get("guess") else "errors"
                inc_stat(self.crawler.stats, label, f"discovery/{group}/redirect-loop")
                self.logger.warning("%s: redirect loop at %s", chain[0], request.url)
            self.discovery_answered(request.meta["target"])  # or requested already
            return
        if chain and request.url in chain:
            inc_stat(self.crawler.stats, label, "errors/redirect-loop")
            self.logger.warning("%s: redirect loop at %s", chain[0], request.url)
        elif chain:
            inc_stat(self.crawler.stats, label, "filtered/redirect-duplicate")
            self.logger.debug("%s: redirected to %s, fetched already", chain[0], request.url)
        else:
            inc_stat(self.crawler.stats, label, "filtered/duplicate-request")
            self.logger.debug("%s: requested already", request.url)

    def failed(self, failure):
        """Count a failed request under its station in its refusal's report group (an error,
        or filtered for robots.txt); a discovery document's failure as an error when the site
        named it, as a probe outcome when guessed. The frontier remembers an article's
        failure (a 404/410 is backed off, another one retried next run)."""
        request = failure.request
        label = request.meta[STATION_META]
        kind = failure_kind(failure)
        group = refusal(kind).report
        if ARTICLE_META in request.meta:
            inc_stat(self.crawler.stats, label, f"{group}/{kind}")
            if group != "errors":
                return
            self.logger.warning("%s: %s (%s)", request.url, kind, failure.getErrorMessage())
            fetch: ArticleFetch = request.meta[ARTICLE_META]
            status = failure.value.response.status if failure.check(HttpError) else 0
            self.frontier.remember_failure(
                fetch.station, fetch.key, fetch.url or request.url, status, fetch.previous
            )
            return
        if group == "filtered":
            inc_stat(self.crawler.stats, label, f"discovery/filtered/{kind}")
        elif request.meta.get("guess") or request.meta.get("role") == "robots":
            outcome = "not-found" if kind in ("http-404", "http-410") else kind
            inc_stat(self.crawler.stats, label, f"discovery/probed/{outcome}")
            self.logger.debug("%s: %s (a guessed URL)", request.url, kind)
        else:
            inc_stat(self.crawler.stats, label, f"discovery/errors/{kind}")
            self.logger.warning("%s: %s (%s)", request.url, kind, failure.getErrorMessage())
        try:
            if request.meta.get("role") == "robots":
                yield from self.probe_sitemaps(request.meta["target"])
        finally:
            self.discovery_answered(request.meta["target"])

"""The frontier: which URLs a crawl requests this run, and how, from what the store remembers.

Per URL the store keeps what its last request told (pipelines.store.base.FetchState): status,
redirect target, validators, the source's lastmod, content hash, whether it was an article,
when it was checked. From that, with the policy of RADIOSCRAPE_RECRAWL and the crawl's clock
(RADIOSCRAPE_NOW, the real time when empty):

- a URL never requested is fetched in full (NEW); a redirected one is asked at its remembered
  target, and decided by what the target told;
- an article whose source date is newer than the stored one (or, stored undated, than its last
  check) is asked conditionally (CHANGED);
  one published within `fresh_days` is re-checked conditionally every run (FRESH); an older one
  once per `revalidate_days`, at a phase of its own so that runs share the re-checks evenly
  (ROTATION); otherwise it is unchanged and not requested;
- a 404 or 410 is asked again after the back-off of `gone_days` (1, 7, 30 days by default,
  one step further at each answer in a row; GONE); a 5xx or no answer, next run (RETRY);
- a page refused or dropped as not an article is re-checked conditionally every `page_days`
  (PAGE), never re-extracted when it answers 304;
- sitemaps, feeds and section pages are asked conditionally (documents that only lead to
  others, robots.txt, home pages and sitemap indexes, are not: a 304 would hide what they
  lead to); a child sitemap whose lastmod in its index did not change is not asked at all.
  A document's validators and lastmod are kept only once a run took every URL it listed
  (`confirm_documents`): after a run cut short (killed, stopped, --limit) it is read in full.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta

from crawler.discovery import Link
from pipelines.core.dates import parse_date, utc_iso
from pipelines.core.fetch import DISCOVERY, PAGE, FetchState
from pipelines.core.urls import url_key
from pipelines.store.base import Store

logger = logging.getLogger(__name__)

NEW, CHANGED, RETRY = "new", "changed", "retry"  # why a URL is requested (Visit.reason)
FRESH, ROTATION, GONE, PAGE_RECHECK = "fresh", "rotation", "gone", "page"
RECHECKS = frozenset({FRESH, ROTATION, GONE, PAGE_RECHECK})  # asked with no sign of a change
# The report column of a URL not requested: a known article not due, a 404/410 in back-off,
# a page known not to be an article.
UNCHANGED, FILTERED_GONE, FILTERED_PAGE = "unchanged", "filtered/gone", "filtered/not-article"
REDIRECT_HOPS = 5  # remembered redirects followed at most (as REDIRECT_MAX_TIMES)
GONE_STATUSES = (404, 410)


@dataclass(frozen=True)
class RecrawlPolicy:
    """How often known URLs are asked again (RADIOSCRAPE_RECRAWL)."""

    fresh_days: float = 14.0  # articles published within: re-checked every run
    revalidate_days: float = 30.0  # every stored article re-checked at least this often
    gone_days: tuple[float, ...] = (1.0, 7.0, 30.0)  # 404/410 back-off, one step per answer
    page_days: float = 30.0  # pages that are not articles: re-checked this often

    @classmethod
    def from_setting(cls, value: dict | None) -> RecrawlPolicy:
        """The policy from the setting's dict; a missing key keeps its default."""
        known = {f.name for f in fields(cls)}
        if unknown := set(value or {}) - known:
            raise ValueError(f"unknown recrawl keys: {', '.join(sorted(unknown))}")
        try:
            given = {
                k: tuple(float(d) for d in v) if k == "gone_days" else float(v)
                for k, v in (value or {}).items()
            }
        except (TypeError, ValueError):
            raise ValueError(f"recrawl days must be numbers: {value}") from None
        policy = cls(**given)
        if not policy.gone_days or policy.revalidate_days <= 0:
            raise ValueError("gone_days needs a step and revalidate_days must be above 0")
        return policy


def crawl_clock(value: str | None) -> datetime:
    """The crawl's 'now': RADIOSCRAPE_NOW (an ISO date; tests move it forward) or the time."""
    if not value:
        return datetime.now(UTC)
    moment = parse_date(value)
    if moment is None:
        raise ValueError(f"not an ISO date: {value!r}")
    return moment


@dataclass(frozen=True)
class Visit:
    """A URL to request: where, under which key its answer is kept, what the store knew."""

    url: str
    key: str
    state: FetchState | None
    reason: str  # NEW, CHANGED, RETRY or one of RECHECKS

    def headers(self) -> dict[str, str]:
        """If-None-Match / If-Modified-Since from the stored validators (none for a URL that
        answered 404/410: what it had before is gone)."""
        return {} if self.reason == GONE else conditional_headers(self.state)


def conditional_headers(state: FetchState | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from a stored state's validators."""
    headers = {}
    if state and state.etag:
        headers["If-None-Match"] = state.etag
    if state and state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class Frontier:
    """Decides each URL's request from the store's memory of it, and remembers the answers
    the spider sees (discovery documents, failures); the store pipeline remembers articles."""

    def __init__(self, store: Store, policy: RecrawlPolicy, now: datetime):
        self.store = store
        self.policy = policy
        self.now = now
        self.checked_at = utc_iso(now) or ""
        # per station, the discovery documents read this run, saved with no validators nor
        # lastmod until confirm_documents: their URLs are not known fetched before
        self.read: dict[str, list[FetchState]] = {}

    # --- articles ------------------------------------------------------------------------

    def plan(self, links: Sequence[Link]) -> list[Visit | str]:
        """For each link: the Visit to make, or the report column of a URL not requested."""
        keys = [url_key(link.url) for link in links]
        states = self.store.fetch_states(keys)
        for _ in range(REDIRECT_HOPS):  # the targets of remembered redirects, hop by hop
            targets = {url_key(s.redirect_to) for s in states.values() if s.redirect_to}
            if not (missing := targets - states.keys()):
                break
            states.update(self.store.fetch_states(sorted(missing)))
        return [self._decide(link, key, states) for link, key in zip(links, keys, strict=True)]

    def _decide(self, link: Link, key: str, states: dict[str, FetchState]) -> Visit | str:
        url, state = link.url, states.get(key)
        for _ in range(REDIRECT_HOPS):
            if state is None or not state.redirect_to or state.last_status >= 400:
                break
            url, key = state.redirect_to, url_key(state.redirect_to)
            state = states.get(key)
        if state is None or state.kind == DISCOVERY:
            return Visit(url, key, state, NEW)
        if state.last_status in GONE_STATUSES:
            step = self.policy.gone_days[min(state.failures, len(self.policy.gone_days)) - 1]
            return Visit(url, key, state, GONE) if self._after(state, step) else FILTERED_GONE
        if state.last_status not in (200, 304):
            return Visit(url, key, state, RETRY)
        # The source's date against the one it gave last time, or when none was given (the
        # URL was first found undated), against when the page was last checked.
        stored = _moment(state.lastmod) or _moment(state.fetched_at)
        if link.date is not None and (stored is None or link.date > stored):
            return Visit(url, key, state, CHANGED)
        if state.kind == PAGE:
            return Visit(url, key, state, PAGE_RECHECK) if self._after(
                state, self.policy.page_days
            ) else FILTERED_PAGE  # fmt: skip
        published = _moment(state.published)
        if published and self.now - published <= timedelta(days=self.policy.fresh_days):
            return Visit(url, key, state, FRESH)
        if self.rotation_due(state):
            return Visit(url, key, state, ROTATION)
        return UNCHANGED

    def _after(self, state: FetchState, days: float) -> bool:
        checked = _moment(state.fetched_at)
        return checked is None or self.now - checked >= timedelta(days=days)

    def rotation_due(self, state: FetchState) -> bool:
        """Whether an article's turn to be re-validated came since it was last checked: each
        URL has a phase of its own within every `revalidate_days`, so runs share the re-checks
        evenly and none is left unchecked for longer than that."""
        checked = _moment(state.fetched_at)
        if checked is None:
            return True
        period = self.policy.revalidate_days * 86400
        phase = int(hashlib.sha1(state.url_key.encode()).hexdigest()[:8], 16) / 2**32 * period
        return (self.now.timestamp() - phase) // period > (checked.timestamp() - phase) // period

    def due(self, station: str) -> Iterator[Link]:
        """The stored URLs of a station to request this run whatever discovery finds (its
        unchanged documents are not read again): re-checks due, failures to retry."""
        for state in self.store.station_fetch_states(station):
            if state.kind == DISCOVERY or state.redirect_to:
                continue
            link = Link(state.url, _moment(state.lastmod))
            if isinstance(self._decide(link, state.url_key, {state.url_key: state}), Visit):
                yield link

    def remember_failure(
        self, station: str, key: str, url: str, status: int, previous: FetchState | None
    ) -> None:
        """Keep the answer of an article request that gave no page: a 404/410 (one back-off
        step further), another status or none (0: retried next run)."""
        base = previous or FetchState(key, url, station)
        failures = base.failures + 1 if status in GONE_STATUSES else 0
        self._save(replace(base, url_key=key, url=url, last_status=status, failures=failures,
                           redirect_to=None, fetched_at=self.checked_at))  # fmt: skip

    # --- discovery documents -------------------------------------------------------------

    def document_state(self, url: str) -> FetchState | None:
        """What the store remembers of a discovery document."""
        return self.store.fetch_states([url_key(url)]).get(url_key(url))

    def child_unchanged(self, url: str, lastmod: datetime | None) -> bool:
        """Whether a child sitemap's lastmod in its index says it is as it was last read."""
        state = self.document_state(url)
        if lastmod is None or state is None or state.kind != DISCOVERY:
            return False
        stored = _moment(state.lastmod)
        return state.last_status in (200, 304) and stored is not None and lastmod <= stored

    def remember_document(
        self, station: str, response, lastmod: datetime | None, leaf: bool
    ) -> None:
        """Keep what a discovery document answered, for now without its validators (kept only
        for a `leaf`, a document whose 304 hides nothing: a sitemap of pages, a feed, a section
        page) and lastmod: see confirm_documents. A page that is also requested as an article
        keeps its article's state."""
        known = self.document_state(response.request.url)
        if known is not None and known.kind != DISCOVERY:
            return
        header = response.headers.get
        state = FetchState(
            url_key=url_key(response.request.url),
            url=response.request.url,
            station=station,
            etag=(header("ETag") or b"").decode("latin-1") or None if leaf else None,
            last_modified=(header("Last-Modified") or b"").decode("latin-1") or None
            if leaf
            else None,
            lastmod=utc_iso(lastmod),
            last_status=response.status,
            fetched_at=self.checked_at,
            kind=DISCOVERY,
        )
        self._save(replace(state, etag=None, last_modified=None, lastmod=None))
        if state.etag or state.last_modified or state.lastmod:
            self.read.setdefault(station, []).append(state)

    def confirm_documents(self, station: str) -> None:
        """The run took every URL the station's documents listed: keep their validators and
        lastmod, so that the next run asks them conditionally (a 304, or a child sitemap
        whose lastmod did not change, then hides no URL never fetched)."""
        for state in self.read.pop(station, []):
            known = self.document_state(state.url)
            if known is None or known.kind == DISCOVERY:
                self._save(state)

    def remember_not_modified(self, state: FetchState, lastmod: datetime | None) -> None:
        """A discovery document answered 304: checked now, as it was."""
        self._save(replace(state, last_status=304, fetched_at=self.checked_at,
                           lastmod=utc_iso(lastmod) or state.lastmod))  # fmt: skip

    def _save(self, state: FetchState) -> None:
        """Save a fetch state; a store error (a full disk) is one logged line: it only costs
        a refetch next run."""
        try:
            self.store.save_fetch_state(state)
        except self.store.errors as exc:
            logger.error("%s: fetch state not saved: %s", state.url, exc)

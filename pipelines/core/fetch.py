"""What an article request carries from the spider to the store: its meta keys, ArticleFetch,
and the FetchState the store keeps of each fetched URL."""

from __future__ import annotations

from dataclasses import dataclass

STATION_META = "radioscrape_station"  # every request: the station label its stats go under
ARTICLE_META = "radioscrape_article"  # article requests: an ArticleFetch


ARTICLE, PAGE, DISCOVERY = "article", "page", "discovery"  # FetchState.kind


@dataclass(frozen=True)
class FetchState:
    """What the last request for one URL told us (keyed by url_key of the requested URL): its
    answer (last_status, 0 for no answer: a timeout, a refused connection), validators, the
    date its source gave (lastmod), what it was (kind: an article, a page refused or dropped,
    a discovery document), where it redirected, when it was last checked (fetched_at)."""

    url_key: str
    url: str
    station: str
    etag: str | None = None
    last_modified: str | None = None
    lastmod: str | None = None
    content_hash: str | None = None
    last_status: int = 200
    fetched_at: str = ""
    kind: str = ARTICLE
    redirect_to: str | None = None  # the URL a redirect led to (the page answered there)
    published: str | None = None  # an article's publication date (UTC ISO): its freshness
    failures: int = 0  # 404/410 answers in a row: the step of the re-check back-off


@dataclass(frozen=True)
class ArticleFetch:
    """What an article request tells the pipelines: station, identity (the requested URL and
    its key), source date, last state, when it is checked, why it is requested (a frontier
    reason: new, changed, retry, fresh, rotation, gone, page)."""

    station: str
    key: str
    lastmod: str | None
    previous: FetchState | None
    url: str = ""
    checked_at: str = ""
    reason: str = "new"

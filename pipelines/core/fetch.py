"""What an article request carries from the spider to the store: its meta keys, ArticleFetch,
and the FetchState the store keeps of each fetched URL."""

from __future__ import annotations

from dataclasses import dataclass

STATION_META = "radioscrape_station"  # every request: the station label its stats go under
ARTICLE_META = "radioscrape_article"  # article requests: an ArticleFetch


@dataclass(frozen=True)
class FetchState:
    """What the last fetch of one URL told us (keyed by url_key of the fetched URL)."""

    url_key: str
    url: str
    station: str
    etag: str | None = None
    last_modified: str | None = None
    lastmod: str | None = None
    content_hash: str | None = None
    last_status: int = 200
    fetched_at: str = ""


@dataclass(frozen=True)
class ArticleFetch:
    """What an article request tells the pipelines: station, identity, source date, last state."""

    station: str
    key: str
    lastmod: str | None
    previous: FetchState | None

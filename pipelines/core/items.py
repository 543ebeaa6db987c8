"""The two items that flow through radioscrape: a fetched Page and the clean ArticleRecord."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

from pipelines.core.dates import utc_now


@dataclass
class Page:
    """One fetched page, exactly as the server sent it."""

    url: str
    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    station: str | None = None
    fetched_at: str = ""
    request_url: str | None = None


@dataclass
class ArticleRecord:
    """A clean article: the schema every output, store and fixture shares."""

    url: str
    canonical_url: str
    station: str
    station_name: str | None
    section: str | None
    show: str | None
    title: str
    standfirst: str | None
    author: str | None
    published: str | None
    updated: str | None
    body: list[str]
    headings: list[int]  # positions in body of the paragraphs that are sub-headings
    image: dict[str, str | None] | None
    tags: list[str]
    embeds: list[dict[str, str]]
    language: str | None
    word_count: int
    content_hash: str
    fetched_at: str
    clutter: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        """Return the record as a plain dict (the shape of expected.json and JSON output)."""
        return dataclasses.asdict(self)

    def to_json(self, **extra: Any) -> str:
        """Return stable JSON: sorted keys, UTF-8 characters kept; `extra` keys added on top."""
        return dumps({**self.to_dict(), **extra})


RECORD_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(ArticleRecord))
# A stored record also has its story (pipelines.stories): known only across pages, so it is the
# store's field, not the cleaner's.
STORED_FIELDS: tuple[str, ...] = (*RECORD_FIELDS, "story_id")


def dumps(obj: Any, indent: int | None = None) -> str:
    """Serialise to the project's stable JSON form (sorted keys, ensure_ascii off)."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, indent=indent)


def response_to_page(response, station: str | None = None) -> Page:
    """A Scrapy response (or any object with its url, body, status, headers and request) as
    the Page item the pipelines clean, fetched now."""
    headers = {
        k.decode("latin-1").lower(): b", ".join(v).decode("latin-1")
        for k, v in response.headers.items()
    }
    return Page(
        url=response.url,
        body=response.body,
        status=response.status,
        headers=headers,
        station=station,
        fetched_at=utc_now(),
        request_url=response.request.url if response.request else None,
    )

"""The two items that flow through radioscrape: a fetched Page and the clean ArticleRecord."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any


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

"""Tell article pages from listings, players, schedules and search pages."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from lxml import etree, html

from pipelines.clean.metadata import ARTICLE_TYPES, Metadata
from pipelines.clean.text import squash

_PLAYER_PATH = re.compile(
    r"/(?:listen-?live|listen|live|player|radio-player|stream|live-stream)/?$"
)
_SEARCH_PATH = re.compile(r"/search(?:/|$)|/search-results")
_SCHEDULE_PATH = re.compile(
    r"/(?:schedule|show-schedule|programme|programmes|program-guide|line-?up)/?$"
)
_HEADLINE_LINKS = etree.XPath(
    "//*[self::h2 or self::h3 or self::h4][.//a][not(ancestor::nav or ancestor::footer)]"
)
_PROSE = etree.XPath(
    "//p[not(ancestor::a) and not(.//a) and not(ancestor::nav or ancestor::footer)]"
)
LISTING_MIN_TEASERS = 6
LISTING_MAX_PROSE_CHARS = 600


def not_article_reason(
    url: str, root: html.HtmlElement, meta: Metadata, profile=None
) -> str | None:
    """Why this page is not an article ('player', 'search', 'schedule', 'listing'), or None."""
    parts = urlsplit(url)
    path = parts.path.lower()
    if _PLAYER_PATH.search(path):
        return "player"
    if _SEARCH_PATH.search(path) or {"s", "q", "query", "search"} & set(parse_qs(parts.query)):
        return "search"
    if "SearchResultsPage" in meta.ld_types:
        return "search"
    if _SCHEDULE_PATH.search(path):
        return "schedule"
    if (meta.og_type or "").lower() == "article" or meta.ld_types & ARTICLE_TYPES:
        return None
    if profile is not None and profile.is_article_url(url):
        return None
    if path in ("", "/") or meta.ld_types & {"CollectionPage", "ItemList"}:
        return "listing"
    teasers = len(_HEADLINE_LINKS(root))
    prose = sum(len(squash(p.text_content())) for p in _PROSE(root))
    if teasers >= LISTING_MIN_TEASERS and prose < LISTING_MAX_PROSE_CHARS * teasers / 6:
        return "listing"
    return None

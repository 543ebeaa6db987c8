"""Discovery parsing: article links and their dates from robots.txt, sitemaps, feeds and listings.

Pure functions of the fetched bytes (no Scrapy objects), so they are tested without a crawl.
XML comes from the web: it is parsed without entities, network access or huge-tree mode.
"""

from __future__ import annotations

import re
import sqlite3
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import datetime
from urllib.parse import parse_qsl, urljoin, urlsplit

from lxml import etree, html
from protego import Protego
from scrapy.utils.gz import gunzip

from pipelines.core.dates import parse_date
from pipelines.core.urls import is_http_url

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")
# Possessive and atomic: a prolog of many comments cut off at 4096 bytes fails in linear time.
_XML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*+(?:<\?xml[^>]*+>\s*+)?(?:<!--(?>.*?-->)\s*+)*+"
    rb"(?:<!DOCTYPE[^\[>]*+(?:\[(?>.*?\]))?\s*+>\s*+)?(?:<!--(?>.*?-->)\s*+)*+<(?:[a-z]+:)?(\w+)",
    re.S,
)
_SITEMAP_ROOTS = {"urlset", "sitemapindex"}
_FEED_ROOTS = {"rss", "feed", "RDF"}
_PAGE_PATH = re.compile(r"/page/(\d+)/?$")
_PAGE_PARAMS = ("page", "p", "pg", "paged")
_ENTITY_DECL = re.compile(rb"<!ENTITY\b")


@dataclass(frozen=True)
class DiscoveryLimits:
    """Upper bounds on one station's discovery in one run (RADIOSCRAPE_DISCOVERY_LIMITS)."""

    documents: int = 1000  # robots.txt, sitemaps, feeds, home and section pages fetched
    depth: int = 6  # hops from a start document (robots.txt, home, a profile's sources)
    sections: int = 200  # home and section listing pages, pagination included
    seconds: float = 600.0  # after this, discovery follows nothing more

    @classmethod
    def from_setting(cls, value: dict | None) -> DiscoveryLimits:
        """Limits from the setting's dict; a missing key keeps its default, 0 means none."""
        known = {f.name for f in fields(cls)}
        unknown = set(value or {}) - known
        if unknown:
            raise ValueError(f"unknown discovery limits: {', '.join(sorted(unknown))}")
        try:
            return cls(**{k: type(getattr(cls, k))(v) for k, v in (value or {}).items()})
        except (TypeError, ValueError):
            raise ValueError(f"discovery limits must be numbers: {value}") from None


class DiscoveryBudget:
    """What one station's discovery has spent against its limits, and which bound a further
    document would pass."""

    def __init__(self, limits: DiscoveryLimits, clock=time.monotonic):
        self.limits = limits
        self.clock = clock
        self.started = clock()
        self.documents = 0
        self.sections = 0

    def spend(self, role: str) -> None:
        """Count a document about to be requested."""
        self.documents += 1
        if role in ("home", "section"):
            self.sections += 1

    def bound_passed(self, role: str, depth: int) -> str | None:
        """The limit that one more document of `role` at `depth` would pass, or None."""
        limits = self.limits
        if limits.seconds and self.clock() - self.started > limits.seconds:
            return "time"
        if limits.documents and self.documents >= limits.documents:
            return "documents"
        if limits.depth and depth > limits.depth:
            return "depth"
        if limits.sections and role in ("home", "section") and self.sections >= limits.sections:
            return "sections"
        return None


class Candidates:
    """The article URLs discovery found: one row per (target, story key) with the newest date
    any source gave, and whether it was taken to be fetched. Rows live in a private temporary
    SQLite file (deleted when closed), so memory stays flat however many URLs a site lists."""

    def __init__(self) -> None:
        self.db = sqlite3.connect("", isolation_level=None)  # "": a temporary file on disk
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute(
            "CREATE TABLE candidates (target INTEGER, key TEXT, url TEXT, date TEXT, ts REAL,"
            " taken INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (target, key)) WITHOUT ROWID"
        )
        self.db.execute("CREATE INDEX candidates_untaken ON candidates (target, taken)")

    def add(self, target: int, key: str, link: Link) -> bool:
        """Keep a URL under its story key, or the newer date of a known one; whether the key
        is new."""
        date = link.date
        row = (link.url, date.isoformat() if date else None, date.timestamp() if date else None)
        insert = (
            "INSERT OR IGNORE INTO candidates (target, key, url, date, ts) VALUES (?, ?, ?, ?, ?)"
        )
        if self.db.execute(insert, (target, key, *row)).rowcount:
            return True
        if date is not None:
            self.db.execute(
                "UPDATE candidates SET url = ?, date = ?, ts = ? WHERE target = ? AND key = ?"
                " AND (ts IS NULL OR ts < ?)",
                (*row, target, key, row[2]),
            )
        return False

    def count(self, target: int, before: datetime | None = None) -> int:
        """How many URLs a target has (dated before `before` only, when given)."""
        if before is None:
            query = "SELECT COUNT(*) FROM candidates WHERE target = ?"
            return self.db.execute(query, (target,)).fetchone()[0]
        query = "SELECT COUNT(*) FROM candidates WHERE target = ? AND ts < ?"
        return self.db.execute(query, (target, before.timestamp())).fetchone()[0]

    def newest(
        self, target: int, since: datetime | None = None, limit: int | None = None
    ) -> Iterator[Link]:
        """A target's URLs, dated newest first then undated, none dated before `since`, at
        most `limit`; read from the file as they are consumed."""
        rows = self.db.execute(
            "SELECT url, date FROM candidates WHERE target = ? AND NOT coalesce(ts < ?, 0)"
            " ORDER BY ts IS NOT NULL DESC, ts DESC, url DESC LIMIT ?",
            (target, since.timestamp() if since else None, limit or -1),
        )
        return (Link(url, parse_date(date)) for url, date in rows)

    def take(
        self, target: int, count: int, since: datetime | None = None
    ) -> tuple[list[Link], int]:
        """Up to `count` of a target's URLs not taken yet, marked taken (in no order: taken
        while discovery still adds more), and how many dated before `since` were taken and
        left out."""
        rows = self.db.execute(  # by the index: the primary key would scan past every taken row
            "SELECT key, url, date, ts FROM candidates INDEXED BY candidates_untaken"
            " WHERE target = ? AND taken = 0 LIMIT ?",
            (target, count),
        ).fetchall()
        self.db.executemany(
            "UPDATE candidates SET taken = 1 WHERE target = ? AND key = ?",
            [(target, key) for key, *_ in rows],
        )
        cut = since.timestamp() if since else None
        links = [Link(url, parse_date(date)) for _, url, date, ts in rows
                 if cut is None or ts is None or ts >= cut]  # fmt: skip
        return links, len(rows) - len(links)

    def defer(self, target: int, keys: list[str]) -> None:
        """Set taken URLs aside until `release`: decided while discovery may still give them
        a newer date."""
        self.db.executemany(
            "UPDATE candidates SET taken = 2 WHERE target = ? AND key = ?",
            [(target, key) for key in keys],
        )

    def release(self, target: int) -> int:
        """Make a target's deferred URLs takeable again; how many."""
        query = (
            "UPDATE candidates INDEXED BY candidates_untaken SET taken = 0"
            " WHERE target = ? AND taken = 2"
        )
        return self.db.execute(query, (target,)).rowcount

    def close(self) -> None:
        """Delete the file."""
        self.db.close()


class DiscoveryError(ValueError):
    """A discovery document that cannot be read (not XML, gzip bomb, ...)."""


class TooLarge(DiscoveryError):
    """A gzipped discovery document (`.xml.gz`) larger than the download size cap once
    decompressed."""


@dataclass(frozen=True)
class Link:
    """A discovered URL with the date its source gives (lastmod, publication date), if any."""

    url: str
    date: datetime | None = None


@dataclass(frozen=True)
class Sitemap:
    """A parsed sitemap: an index (links are child sitemaps) or a urlset (links are pages)."""

    is_index: bool
    links: list[Link]


@dataclass(frozen=True)
class Listing:
    """What a HTML page offers discovery: feeds it advertises, its links, its next pages."""

    feeds: list[str]
    links: list[str]
    next_pages: list[str]


def kind_of(body: bytes) -> str:
    """'sitemap', 'feed' or 'html': what a discovery document is, from its first element."""
    match = _XML_START.match(_maybe_gunzip(body)[:4096])
    root = match.group(1).decode("ascii", "replace") if match else ""
    if root in _SITEMAP_ROOTS:
        return "sitemap"
    if root in _FEED_ROOTS:
        return "feed"
    return "html"


def gunzip_body(body: bytes, max_size: int) -> bytes:
    """A discovery document's bytes, decompressed when gzipped (a `.xml.gz` sitemap, which no
    Content-Encoding announces): TooLarge past `max_size` bytes (DOWNLOAD_MAXSIZE; 0: none),
    DiscoveryError when corrupt."""
    if body[:2] != b"\x1f\x8b":
        return body
    try:
        return gunzip(body, max_size=max_size)
    except (OSError, EOFError, struct.error) as exc:
        raise DiscoveryError(f"bad gzip sitemap: {exc}") from exc
    except ValueError as exc:  # scrapy's size check
        raise TooLarge(f"gzipped sitemap: {exc}") from exc


def _maybe_gunzip(body: bytes) -> bytes:
    return gunzip_body(body, 50 * 1024 * 1024)  # the spider decompresses first, to its own cap


def parse_xml(body: bytes) -> etree._Element:
    """Parse untrusted XML safely: no entity expansion, no network, no huge trees."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, recover=True, remove_pis=True
    )
    try:
        root = etree.fromstring(_maybe_gunzip(body), parser=parser)
    except etree.XMLSyntaxError as exc:
        raise DiscoveryError(f"not XML: {exc}") from exc
    if root is None:
        raise DiscoveryError("not XML: empty document")
    return root


def xml_fault(body: bytes) -> str | None:
    """What is wrong with an XML discovery document, or None: 'entities' when it declares DTD
    entities (billion laughs, an external entity on a local file: the document is refused),
    'malformed' when it is not well-formed XML (parse_xml still salvages what it can)."""
    data = _maybe_gunzip(body)
    strict = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
    )
    try:
        root = etree.fromstring(data, parser=strict)
    except etree.XMLSyntaxError:
        prolog = data[: data.find(b"]>") + 2] if b"]>" in data[:65536] else b""
        return "entities" if _ENTITY_DECL.search(prolog) else "malformed"
    dtd = root.getroottree().docinfo.internalDTD
    return "entities" if dtd is not None and any(True for _ in dtd.iterentities()) else None


def _local(node: etree._Element) -> str:
    tag = node.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""  # as etree.QName, faster


def _child_text(node: etree._Element, *names: str) -> str | None:
    for child in node.iter():
        if (text := child.text) and (text := text.strip()) and _local(child) in names:
            return text
    return None


def parse_sitemap(body: bytes) -> Sitemap:
    """Entries of a sitemap or sitemap index; news sitemaps give their publication date."""
    root = parse_xml(body)
    is_index = _local(root) == "sitemapindex"
    links = []
    for entry in root:
        if _local(entry) not in ("url", "sitemap"):
            continue
        loc = date = None  # one pass over the entry: the first text of each
        for child in entry.iter():
            if (text := child.text) and (text := text.strip()):
                name = _local(child)
                if name == "loc":
                    loc = loc or text
                elif name in ("lastmod", "publication_date"):
                    date = date or text
        if loc and is_http_url(loc):
            links.append(Link(loc, parse_date(date)))
    return Sitemap(is_index=is_index, links=links)


def parse_feed(body: bytes, base_url: str) -> list[Link]:
    """Item links of an RSS 2.0, RSS 1.0 or Atom feed, with their updated/published dates."""
    root = parse_xml(body)
    links = []
    for entry in root.iter():
        if _local(entry) not in ("item", "entry"):
            continue
        url = None
        for child in entry:
            if _local(child) != "link":
                continue
            if child.get("href") and child.get("rel", "alternate") == "alternate":
                url = child.get("href")
            elif child.text and child.text.strip():
                url = child.text.strip()
            if url:
                break
        url = url or _child_text(entry, "guid")
        if not url:
            continue
        url = urljoin(base_url, url)
        if is_http_url(url):
            date = _child_text(entry, "updated", "modified", "pubDate", "published", "date")
            links.append(Link(url, parse_date(date)))
    return links


def robots_sitemaps(body: bytes) -> list[str]:
    """The Sitemap: URLs a robots.txt names."""
    return [u for u in Protego.parse(body.decode("utf-8", "replace")).sitemaps if is_http_url(u)]


def parse_listing(body: bytes, base_url: str) -> Listing:
    """Feeds, links (absolute, no fragment) and next-page links of a HTML page."""
    try:
        root = html.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return Listing([], [], [])
    root.make_links_absolute(base_url, resolve_base_href=True, handle_failures="discard")
    feeds = [
        link.get("href")
        for link in root.iter("link")
        if "alternate" in (link.get("rel") or "").lower().split()
        and (link.get("type") or "").lower() in FEED_TYPES
    ]
    links: dict[str, None] = {}  # an ordered set: linear in the number of links
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").split("#", 1)[0]
        if href not in links and is_http_url(href):
            links[href] = None
    next_pages = dict.fromkeys(
        node.get("href")
        for node in root.iter("a", "link")
        if "next" in (node.get("rel") or "").lower().split() and is_http_url(node.get("href", ""))
    )
    next_pages.update((u, None) for u in links if is_next_page(base_url, u))
    return Listing([f for f in feeds if is_http_url(f)], list(links), list(next_pages))


def page_number(url: str) -> int | None:
    """The page number a listing URL carries (`?page=N` or `/page/N/`), or None."""
    parts = urlsplit(url)
    if match := _PAGE_PATH.search(parts.path):
        return int(match.group(1))
    for key, value in parse_qsl(parts.query):
        if key.lower() in _PAGE_PARAMS and value.isdigit():
            return int(value)
    return None


def _section_path(url: str) -> str:
    return _PAGE_PATH.sub("/", urlsplit(url).path).rstrip("/")


def is_next_page(listing_url: str, url: str) -> bool:
    """Whether `url` is a later page of the same listing as `listing_url`."""
    number = page_number(url)
    if number is None or urlsplit(url).netloc != urlsplit(listing_url).netloc:
        return False
    return _section_path(url) == _section_path(listing_url) and number > (
        page_number(listing_url) or 1
    )

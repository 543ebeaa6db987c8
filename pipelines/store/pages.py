"""Stored pages, shared by SQLite and PostgreSQL: each article's last fetched HTML, so its record
can be rebuilt with a newer cleaner (`radioscrape reclean`) without fetching it again.

Tables (migration 4 of pipelines/store/schema.py): `pages`, one row per stored article (its
url_key), replaced by each fetch that gives a record: the page's URL, station profile key,
status, headers (JSON), fetch time and raw HTML (zstd-compressed; zlib in a store from before
zstd, told apart by zstd's frame magic); and
`article_versions.reason`, why a version was written: FETCHED (a crawl; NULL in stores from
before pages) or RECLEANED.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any

try:
    from compression import zstd  # Python 3.14
except ImportError:
    from backports import zstd

from pipelines.core.items import Page, dumps
from pipelines.store.base import FETCHED, record_filters, upsert
from pipelines.store.schema import PAGES

# zstd level 1: under a third of the HTML (a little less than zlib level 1) in a third of its CPU
COMPRESS_LEVEL = 1
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"  # the first bytes of a zstd frame (a zlib stream's: 0x78)


_COLUMNS = tuple(column.name for column in PAGES.columns)


def save_page(conn, mark: str, key: str, page: Page) -> None:
    """Keep `page` as the stored page of the article `key` (replacing the one kept before)."""
    html = zstd.compress(page.body, COMPRESS_LEVEL)
    values = (key, page.url, page.request_url, page.station, page.status, dumps(page.headers),
              page.fetched_at, html)  # fmt: skip
    conn.execute(upsert("pages", _COLUMNS, ("url_key",), mark), values)


def decompress(html: bytes) -> bytes:
    """A stored page's HTML from its `html` column (zstd, or zlib in a store from before)."""
    return zstd.decompress(html) if html[:4] == _ZSTD_MAGIC else zlib.decompress(html)


def stored_pages(
    conn, mark: str, station: str | None = None, since: datetime | None = None
) -> Iterator[tuple[str, Page, dict[str, Any]]]:
    """Each stored article (of `station`, published on/after `since`) that has a stored page, in
    url_key order: its url_key, the Page it was fetched as, its latest version's record dict.
    The keys are read first, so the caller may write between pages."""
    clause, params = record_filters(since, station, mark)
    keys = [row["url_key"] for row in conn.execute(
        f"SELECT url_key FROM pages WHERE url_key IN (SELECT url_key FROM articles{clause})"
        " ORDER BY url_key", params,
    )]  # fmt: skip
    for key in keys:
        row = conn.execute(
            "SELECT p.*, v.record FROM pages p JOIN article_versions v ON v.url_key = p.url_key"
            f" WHERE p.url_key = {mark} ORDER BY v.version DESC LIMIT 1",
            (key,),
        ).fetchone()
        page = Page(
            url=row["url"],
            body=decompress(row["html"]),
            status=row["status"],
            headers=json.loads(row["headers"]),
            station=row["station"],
            fetched_at=row["fetched_at"],
            request_url=row["request_url"],
        )
        record = row["record"]
        yield key, page, json.loads(record) if isinstance(record, str) else record


def version_reasons(conn, mark: str, key: str) -> list[str]:
    """Why each stored version of the article `key` was written, oldest first."""
    rows = conn.execute(
        f"SELECT reason FROM article_versions WHERE url_key = {mark} ORDER BY version", (key,)
    )
    return [row["reason"] or FETCHED for row in rows]

"""The story index in the store, shared by SQLite and PostgreSQL (pipelines.stories matches).

Tables (migration 3 of pipelines/store/schema.py): `articles.story_id` (indexed) and
`story_bands (band, url_key)`, one row per LSH band key of an article's body, looked up by band.
A new or changed article is matched through its band keys only (never a scan: the cost is the
candidates', not the store's), each candidate confirmed by exact similarity of the two bodies.
Grouping is the connected components of "shares a band key and is similar enough", so the same
articles in any order give the same groups. A story keeps its id when copies join it; when an
article links two stories, the smaller id wins and the other story's copies move to it. An
article whose body changes keeps its story. The `stories` view (SQL) and `read_stories` give one
row per story, the earliest-published copy first (its original).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from pipelines.core.dates import utc_iso
from pipelines.store.base import marks
from pipelines.stories import (
    StoryOptions,
    band_keys,
    original_order,
    shingles,
    similarity,
    story_id_of,
)


def _body(value: Any) -> list[str]:
    """A stored body: JSON text (SQLite) or already a list (PostgreSQL JSONB)."""
    return json.loads(value) if isinstance(value, str) else list(value or [])


def matching_stories(
    conn,
    mark: str,
    key: str,
    grams: frozenset[str],
    keys: Sequence[str],
    options: StoryOptions,
    known: frozenset[str] = frozenset(),
    cache: ShingleCache | None = None,
) -> set[str]:
    """The stories of the stored articles (other than `key`) that share a band key with these
    and whose body is similar enough, plus the `known` ones: read through the band index only.
    A candidate is compared only when its story is not matched yet (one similar copy settles
    a story; on a site of near-copies that spares most comparisons), with no story it cannot
    add one; its shingles come from `cache` when its content was seen before."""
    stories = set(known)
    if not keys:
        return stories
    candidates = [
        found["url_key"]
        for found in conn.execute(
            f"SELECT DISTINCT url_key FROM story_bands WHERE band IN ({marks(mark, len(keys))})"
            f" AND url_key <> {mark} ORDER BY url_key LIMIT {int(options.max_candidates)}",
            [*keys, key],
        )
    ]
    if not candidates:
        return stories
    rows = conn.execute(
        f"SELECT story_id, content_hash, body FROM articles"
        f" WHERE url_key IN ({marks(mark, len(candidates))})",
        candidates,
    )
    for found in rows:
        story = found["story_id"]
        if story is None or story in stories:
            continue
        if cache is None:
            other = shingles(_body(found["body"]), options.shingle)
        else:
            other = cache.get(found["content_hash"], found["body"])
        if similarity(grams, other) >= options.threshold:
            stories.add(story)
    return stories


class ShingleCache:
    """The shingle sets of recently matched bodies by content hash (a hash of title and body,
    so one hash is one body), at most `size` of them, least recently used dropped first: an
    article is a candidate of many later copies, and is shingled once. One per store."""

    def __init__(self, shingle: int, size: int = 256):
        self.shingle = shingle
        self.size = size
        self.sets: OrderedDict[str, frozenset[str]] = OrderedDict()

    def get(self, content_hash: str | None, body: Any) -> frozenset[str]:
        """The shingles of a stored `body` (JSON text or list) whose content has this hash."""
        if content_hash is None:
            return shingles(_body(body), self.shingle)
        cached = self.sets.get(content_hash)
        if cached is None:
            return self.put(content_hash, shingles(_body(body), self.shingle))
        self.sets.move_to_end(content_hash)
        return cached

    def put(self, content_hash: str, grams: frozenset[str]) -> frozenset[str]:
        """Remember the shingles of the body whose content has this hash; return them."""
        self.sets[content_hash] = grams
        if len(self.sets) > self.size:
            self.sets.popitem(last=False)
        return grams


def assign_story(
    conn,
    mark: str,
    key: str,
    body: list[str],
    options: StoryOptions,
    lock: Callable[[Sequence[str]], None] | None = None,
    cache: ShingleCache | None = None,
    content_hash: str | None = None,
) -> str:
    """Give the stored article `key` (its row already written in this transaction, its clean
    `body`) its story:
    match its body's band keys against the index, confirm each candidate exactly, join (or
    merge) the matching stories, and index its band keys. Returns the story id. `lock` takes
    the band keys before they are read (PostgreSQL: concurrent workers). With a `cache`, the
    body's shingles are kept there under its record's `content_hash` for the copies that
    follow, and the candidates' are read from it."""
    grams = shingles(body, options.shingle)
    if cache is not None and content_hash is not None:
        cache.put(content_hash, grams)
    keys = band_keys(grams, options)
    if lock is not None and keys:
        lock(keys)
    row = conn.execute(f"SELECT story_id FROM articles WHERE url_key = {mark}", (key,)).fetchone()
    own = frozenset({row["story_id"]} - {None})
    stories = matching_stories(conn, mark, key, grams, keys, options, own, cache)
    story = min(stories) if stories else story_id_of(key)
    if merged := sorted(stories - {story}):
        conn.execute(
            f"UPDATE articles SET story_id = {mark} WHERE story_id IN ({marks(mark, len(merged))})",
            [story, *merged],
        )
    conn.execute(f"UPDATE articles SET story_id = {mark} WHERE url_key = {mark}", (story, key))
    conn.execute(f"DELETE FROM story_bands WHERE url_key = {mark}", (key,))
    if keys:
        conn.cursor().executemany(
            f"INSERT INTO story_bands (band, url_key) VALUES ({mark}, {mark})",
            [(band, key) for band in keys],
        )
    return story


def backfill(store, mark: str, lock: Callable[[Sequence[str]], None] | None = None) -> int:
    """Give a story to every stored article that has none (a store from before stories: the
    migration adds the column empty), each in its own transaction; returns how many."""
    done = 0
    while rows := store.conn.execute(
        "SELECT url_key, body FROM articles WHERE story_id IS NULL ORDER BY url_key LIMIT 500"
    ).fetchall():
        for row in rows:
            with store.transaction() as conn:
                assign_story(conn, mark, row["url_key"], _body(row["body"]), store.story_options,
                             lock)  # fmt: skip
            done += 1
    return done


def story_of(conn, mark: str, key: str) -> tuple[str | None, int]:
    """The story of the stored article `key` and how many stored articles it has."""
    row = conn.execute(
        "SELECT story_id, (SELECT COUNT(*) FROM articles b WHERE b.story_id = a.story_id) AS n"
        f" FROM articles a WHERE url_key = {mark}",
        (key,),
    ).fetchone()
    return (None, 0) if row is None else (row["story_id"], int(row["n"]))


def read_stories(conn, mark: str, since=None) -> list[dict[str, Any]]:
    """One row per story first published on/after `since` (all stories when None), newest
    first: story_id, headline and original_url (the earliest-published copy's),
    first_published, stations (sorted), and copies (station, url, canonical_url, title,
    published), the original first."""
    query = (
        "SELECT url_key, story_id, station, url, canonical_url, title, published, published_utc"
        " FROM articles WHERE story_id IS NOT NULL"
    )
    params: list[Any] = []
    if since is not None:
        query += (
            " AND story_id IN (SELECT story_id FROM articles WHERE story_id IS NOT NULL"
            f" GROUP BY story_id HAVING MIN(published_utc) >= {mark})"
        )
        params.append(utc_iso(since))
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in conn.execute(query, params):
        grouped.setdefault(row["story_id"], []).append(dict(row))
    stories = []
    order = {}
    for story_id, rows in grouped.items():
        rows.sort(key=lambda r: original_order(r["published_utc"], r["url_key"]))
        original = rows[0]
        order[story_id] = (original["published_utc"] is not None, original["published_utc"] or "")
        stories.append(
            {
                "story_id": story_id,
                "headline": original["title"],
                "original_url": original["canonical_url"],
                "first_published": original["published"],
                "stations": sorted({r["station"] for r in rows}),
                "copies": [
                    {
                        name: r[name]
                        for name in ("station", "url", "canonical_url", "title", "published")
                    }
                    for r in rows
                ],
            }
        )
    stories.sort(key=lambda s: (*order[s["story_id"]], s["story_id"]), reverse=True)
    return stories

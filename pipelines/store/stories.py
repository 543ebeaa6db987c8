"""The story index in the store, shared by SQLite and PostgreSQL (pipelines.stories matches).

Tables (migration 3 of pipelines/store/schema.py): `articles.story_id` (indexed) and
(migration 10) `band_articles (band, article)`, one row per LSH band key of an article's body,
`article` the article's rowid (a column in PostgreSQL), looked up by band;
(migration 8) `articles.shingles`, the body's shingles as numbers (shingles_column), kept with the
body they were made from (a body rewritten without chrome gets them anew); (migration 9) the
index `articles_key_story (url_key, story_id)`, from which the candidates' stories are read.
A new or changed article is matched through its band keys only (never a scan: the cost is the
candidates', not the store's), each candidate confirmed by exact similarity of the two bodies,
read from its `shingles` (its body is read and shingled only in a store from before them).
Grouping is the connected components of "shares a band key and is similar enough", so the same
articles in any order give the same groups. A story keeps its id when copies join it; when an
article links two stories, the smaller id wins and the other story's copies move to it. An
article whose body changes keeps its story. The `stories` view (SQL) and `read_stories` give one
row per story, the earliest-published copy first (its original).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pipelines.core.dates import utc_iso
from pipelines.store.base import marks
from pipelines.stories import (
    StoryOptions,
    StoryPrint,
    distinct,
    original_order,
    overlap,
    shingle_hashes,
    shingles,
    similarity,
    similarity_bounds,
    story_id_of,
    story_print,
)

if TYPE_CHECKING:
    import numpy as np


def _body(value: Any) -> list[str]:
    """A stored body: JSON text (SQLite) or already a list (PostgreSQL JSONB)."""
    return json.loads(value) if isinstance(value, str) else list(value or [])


def shingles_column(hashes: np.ndarray) -> bytes:
    """An article's shingle_hashes as its `shingles` column holds them: little-endian 64-bit
    numbers (written with its band keys, so made with the same options)."""
    return hashes.astype("<u8").tobytes()


def body_shingles(body: list[str], shingle: int) -> bytes:
    """The `shingles` column of an article whose body is `body`."""
    return shingles_column(shingle_hashes(shingles(body, shingle)))


def matching_stories(
    conn,
    mark: str,
    article: int,
    hashes: np.ndarray,
    keys: Sequence[str],
    options: StoryOptions,
    known: frozenset[str] = frozenset(),
    lazy: CandidateReads | None = None,
) -> set[str]:
    """The stories of the stored articles (other than `article`, a rowid) that share a band key
    with these and whose body is similar enough (its shingle_hashes against `hashes`), plus the
    `known` ones: read through the band index only (of the first max_candidates by URL key). A
    candidate is compared only when its story is not matched yet (one similar copy settles a
    story; on a site of near-copies that spares most comparisons), with no story it cannot add
    one. The first candidate of each story is taken first, then the others of the stories not
    matched yet; in each round every candidate's similarity_bounds are reckoned at once, and
    only one whose bound reaches the threshold is compared (similar). Without `lazy` (a store a
    round trip away) one query reads every candidate's story and shingles; with it (SQLite, in
    process) the first reads only the candidates' stories, and each round's shingles one
    more, of the candidates it has not read yet (CandidateReads)."""
    import numpy as np

    stories = set(known)
    if not keys:
        return stories
    if lazy is not None:
        found = lazy.candidates(conn, mark, article, keys, options.max_candidates)
    else:
        rows = conn.execute(
            f"SELECT rowid AS id, story_id, {_SHINGLES} FROM articles WHERE story_id IS NOT NULL"
            f" AND url_key IN ({_first_candidates(mark, len(keys), options.max_candidates)})",
            [*keys, article],
        ).fetchall()
        found = [(row["id"], row["story_id"]) for row in rows]
        shingled = {row["id"]: (row["shingles"], row["body"]) for row in rows}
    exact = distinct(hashes)  # else every pair is compared by looking each number up
    first: dict[str, tuple[int, str]] = {}  # the first candidate of each story, then the others
    for candidate in found:
        first.setdefault(candidate[1], candidate)
    rounds = [list(first.values()), [c for c in found if c is not first[c[1]]]]
    for candidates in rounds:
        candidates = [c for c in candidates if c[1] not in stories]
        if not candidates:
            continue
        if lazy is not None:
            shingled = lazy.shingles_of(conn, mark, [c[0] for c in candidates])
        # a candidate's shingles column, or its body shingled (a store from before the column)
        stored = [
            column if column is not None else body_shingles(_body(body), options.shingle)
            for column, body in [shingled[c[0]] for c in candidates]
        ]
        # every candidate's shingle_hashes end to end, the n-th from edges[n] to edges[n + 1]
        packed = np.frombuffer(b"".join(stored), dtype="<u8")
        edges = np.cumsum([0, *map(len, stored)]) // 8
        # a candidate whose bound is under the threshold is not alike: most, on a site of
        # near-copies, are passed over without being compared one by one
        if exact:
            bounds = similarity_bounds(hashes, packed, edges)
            near = np.flatnonzero(bounds >= options.threshold).tolist()
        else:
            near = range(len(candidates))
        for n in near:
            story = candidates[n][1]
            if story not in stories and similar(
                hashes, packed[edges[n] : edges[n + 1]], options.threshold, exact
            ):
                stories.add(story)
    return stories


def _first_candidates(mark: str, bands: int, limit: int) -> str:
    """The query of the URL keys of the first `limit` articles by URL key that share one of
    `bands` band keys, other than one article (its parameters: the keys, then its rowid)."""
    return (
        "SELECT url_key FROM articles WHERE rowid IN (SELECT article FROM band_articles"
        f" WHERE band IN ({marks(mark, bands)})) AND rowid <> {mark}"
        f" ORDER BY url_key LIMIT {int(limit)}"
    )


class CandidateReads:
    """What the SQLite store's story matcher reads of the articles it compares a record with,
    each article's at most once a transaction: on a site of near-copies one record's
    candidates are most of the next ones' (storing the crawl bench's 1,500 records: 1.05 ms a
    record against 1.25). Their stories, kept as assign_story gives and merges them, and their
    shingles and body (_SHINGLES), kept as it writes them. The store clears it when a
    transaction begins (another process may have written since) and after rewriting bodies
    (chrome)."""

    LIMIT = 4096  # articles kept of each (shingles: ~2.4 KB on news pages), then it starts again

    def __init__(self) -> None:
        self.stories: dict[int, str | None] = {}
        self.shingled: dict[int, tuple[bytes | None, Any]] = {}

    def candidates(
        self, conn, mark: str, article: int, keys: Sequence[str], limit: int
    ) -> list[tuple[int, str]]:
        """(rowid, story) of each article with a story that shares a band key with `keys`,
        other than `article`, of the first `limit` by URL key: from the band index alone and
        the stories not read yet, by rowid, when they are no more than `limit` (most often; at
        most one more is read to tell), else their stories from the index articles_key_story
        by the URL keys their rowids give."""
        cursor = conn.cursor()
        cursor.row_factory = None  # plain tuples
        ids = [row[0] for row in cursor.execute(
            f"SELECT DISTINCT article FROM band_articles WHERE band IN ({marks(mark, len(keys))})"
            f" AND article <> {mark} LIMIT {int(limit) + 1}",
            [*keys, article],
        )]  # fmt: skip
        if len(ids) > limit:
            return cursor.execute(
                "SELECT rowid, story_id FROM articles WHERE story_id IS NOT NULL"
                f" AND url_key IN ({_first_candidates(mark, len(keys), limit)})",
                [*keys, article],
            ).fetchall()
        if missing := self._missing(self.stories, ids):
            self.stories.update(_by_rowid(cursor, mark, "story_id", missing))
        stories = self.stories
        return [(rowid, stories[rowid]) for rowid in ids if stories.get(rowid) is not None]

    def shingles_of(self, conn, mark: str, ids: list[int]) -> dict[int, tuple[bytes | None, Any]]:
        """These articles' shingles and body, by rowid (and others')."""
        if missing := self._missing(self.shingled, ids):
            cursor = conn.cursor()
            cursor.row_factory = None  # plain tuples
            rows = _by_rowid(cursor, mark, _SHINGLES, missing)
            self.shingled.update((rowid, (column, body)) for rowid, column, body in rows)
        return self.shingled

    def _missing(self, read: dict, ids: list[int]) -> list[int]:
        """The articles of `ids` not in `read`; all of them, `read` emptied, past LIMIT."""
        missing = [rowid for rowid in ids if rowid not in read]
        if len(read) + len(missing) > self.LIMIT:
            read.clear()
            return list(ids)
        return missing

    def wrote(self, article: int, story: str, column: bytes) -> None:
        """The article's story and `shingles` column are now these (written in this
        transaction)."""
        self.stories[article] = story
        self.shingled[article] = (column, None)

    def merged(self, stories: Sequence[str], story: str) -> None:
        """The articles of these stories are now `story`'s."""
        gone = set(stories)
        for rowid, was in self.stories.items():
            if was in gone:
                self.stories[rowid] = story

    def clear(self) -> None:
        """Forget every article read."""
        self.stories.clear()
        self.shingled.clear()


def _by_rowid(cursor, mark: str, columns: str, ids: list[int]):
    """Rows of (rowid, `columns`) of these SQLite articles: one query, the same text for any
    number of them (a JSON array of the rowids)."""
    query = f"SELECT rowid, {columns} FROM articles WHERE rowid IN"
    return cursor.execute(f"{query} (SELECT value FROM json_each({mark}))", (json.dumps(ids),))


# A candidate's shingles, and its body only when they are NULL (a store from before them).
_SHINGLES = "shingles, CASE WHEN shingles IS NULL THEN body END AS body"


def similar(hashes: np.ndarray, other: np.ndarray, threshold: float, exact: bool) -> bool:
    """Whether two shingle sets (shingle_hashes; `exact`: `hashes` holds no number twice) are
    at least `threshold` alike, as similarity says. With `hashes` distinct, overlap (a merge)
    is similarity when `other` is distinct too, and never below it when `other` holds a number
    twice (each repeat counts as one more in common): a pair overlap puts under the threshold
    is under it, and only one that reaches it needs `other` checked for repeats."""
    if not exact:
        return similarity(hashes, other) >= threshold
    if overlap(hashes, other) < threshold:
        return False
    return distinct(other) or similarity(hashes, other) >= threshold


def assign_story(
    conn,
    mark: str,
    key: str,
    article: int,
    printed: StoryPrint,
    options: StoryOptions,
    lock: Callable[[Sequence[str]], None] | None = None,
    own: str | None = None,
    lazy: CandidateReads | None = None,
    placed: str | None = None,
) -> str:
    """Give the stored article `key` (rowid `article`; its row already written in this
    transaction, its body's
    story_print with `options` `printed`, its story so far `own`) its story: match its band
    keys against the index, confirm each candidate exactly, join (or merge) the matching
    stories, and index its band keys. Returns the story id. `placed`: the story id the row was
    written with, beside its shingles (shingles_column), changed here only when another story
    is found; None: the row's story and shingles are written here. `lock` takes the band keys
    before they are read (PostgreSQL: concurrent workers); `lazy`: matching_stories'."""
    hashes, keys = printed
    if lock is not None and keys:
        lock(keys)
    known = frozenset({own} - {None})
    stories = matching_stories(conn, mark, article, hashes, keys, options, known, lazy)
    story = min(stories) if stories else story_id_of(key)
    if merged := sorted(stories - {story}):
        conn.execute(
            f"UPDATE articles SET story_id = {mark} WHERE story_id IN ({marks(mark, len(merged))})",
            [story, *merged],
        )
        if lazy is not None:  # rare: every story read is looked at
            lazy.merged(merged, story)
    column = shingles_column(hashes)
    if lazy is not None:
        lazy.wrote(article, story, column)
    if placed is None:
        conn.execute(
            f"UPDATE articles SET story_id = {mark}, shingles = {mark} WHERE url_key = {mark}",
            (story, column, key),
        )
    elif story != placed:
        conn.execute(f"UPDATE articles SET story_id = {mark} WHERE url_key = {mark}", (story, key))
    conn.execute(f"DELETE FROM band_articles WHERE article = {mark}", (article,))
    if keys:
        conn.cursor().executemany(
            f"INSERT INTO band_articles (band, article) VALUES ({mark}, {mark})",
            [(band, article) for band in keys],
        )
    return story


def backfill(store, mark: str, lock: Callable[[Sequence[str]], None] | None = None) -> int:
    """Give a story to every stored article that has none (a store from before stories: the
    migration adds the column empty), each in its own transaction; returns how many."""
    done = 0
    while rows := store.conn.execute(
        "SELECT rowid AS id, url_key, body FROM articles WHERE story_id IS NULL"
        " ORDER BY url_key LIMIT 500"
    ).fetchall():
        for row in rows:
            with store.transaction() as conn:
                printed = story_print(_body(row["body"]), store.story_options)
                assign_story(conn, mark, row["url_key"], row["id"], printed, store.story_options,
                             lock, lazy=store.lazy_story_reads)  # fmt: skip
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

"""Learned chrome in the store, shared by SQLite and PostgreSQL: each station's lines its own
stored stories repeat (learned by pipelines/chrome.py after each crawl with
pipelines.clean.chrome), and their removal from its stored records.

Table (migration 7 of pipelines/store/schema.py): `chrome`, one row per station and learned
line (its folded text `line_key`): the text as most stories print it, on how many stories
(`pages` of the `stories` of the station, or of the `show` whose line it is) when it was
learned, where in the body it sits most (head, middle, tail), first and last fetch time of
those stories, an example URL and when it was learned.

A learned line stays learned. The stored records follow it: `apply_chrome` removes the station's
lines from each of its stored records that holds one, in place (same version, same content_hash:
the page's own text did not change), so a stored record is always what the cleaner makes of its
page with the station's chrome, and a crawl that fetches the page again finds it unchanged.
Nothing here knows how a line is learned or removed: the caller gives the lines, the records
that hold them and the rewrite.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from pipelines.store.base import marks
from pipelines.store.schema import CHROME, JSON_FIELDS

_COLUMNS = tuple(column.name for column in CHROME.columns)
# A stored record's body, headings and clutter -> the record fields that change without the
# chrome (pipelines.clean.chrome.strip_stored), or None when it holds none.
Rewrite = Callable[[dict[str, Any]], dict[str, Any] | None]


def read_snapshot(db: str) -> dict[str, frozenset[str]]:
    """The learned lines of every station in the store `db` (a path or DSN), read once; none
    when `db` is a SQLite file that does not exist (a one-off page makes no store)."""
    from pipelines.store import POSTGRES_SCHEMES, open_store  # the package imports this module

    if not db.startswith(POSTGRES_SCHEMES) and not Path(db).exists():
        return {}

    with open_store(db) as store:
        return store.chrome_snapshot()


def read_chrome(conn, mark: str, station: str) -> list[dict[str, Any]]:
    """The learned lines of `station`, most pages first (text, pages, stories, share, show,
    position, first_seen, last_seen, example_url)."""
    rows = conn.execute(
        "SELECT text, pages, stories, show, position, first_seen, last_seen, example_url"
        f" FROM chrome WHERE station = {mark} ORDER BY pages DESC, text",
        (station,),
    )
    return [{**row, "share": round(row["pages"] / row["stories"], 3)} for row in map(dict, rows)]


def snapshot(conn) -> dict[str, frozenset[str]]:
    """Every station's learned lines, folded: what the cleaner is given for a run."""
    found: dict[str, set[str]] = {}
    for row in conn.execute("SELECT station, line_key FROM chrome"):
        found.setdefault(row["station"], set()).add(row["line_key"])
    return {station: frozenset(keys) for station, keys in found.items()}


def station_bodies(conn, mark: str, station: str, load: Callable[[Any], Any]) -> list[dict]:
    """The latest body of each of the station's stored records: url_key, url, fetched_at, body,
    show."""
    rows = conn.execute(
        "SELECT url_key, canonical_url AS url, fetched_at, body, show FROM articles"
        f" WHERE station = {mark}",
        (station,),
    )
    return [{**row, "body": load(row["body"])} for row in map(dict, rows)]


def save_chrome(conn, mark: str, station: str, lines: Iterable[dict[str, Any]], now: str) -> None:
    """Add newly learned lines of `station` (a line learned before keeps its row)."""
    for line in lines:
        values = {**line, "station": station, "learned_at": now}
        conn.execute(
            f"INSERT INTO chrome ({', '.join(_COLUMNS)}) VALUES ({marks(mark, len(_COLUMNS))})"
            " ON CONFLICT DO NOTHING",
            [values[name] for name in _COLUMNS],
        )


def apply_chrome(
    conn,
    mark: str,
    station: str,
    keys: Sequence[str],
    rewrite: Rewrite,
    load: Callable[[Any], Any],
    dump: Callable[[Any], Any],
    shingled: Callable[[list[str]], bytes],
) -> int:
    """Rewrite these stored records of the station (`keys`: url_keys, sorted; their latest
    version, in place) with `rewrite`, their `shingles` column with `shingled` (of the new body);
    return how many paragraphs went."""
    rows = conn.execute(
        "SELECT url_key, version, body, headings, clutter FROM articles"
        f" WHERE station = {mark} AND url_key IN ({marks(mark, len(keys))})"
        " ORDER BY url_key",
        (station, *keys),
    ).fetchall()
    removed = 0
    for row in rows:
        stored = {name: load(row[name]) for name in ("body", "headings", "clutter")}
        changed = rewrite(stored)
        if changed is None:
            continue
        key, version = row["url_key"], row["version"]
        values = [dump(v) if name in JSON_FIELDS else v for name, v in changed.items()]
        if not conn.execute(
            f"UPDATE articles SET {', '.join(f'{name} = {mark}' for name in changed)},"
            f" shingles = {mark} WHERE url_key = {mark} AND version = {mark}",
            [*values, shingled(changed["body"]), key, version],
        ).rowcount:
            continue  # a new version written meanwhile (another worker): left to it
        removed += len(stored["body"]) - len(changed["body"])
        record = conn.execute(
            f"SELECT record FROM article_versions WHERE url_key = {mark} AND version = {mark}",
            (key, version),
        ).fetchone()["record"]
        conn.execute(
            f"UPDATE article_versions SET record = {mark} WHERE url_key = {mark}"
            f" AND version = {mark}",
            (dump({**load(record), **changed}), key, version),
        )
    return removed

"""Story identity (issue 17): near-duplicate bodies share a story_id through the store's LSH
index, on SQLite and PostgreSQL alike; groups do not depend on the order articles arrive in."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from crawler.fixtures import all_fixtures
from pipelines.core.items import ArticleRecord
from pipelines.core.urls import url_key
from pipelines.store import open_store
from pipelines.store.base import NEW, UPDATED
from pipelines.store.export import export
from pipelines.store.stories import CandidateReads, matching_stories, shingles_column, similar
from pipelines.stories import (
    MINHASH_SEED,
    StoryOptions,
    band_keys,
    distinct,
    minhash,
    overlap,
    shingle_hashes,
    shingles,
    similarity,
    similarity_bounds,
    story_id_of,
    story_print,
)
from tests.conftest import run_cli
from tests.old_stores import sqlite_store_at

ARTICLES = [
    ArticleRecord(**f.expected)
    for f in all_fixtures()
    if f.meta["station"] and "not_article" not in f.expected and f.expected["word_count"] > 200
]
SOURCE, OTHER, THIRD = ARTICLES[0], ARTICLES[1], ARTICLES[2]
INTRO = "Good morning from the breakfast show: here is the story everyone is talking about."
PROMO = "Listen live on the app, and enter our competition to win tickets all this week."


def copy(record: ArticleRecord, station: str, body: list[str], published: str | None = None):
    """A syndicated copy of `record` on another station's site."""
    url = f"https://www.{station}.example/news/{record.canonical_url.rstrip('/').rsplit('/')[-1]}"
    return dataclasses.replace(
        record, url=url, canonical_url=url, station=station, body=body,
        content_hash=f"{station}-{len(body)}", published=published or record.published,
    )  # fmt: skip


def copies_of(record: ArticleRecord) -> list[ArticleRecord]:
    """Three copies the way group stations carry one story: an intro, a promo, a trim."""
    return [
        copy(record, "heartcopy", [INTRO, *record.body]),
        copy(record, "smoothcopy", [*record.body, PROMO]),
        copy(record, "capitalcopy", [INTRO, *record.body[:-1], PROMO]),
    ]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.services)])
def target(request, tmp_path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "stories.db")
    return request.getfixturevalue("pg_dsn")


def groups(store) -> set[frozenset[str]]:
    """The stored partition: the set of canonical URLs of each story."""
    return {frozenset(c["canonical_url"] for c in s["copies"]) for s in store.stories()}


def test_shingles_and_similarity():
    grams = shingles(["One two, THREE four five."], 4)
    assert grams == {"one two three four", "two three four five"}
    assert shingles(["Too short"], 4) == {"too short"} and shingles([], 4) == frozenset()
    assert shingles(["One two", "three four five"], 4) == grams  # shingles span paragraphs
    assert shingles(["end", "start"], 1) == {"end", "start"}  # words do not
    hashes = shingle_hashes(grams)
    assert similarity(hashes, hashes) == 1.0
    assert similarity(hashes, shingle_hashes(shingles(["one two three four"], 4))) == 0.5
    assert similarity(hashes, shingle_hashes(frozenset())) == 0.0


@pytest.mark.parametrize(
    "grams", [["one two", "ünïcode wörds", "x"], ["a\nb", "", "c"], [""], ["\n"], []]
)
def test_shingle_hashes_are_the_first_8_bytes_of_each_shingles_sha1(grams):
    """Stored shingles and band keys are made of these numbers: bit for bit the definition,
    for shingles holding a newline or nothing too."""
    digests = [hashlib.sha1(gram.encode()).digest()[:8] for gram in grams]
    expected = sorted(int.from_bytes(digest, "little") for digest in digests)
    hashes = shingle_hashes(grams)
    assert hashes.dtype == np.dtype("<u8") and hashes.tolist() == expected
    assert hashes.tobytes() == np.array(expected, dtype="<u8").tobytes()


def test_overlap_is_similarity_of_distinct_numbers():
    """The merge the matcher compares candidates by gives similarity's figure to the last bit;
    numbers held twice (two shingles sharing 64 bits of SHA-1) are told apart, and compared
    by similarity instead (pipelines.store.stories.matching_stories)."""
    rng = np.random.default_rng(17)
    pool = rng.integers(0, 2**64, 600, dtype=np.uint64, endpoint=False)
    empty = shingle_hashes(frozenset())
    for _ in range(200):
        a = np.sort(rng.choice(pool, rng.integers(1, 300), replace=False)).astype("<u8")
        b = np.sort(rng.choice(pool, rng.integers(1, 300), replace=False)).astype("<u8")
        assert distinct(a) and distinct(b)
        assert overlap(a, b) == similarity(a, b) and overlap(b, a) == similarity(b, a)
    assert overlap(a, empty) == similarity(a, empty) == 0.0 == overlap(empty, empty)
    bodies = [shingle_hashes(shingles(r.body, 4)) for r in (SOURCE, *copies_of(SOURCE), OTHER)]
    assert {overlap(x, y) == similarity(x, y) for x in bodies for y in bodies} == {True}
    assert not distinct(np.array([1, 2, 2, 3], dtype="<u8")) and distinct(empty)


def test_similar_says_what_similarity_says_with_numbers_held_twice_or_not():
    """The matcher's test (pipelines.store.stories.similar) takes overlap as an upper bound of
    similarity: a candidate holding a number twice must not pass on the repeat."""
    rng = np.random.default_rng(21)
    pool = rng.integers(0, 2**64, 400, dtype=np.uint64, endpoint=False)
    twice = 0
    for _ in range(400):
        a = np.sort(rng.choice(pool, rng.integers(1, 200), replace=False)).astype("<u8")
        b = np.sort(rng.choice(pool, rng.integers(1, 200), replace=True)).astype("<u8")
        twice += not distinct(b)
        for threshold in (0.1, 0.3, 0.5, 0.7):
            assert overlap(a, b) >= similarity(a, b)
            expected = similarity(a, b) >= threshold
            assert similar(a, b, threshold, exact=distinct(a)) == expected
            assert similar(a, b, threshold, exact=False) == expected
    assert twice > 100  # the case that matters was met
    held_twice = np.array([1, 2, 2, 3], dtype="<u8")
    one = np.array([1, 2, 4, 5], dtype="<u8")
    assert overlap(one, held_twice) >= 0.5 > similarity(one, held_twice)
    assert not similar(one, held_twice, 0.5, exact=True)


def end_to_end(others: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Shingle sets as similarity_bounds takes them: laid end to end, and where each starts."""
    return np.concatenate(others), np.cumsum([0, *(other.size for other in others)])


def test_similarity_bounds_are_never_below_similarity():
    """The matcher passes over a candidate whose bound is under the threshold: the bound must
    never be below similarity, whatever the other holds (numbers twice, numbers that share
    their low 16 bits with the article's and no more, nothing)."""
    rng = np.random.default_rng(23)
    pool = rng.integers(0, 2**64, 500, dtype=np.uint64, endpoint=False)
    empty = shingle_hashes(frozenset())
    for _ in range(100):
        a = np.sort(rng.choice(pool, rng.integers(1, 300), replace=False)).astype("<u8")
        alike = a[: rng.integers(0, a.size + 1)] ^ np.uint64(1 << 40)  # same low 16 bits
        others = [
            np.sort(rng.choice(pool, rng.integers(0, 200), replace=False)).astype("<u8"),
            np.sort(rng.choice(pool, rng.integers(0, 200), replace=True)).astype("<u8"),
            np.sort(np.concatenate((alike, rng.choice(a, a.size // 2)))).astype("<u8"),
            empty,
        ]
        bounds = similarity_bounds(a, *end_to_end(others))
        assert len(bounds) == len(others) and bounds[-1] == 0.0
        for bound, other in zip(bounds, others, strict=True):
            assert bound >= similarity(a, other)
        assert bounds[2] == others[2].size / a.size  # every number of it counted in common
    bodies = [shingle_hashes(shingles(r.body, 4)) for r in (SOURCE, *copies_of(SOURCE), OTHER)]
    for x in bodies:
        bounds = similarity_bounds(x, *end_to_end(bodies))
        assert (bounds >= [similarity(x, y) for y in bodies]).all()
        assert similarity_bounds(x, *end_to_end([x]))[0] == 1.0
    assert similarity_bounds(x, *end_to_end([empty, empty])).tolist() == [0.0, 0.0]


def test_band_keys_are_stable_and_one_per_band():
    options = StoryOptions()
    keys = band_keys(shingle_hashes(shingles(SOURCE.body, options.shingle)), options)
    assert len(keys) == options.bands and len(set(keys)) == options.bands
    assert keys == band_keys(shingle_hashes(shingles(list(SOURCE.body), options.shingle)), options)
    assert band_keys(shingle_hashes(frozenset()), options) == []


def test_signatures_are_datasketchs_so_stored_band_keys_stay_valid():
    from datasketch import MinHash  # a test dependency: the crawl computes it with numpy

    permutations = StoryOptions().bands * StoryOptions().rows
    bodies = [f.expected["body"] for f in all_fixtures() if f.expected.get("body")]
    for body in [*bodies, SOURCE.body, ["Too short"]]:
        grams = sorted(shingles(body, 4))
        reference = MinHash(num_perm=permutations, seed=MINHASH_SEED, scheme="affine32")
        reference.update_batch([gram.encode() for gram in grams])
        ours = minhash(shingle_hashes(grams), permutations)
        assert ours.dtype == reference.hashvalues.dtype
        assert ours.tolist() == reference.hashvalues.tolist()


def test_copies_share_the_founders_story_and_the_original_is_the_earliest(target):
    with open_store(target) as store:
        assert store.save_record(SOURCE) == NEW
        founder, count = store.story_of(SOURCE.canonical_url)
        assert count == 1
        early = copy(SOURCE, "earlycopy", [INTRO, *SOURCE.body], "2020-01-01T09:00:00+00:00")
        for record in [*copies_of(SOURCE), early, OTHER]:
            store.save_record(record)
        assert store.story_of(early.canonical_url) == (founder, 5)  # the id stays the founder's
        assert store.story_of(OTHER.canonical_url)[1] == 1
        story = next(s for s in store.stories() if s["story_id"] == founder)
        assert story["original_url"] == early.canonical_url
        assert story["first_published"] == "2020-01-01T09:00:00+00:00"
        assert story["stations"] == sorted({"earlycopy", "heartcopy", "smoothcopy",
                                            "capitalcopy", SOURCE.station})  # fmt: skip
        assert story["copies"][0]["url"] == early.url and len(story["copies"]) == 5
        since = store.stories(since=SOURCE.published)
        assert founder not in {s["story_id"] for s in since}  # first published in 2020
        stored = {r["canonical_url"]: r["story_id"] for r in store.records()}
        assert stored[SOURCE.canonical_url] == founder != stored[OTHER.canonical_url]


def shuffled(records: list[ArticleRecord], seed: int) -> list[ArticleRecord]:
    order = list(records)
    random.Random(seed).shuffle(order)
    return order


def test_any_order_gives_the_same_groups(tmp_path):
    records = [SOURCE, *copies_of(SOURCE), OTHER, *copies_of(OTHER), THIRD]
    orders = [records, records[::-1], *(shuffled(records, seed) for seed in range(4))]
    found = []
    for n, order in enumerate(orders):
        with open_store(tmp_path / f"order{n}.db") as store:
            for record in order:
                store.save_record(record)
            found.append(groups(store))
    assert len(found[0]) == 3
    assert all(partition == found[0] for partition in found)


def test_a_bridging_copy_merges_two_stories_into_the_smaller_id(tmp_path):
    half = len(SOURCE.body) // 2
    head = copy(SOURCE, "headcopy", SOURCE.body[: half + 1])
    tail = copy(SOURCE, "tailcopy", SOURCE.body[half - 1 :])
    options = StoryOptions(threshold=0.45)
    with open_store(tmp_path / "bridge.db", stories=options) as store:
        store.save_record(head)
        store.save_record(tail)
        apart = {store.story_of(head.canonical_url)[0], store.story_of(tail.canonical_url)[0]}
        assert len(apart) == 2  # each half is too unlike the other
        store.save_record(SOURCE)  # the whole story is like both halves
        assert store.story_of(SOURCE.canonical_url) == (min(apart), 3)
        assert store.story_of(tail.canonical_url) == (min(apart), 3)


def matched_by_reading_everything(store, hashes, keys, options: StoryOptions) -> set[str]:
    """What matching_stories must find, read the long way: every stored article sharing a band
    key, the first max_candidates of them by URL key, each compared by similarity."""
    rows = store.conn.execute(
        "SELECT a.url_key, a.story_id, a.shingles FROM articles a WHERE a.rowid IN"
        f" (SELECT article FROM band_articles WHERE band IN ({', '.join('?' * len(keys))}))"
        " ORDER BY a.url_key",
        keys,
    ).fetchall()[: options.max_candidates]
    return {
        row["story_id"]
        for row in rows
        if similarity(hashes, np.frombuffer(row["shingles"], dtype="<u8")) >= options.threshold
    }


@pytest.mark.parametrize("max_candidates", [200, 3, 1])
def test_the_matcher_finds_the_stories_of_the_first_candidates_by_url_key(tmp_path, max_candidates):
    """The matcher reads its candidates unsorted when they are no more than max_candidates,
    else the first max_candidates by URL key, and (SQLite) the shingles of a story's first
    candidate, then of its others only when the first was not alike: read lazily or at once,
    the stories of comparing them all."""
    half = len(SOURCE.body) // 2
    head = copy(SOURCE, "headcopy", SOURCE.body[: half + 1])
    tail = copy(SOURCE, "tailcopy", SOURCE.body[half - 1 :])
    options = StoryOptions(threshold=0.45, max_candidates=max_candidates)
    with open_store(tmp_path / "candidates.db", stories=options) as store:
        for record in (head, tail, SOURCE, OTHER, THIRD, *copies_of(OTHER), *copies_of(SOURCE)):
            store.save_record(record)
        probes = [
            copy(SOURCE, "zzcopy", SOURCE.body[half:]),
            copy(SOURCE, "aacopy", SOURCE.body),
            copy(OTHER, "mmcopy", [INTRO, *OTHER.body]),
            copy(THIRD, "x", [PROMO]),
        ]
        found = []
        for probe in probes:
            hashes, keys = story_print(probe.body, options)
            lazily, at_once = (
                matching_stories(store.conn, "?", 0, hashes, keys, options, lazy=lazy)
                for lazy in (CandidateReads(), None)
            )
            assert lazily == at_once == matched_by_reading_everything(store, hashes, keys, options)
            found.append(lazily)
        if max_candidates == 200:
            assert found[0] == found[1] == {store.story_of(SOURCE.canonical_url)[0]}
            assert found[2] == {store.story_of(OTHER.canonical_url)[0]} and found[3] == set()


def test_past_max_candidates_the_first_by_url_key_are_compared(tmp_path):
    """A body made of two unlike stories' is like both; with room for one candidate only the
    story of the first by URL key is found."""
    one, two = THIRD, ARTICLES[3]  # each shares band keys with their joined bodies
    both = copy(one, "both", [*one.body, *two.body])
    first = min((one, two), key=lambda record: url_key(record.canonical_url))
    for limit, expected in ((200, (one, two)), (1, (first,))):
        options = StoryOptions(threshold=0.3, max_candidates=limit)
        with open_store(tmp_path / f"first{limit}.db", stories=options) as store:
            store.save_record(one)
            store.save_record(two)
            hashes, keys = story_print(both.body, options)
            expected_stories = {store.story_of(r.canonical_url)[0] for r in expected}
            for lazy in (CandidateReads(), None):
                found = matching_stories(store.conn, "?", 0, hashes, keys, options, lazy=lazy)
                assert found == expected_stories


def test_an_edited_article_keeps_its_story_and_its_band_rows_are_replaced(tmp_path):
    with open_store(tmp_path / "edit.db") as store:
        store.save_record(SOURCE)
        story, _ = store.story_of(SOURCE.canonical_url)
        edited = dataclasses.replace(SOURCE, body=[*SOURCE.body, PROMO], content_hash="edited")
        assert store.save_record(edited) == UPDATED
        assert store.story_of(SOURCE.canonical_url) == (story, 1)
        rows = store.conn.execute("SELECT COUNT(*) FROM band_articles").fetchone()[0]
        assert rows == StoryOptions().bands


def test_a_new_article_is_matched_through_the_band_index_not_a_scan(tmp_path):
    with open_store(tmp_path / "plan.db") as store:
        keys = band_keys(shingle_hashes(shingles(SOURCE.body, 4)), StoryOptions())
        bands = f"SELECT article FROM band_articles WHERE band IN ({', '.join('?' * len(keys))})"
        plan = store.conn.execute(  # the queries of pipelines.store.stories.matching_stories
            f"EXPLAIN QUERY PLAN SELECT rowid, story_id FROM articles WHERE rowid IN ({bands})"
            " AND rowid <> ? LIMIT 201",
            [*keys, 0],
        ).fetchall()
        details = " ".join(row["detail"] for row in plan)
        assert "SEARCH band_articles USING" in details and "SCAN band_articles" not in details
        assert "SEARCH articles USING INTEGER PRIMARY KEY" in details  # each by its rowid
        assert "SCAN articles" not in details
        plan = store.conn.execute(  # the first max_candidates by URL key, when more
            "EXPLAIN QUERY PLAN SELECT rowid, story_id FROM articles"
            " WHERE story_id IS NOT NULL AND url_key IN (SELECT url_key FROM articles"
            f" WHERE rowid IN ({bands}) AND rowid <> ? ORDER BY url_key LIMIT 200)",
            [*keys, 0],
        ).fetchall()
        details = " ".join(row["detail"] for row in plan)
        assert "SEARCH band_articles USING" in details and "SCAN band_articles" not in details
        # each candidate's URL key is read by its rowid, its story from the index alone
        assert "SEARCH articles USING INTEGER PRIMARY KEY" in details
        assert "SEARCH articles USING COVERING INDEX articles_key_story" in details
        assert "SCAN articles" not in details
        plan = store.conn.execute(  # and of its reads of the candidates' shingles (SQLite)
            "EXPLAIN QUERY PLAN SELECT rowid, shingles FROM articles"
            " WHERE rowid IN (SELECT value FROM json_each(?))",
            ("[1, 2]",),
        ).fetchall()
        details = " ".join(row["detail"] for row in plan)
        assert "SEARCH articles USING INTEGER PRIMARY KEY" in details
        assert "SCAN articles" not in details
        plan = store.conn.execute(
            "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM articles WHERE story_id = ?", ("s",)
        ).fetchall()
        assert "articles_story" in " ".join(row["detail"] for row in plan)


def test_exports_and_the_stories_view_carry_the_story(tmp_path):
    db = tmp_path / "view.db"
    with open_store(db) as store:
        for record in [SOURCE, *copies_of(SOURCE), OTHER]:
            store.save_record(record)
        out = tmp_path / "all.csv"
        export(store.records(), "csv", str(out))
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[-1] == "story_id"
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = conn.execute("SELECT * FROM stories ORDER BY copies DESC").fetchall()
    assert [(row["copies"], row["stations"]) for row in rows] == [(4, 4), (1, 1)]
    assert rows[0]["headline"] == SOURCE.title


def test_a_store_from_before_stories_is_backfilled(target):
    with open_store(target) as store:
        for record in [SOURCE, *copies_of(SOURCE), OTHER]:
            store.save_record(record)
        with store.transaction() as conn:  # as the migration leaves an older store
            conn.execute("DELETE FROM band_articles")
            conn.execute("UPDATE articles SET story_id = NULL")
        assert store.story_of(SOURCE.canonical_url) == (None, 0)
        assert store.backfill_stories() == 5
        assert store.backfill_stories() == 0
        assert {len(group) for group in groups(store)} == {4, 1}
        late = copy(SOURCE, "latecopy", [INTRO, *SOURCE.body])
        store.save_record(late)  # the backfilled bands find it
        assert store.story_of(late.canonical_url)[1] == 5


def stored_shingles(store, record: ArticleRecord) -> list[int]:
    """The numbers an article's `shingles` column holds."""
    row = store.conn.execute(
        f"SELECT shingles FROM articles WHERE canonical_url = {store.mark}",
        (record.canonical_url,),
    ).fetchone()
    return np.frombuffer(row["shingles"], dtype="<u8").tolist()


def test_an_article_keeps_its_shingles_and_its_copies_are_compared_with_them(target):
    with open_store(target) as store:
        store.save_record(SOURCE)
        expected = shingle_hashes(shingles(SOURCE.body, 4)).tolist()
        assert stored_shingles(store, SOURCE) == expected
        with store.transaction() as conn:  # what the matcher reads is the column, not the body
            conn.execute(f"UPDATE articles SET body = {store.mark}", (store.to_json(["x"]),))
        store.save_record(copies_of(SOURCE)[0])
        assert store.story_of(SOURCE.canonical_url)[1] == 2


def test_articles_from_before_shingles_are_compared_by_their_body(target):
    with open_store(target) as store:
        for record in (SOURCE, OTHER):
            store.save_record(record)
        with store.transaction() as conn:  # as migration 8 leaves an older store
            conn.execute("UPDATE articles SET shingles = NULL")
        store.save_record(copies_of(SOURCE)[0])
        assert store.story_of(SOURCE.canonical_url)[1] == 2


def test_a_candidate_whose_shingles_hold_a_number_twice_is_compared_number_by_number(tmp_path):
    """Two shingles sharing 64 bits of SHA-1 (a column holding a number twice): the matcher
    compares that candidate by similarity, whose figure counts the new body's numbers found."""
    with open_store(tmp_path / "twice.db") as store:
        store.save_record(SOURCE)
        numbers = np.array(stored_shingles(store, SOURCE), dtype="<u8")
        twice = np.sort(np.concatenate((numbers, numbers[:1]))).astype("<u8")
        assert not distinct(twice)
        with store.transaction() as conn:
            conn.execute("UPDATE articles SET shingles = ?", (twice.tobytes(),))
        near = copies_of(SOURCE)[0]
        expected = similarity(shingle_hashes(shingles(near.body, 4)), twice) >= 0.5
        store.save_record(near)
        assert store.story_of(SOURCE.canonical_url)[1] == (2 if expected else 1)


def test_a_body_rewritten_without_chrome_gets_its_shingles_anew(target):
    with open_store(target) as store:
        store.save_record(SOURCE)
        key = url_key(SOURCE.canonical_url)
        removed = store.keep_chrome(
            SOURCE.station, [], [key], lambda row: {"body": row["body"][1:]}
        )
        assert removed == 1
        expected = shingle_hashes(shingles(SOURCE.body[1:], 4)).tolist()
        assert stored_shingles(store, SOURCE) == expected


@pytest.mark.services
def test_workers_storing_copies_at_once_make_one_story(pg_dsn):
    writers = 6
    start = threading.Barrier(writers)
    records = [
        copy(SOURCE, f"worker{n}copy", [f"{INTRO} ({n})", *SOURCE.body]) for n in range(writers)
    ]

    def write(record: ArticleRecord) -> None:
        with open_store(pg_dsn) as store:
            start.wait()
            store.save_record(record)

    with ThreadPoolExecutor(writers) as pool:
        list(pool.map(write, records))
    with open_store(pg_dsn) as store:
        assert {len(group) for group in groups(store)} == {writers}


def test_export_fields_take_story_id(tmp_path):
    db = tmp_path / "export.db"
    with open_store(db) as store:
        for record in [SOURCE, *copies_of(SOURCE)]:
            store.save_record(record)
    run = run_cli("export", "--db", str(db), "--format", "csv", "--fields", "story_id,station")
    assert run.code == 0, run.stderr
    rows = run.stdout.splitlines()
    assert rows[0] == "story_id,station" and len({row.split(",")[0] for row in rows[1:]}) == 1


def test_a_store_from_before_band_articles_keeps_its_band_index(tmp_path):
    """Migration 10 moves the band rows of a store (story_bands, by URL key) to band_articles (by
    article rowid): a copy stored after the upgrade is found through them."""
    db = tmp_path / "old.db"
    sqlite_store_at(db, 9)
    key = url_key(SOURCE.canonical_url)
    hashes, keys = story_print(SOURCE.body, StoryOptions())
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "INSERT INTO articles (url_key, version, canonical_url, station, body, content_hash,"
            " story_id, shingles, first_seen, last_seen) VALUES (?, 1, ?, ?, ?, ?, ?, ?, 'x', 'x')",
            (key, SOURCE.canonical_url, SOURCE.station, json.dumps(SOURCE.body),
             SOURCE.content_hash, story_id_of(key), shingles_column(hashes)),
        )  # fmt: skip
        conn.executemany("INSERT INTO story_bands VALUES (?, ?)", [(band, key) for band in keys])
    conn.close()
    with open_store(db) as store:
        moved = store.conn.execute(
            "SELECT band FROM band_articles b JOIN articles a ON a.rowid = b.article"
            " WHERE a.url_key = ?", (key,)
        ).fetchall()  # fmt: skip
        assert sorted(row["band"] for row in moved) == sorted(keys)
        late = copy(SOURCE, "latecopy", [INTRO, *SOURCE.body])
        assert store.save_record(late) == NEW
        assert store.story_of(late.canonical_url) == (story_id_of(key), 2)


def test_vacuum_keeps_the_rowids_the_band_index_and_the_search_index_point_at(tmp_path):
    """band_articles and articles_fts name articles by SQLite's rowid, which VACUUM may renumber
    in a table without an INTEGER PRIMARY KEY (SQLite's documentation): this holds the SQLite
    we run to keeping them, with a gap left by a deleted article before the others."""
    with open_store(tmp_path / "vacuum.db") as store:
        for record in (SOURCE, OTHER, THIRD):
            store.save_record(record)
        gone = store.conn.execute(
            "SELECT rowid FROM articles WHERE canonical_url = ?", (SOURCE.canonical_url,)
        ).fetchone()[0]
        with store.conn:
            store.conn.execute("DELETE FROM band_articles WHERE article = ?", (gone,))
            store.conn.execute("DELETE FROM article_versions WHERE url_key IN (SELECT url_key"
                               " FROM articles WHERE rowid = ?)", (gone,))  # fmt: skip
            store.conn.execute("DELETE FROM articles WHERE rowid = ?", (gone,))
        before = store.conn.execute("SELECT rowid, url_key FROM articles").fetchall()
        store.conn.execute("VACUUM")
        assert store.conn.execute("SELECT rowid, url_key FROM articles").fetchall() == before
        word = max(OTHER.body[0].split(), key=len).strip(".,;:!?\"'“”‘’")
        assert OTHER.canonical_url in {hit.canonical_url for hit in store.search(word)}
        third = copy(THIRD, "heartcopy", [INTRO, *THIRD.body])
        store.save_record(third)
        assert store.story_of(third.canonical_url) == (store.story_of(THIRD.canonical_url)[0], 2)


def stored_stories(path, records, options: StoryOptions, batched: bool):
    """Each record's (story, copies) once all are stored, in one transaction or one each."""
    with open_store(path, stories=options) as store:
        if batched:
            with store.transaction():
                for record in records:
                    store.save_record(record)
                # what the batch holds of the articles it read is what the store holds
                reads, rows = (
                    store.lazy_story_reads,
                    store.conn.execute("SELECT rowid, story_id, shingles FROM articles").fetchall(),
                )
                stored = {rowid: (story, shingles) for rowid, story, shingles in rows}
                assert reads.stories and reads.shingled
                assert all(stored[rowid][0] == story for rowid, story in reads.stories.items())
                assert all(stored[rowid][1] == read[0] for rowid, read in reads.shingled.items())
        else:
            for record in records:
                store.save_record(record)
        return [store.story_of(record.canonical_url) for record in records]


def test_what_a_batch_reads_of_its_candidates_is_what_it_wrote(tmp_path):
    """Within one transaction the store reads each candidate's story and shingles once
    (CandidateReads): an article whose body changes in that transaction is matched by its new
    shingles, and one whose story was merged into another by its new story, as when each
    record is stored in its own transaction."""
    edited = dataclasses.replace(SOURCE, body=OTHER.body, content_hash="edited")
    records = [SOURCE, copy(SOURCE, "early", SOURCE.body), edited, copy(OTHER, "late", OTHER.body)]
    one, two = THIRD, ARTICLES[3]  # a body of both links their stories (threshold 0.3)
    merging = [one, two, copy(one, "both", [*one.body, *two.body]), copy(two, "late", two.body)]
    found = {}
    for name, stored, options in (
        ("edit", records, StoryOptions()),
        ("merge", merging, StoryOptions(threshold=0.3)),
    ):
        found[name], alone = (
            stored_stories(tmp_path / f"{name}{batch}.db", stored, options, batch)
            for batch in (True, False)
        )
        assert found[name] == alone
    # the late copy is like the edited article (its new body) and joins its story
    edit = found["edit"]
    assert edit[3] == edit[2] == (edit[0][0], 3)
    # the merged story holds all four, the late copy of the story merged away included
    merge = found["merge"]
    assert len({story for story, _ in merge}) == 1 and merge[3][1] == 4

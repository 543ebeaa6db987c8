"""Crash and resume: a crawl killed with SIGKILL at random points, restarted until it finishes,
leaves a store identical to an uninterrupted crawl's; `export -o` is atomic.

The site (tests/faultsite.py) serves 150 generated articles on 127.0.0.1. The random kill
points come from a seed printed in every failure message; set RADIOSCRAPE_CRASH_SEED to replay.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.demo_site import LocalSite
from pipelines.core.fetch import DISCOVERY
from pipelines.store.export import export
from tests.conftest import ROOT
from tests.faultsite import generate, generated_routes

ARTICLES = generate(150)
KILLS = 4
PARTS = ("articles", "versions", "fetch_state", "documents")  # what must be equal
SEED = int(os.environ.get("RADIOSCRAPE_CRASH_SEED", time.time_ns() % 1_000_000))


@pytest.fixture(scope="module")
def site():
    with LocalSite() as served:
        served.routes.update(generated_routes(served.url, ARTICLES))
        yield served


def crawl_args(site, db: Path) -> list[str]:
    """The crawl, its store writes in batches of 4 records: transactions of several records,
    and small enough that a kill after a number of rows lands before the crawl ends (batches
    of 64 made the stored count jump to the end: 'the last kill came too late')."""
    return [sys.executable, "-m", "crawler.cli", "crawl", "--station", "jacaranda",
            "--url", f"{site.url}/", "--db", str(db), "-s", "RADIOSCRAPE_STORE_BATCH=4",
            "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]  # fmt: skip


def count_rows(db: Path) -> int:
    """Stored article versions so far (0 while the store does not exist yet)."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return conn.execute("SELECT COUNT(*) FROM article_versions").fetchone()[0]
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0


def kill_at(args: list[str], db: Path, rows: int, jitter: float) -> int:
    """Start a crawl; SIGKILL it `jitter` seconds after the store exists and holds `rows`
    versions (or when it ends by itself). Return the versions stored at the kill."""
    child = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while (
        child.poll() is None
        and (not db.exists() or count_rows(db) < rows)
        and time.monotonic() < deadline
    ):
        time.sleep(0.01)
    time.sleep(jitter)
    child.send_signal(signal.SIGKILL)
    child.wait()
    return count_rows(db)


def snapshot(db: Path) -> dict[str, object]:
    """Everything a crawl leaves in the store, minus the fetch and run times."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        articles = {}
        for row in conn.execute("SELECT * FROM articles"):
            record = dict(row)
            for name in ("fetched_at", "first_seen", "last_seen"):
                record.pop(name)
            articles[row["url_key"]] = record
        versions = {}
        for row in conn.execute("SELECT * FROM article_versions"):
            record = json.loads(row["record"])  # a half-written record would not parse
            record.pop("fetched_at")
            versions[(row["url_key"], row["version"])] = (row["content_hash"], record)
        states, dates, documents = {}, {}, set()
        for row in conn.execute("SELECT * FROM fetch_state"):
            if row["kind"] == DISCOVERY:
                documents.add(row["url"])
                continue
            states[row["url_key"]] = (row["url"], row["kind"], row["etag"], row["content_hash"])
            dates[row["url_key"]] = row["lastmod"]
    finally:
        conn.close()
    return {"articles": articles, "versions": versions, "fetch_state": states,
            "documents": documents, "dates": dates}  # fmt: skip


def wrong_dates(resumed: dict[str, object], expected: dict[str, object]) -> list[str]:
    """The articles whose state's source date (lastmod) differs from the uninterrupted crawl's.
    It is the date given by the source that led to the fetch: the sitemap's, or none when the
    feed or the section page (undated) named the URL first, which depends on when the article
    was fetched, as articles are while discovery goes on (in either crawl); an unchanged
    article is not fetched again to take the sitemap's date. So only two dates that differ are
    wrong, not a missing one."""
    dates = resumed["dates"]
    return [key for key, date in expected["dates"].items()
            if None not in (date, dates.get(key)) and dates[key] != date]  # fmt: skip


def test_killed_crawls_resume_to_the_uninterrupted_store(site, tmp_path):
    reference = tmp_path / "reference.db"
    done = subprocess.run(crawl_args(site, reference), cwd=ROOT, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    expected = snapshot(reference)
    assert len(expected["articles"]) == len(ARTICLES)

    rng = random.Random(SEED)
    db = tmp_path / "killed.db"
    args = crawl_args(site, db)
    # The first kill lands anywhere from the store's creation through its migrations and
    # discovery to the first records (not at a time from the process's start, which a faster
    # start-up would move past most of the crawl); each of the others at a random moment after
    # a random number of further records is written.
    thresholds, stored = [], [0]
    for kill in range(KILLS):
        left = len(ARTICLES) - stored[-1]
        rows = stored[-1] + rng.randrange(1, max(2, left // 3)) if kill else 0
        jitter = rng.uniform(0, 0.05) if kill else rng.uniform(0, 0.4)
        thresholds.append(rows)
        stored.append(kill_at(args, db, rows, jitter))
    assert stored[-1] < len(ARTICLES), f"seed {SEED}: the last kill came too late: {stored}"
    resumed = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, f"seed {SEED}: {resumed.stderr}"
    got = snapshot(db)
    message = f"seed {SEED}: kills at {thresholds} ({stored} stored)"
    assert {part: got[part] for part in PARTS} == {p: expected[p] for p in PARTS}, message
    assert wrong_dates(got, expected) == [], message


def test_a_second_crawl_changes_nothing(site, tmp_path):
    db = tmp_path / "twice.db"
    for _ in range(2):
        done = subprocess.run(crawl_args(site, db), cwd=ROOT, capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*), MAX(version) FROM articles").fetchone() == (150, 1)


RECORDS = [{"canonical_url": f"https://a.example/{n}/", "title": f"Story {n}"} for n in range(50)]


def slow_records(fail_at: int | None = None):
    for number, record in enumerate(RECORDS):
        if number == fail_at:
            raise RuntimeError("the store went away")
        yield record


def test_export_that_fails_leaves_the_old_file_and_no_temp_file(tmp_path):
    out = tmp_path / "records.jsonl"
    out.write_text("old export\n")
    with pytest.raises(RuntimeError):
        export(slow_records(fail_at=25), "jsonl", str(out))
    assert out.read_text() == "old export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["records.jsonl"]
    assert export(slow_records(), "jsonl", str(out)) == len(RECORDS)
    assert len(out.read_text().splitlines()) == len(RECORDS)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["records.jsonl"]


def test_export_killed_mid_write_leaves_the_old_file(tmp_path):
    out = tmp_path / "records.csv"
    out.write_text("old export\n")
    script = (
        "import sys, time\n"
        "from pipelines.store.export import export\n"
        "def records():\n"
        "    for n in range(1000):\n"
        "        if n == 10:\n"
        "            print('writing', flush=True)\n"
        "            time.sleep(30)\n"
        "        yield {'canonical_url': f'https://a.example/{n}/', 'body': ['x' * 5000]}\n"
        "export(records(), 'csv', sys.argv[1])\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(out)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout.readline() == "writing\n"
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdout.close()
    assert out.read_text() == "old export\n"


def test_export_file_has_the_usual_permissions(tmp_path):
    out = tmp_path / "records.jsonl"
    umask = os.umask(0o022)
    try:
        export(slow_records(), "jsonl", str(out))
    finally:
        os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644

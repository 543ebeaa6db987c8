"""Hostile sites and failing stores (issue 12, items 1, 2 and 7): real crawls of sites on
127.0.0.1 into real SQLite files, with another process holding the write lock, the schema
changed underneath, a full disk, and broken or newer store files.

A record that could not be stored is an error (errors/store): the run is partial (exit 1), or
a failure (exit 2) when nothing could be stored, the page's fetch state is not saved, and the
next run fetches and stores it. A page whose canonical URL is another station's is kept under
its own URL (filtered/foreign-canonical) and never replaces that station's story.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from crawler.demo_site import LocalSite, Resource
from crawler.lock import AlreadyRunning, lock_path, store_lock
from pipelines.clean import content_hash
from pipelines.core.items import ArticleRecord
from pipelines.core.urls import url_key
from pipelines.store import open_store
from pipelines.store.base import INTERRUPTED, SchemaTooNew
from pipelines.store.schema import MIGRATIONS
from pipelines.store.sqlite import SQLiteStore
from tests.conftest import FAST, ROOT, run_cli
from tests.faultsite import Article, generate, generated_routes, good_text
from tests.sites import assert_adds_up

HEART_URL = "https://www.heart.co.uk/news/showbiz/heart-story/"


def crawl_args(site: LocalSite, db: Path, report: Path, *settings: str) -> list[str]:
    return [sys.executable, "-m", "crawler.cli", "crawl", "--station", "jacaranda",
            "--url", f"{site.url}/", "--db", str(db), "--report", str(report), *FAST,
            *settings]  # fmt: skip


def served(articles: list[Article], delay: float = 0.0) -> LocalSite:
    """A Jacaranda mirror of `articles` (each answered after `delay` seconds)."""
    site = LocalSite()
    site.routes.update(generated_routes(site.url, articles))
    for article in articles:
        site.routes[article.path] = Resource(article.html.encode(), delay=delay)
    return site


# The fetch states of article requests (the frontier also keeps discovery documents' states).
ARTICLE_STATES = "fetch_state WHERE kind = 'article'"


def rows(db: Path, query: str) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(db, timeout=10)) as conn:
        return conn.execute(query).fetchall()


def count(db: Path, table: str) -> int:
    try:
        return rows(db, f"SELECT COUNT(*) FROM {table}")[0][0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


# --- item 1: a page may not take over another station's story ---------------------------------


def test_a_foreign_canonical_never_replaces_another_stations_story(tmp_path):
    db = tmp_path / "store.db"
    genuine = ArticleRecord(
        url=HEART_URL, canonical_url=HEART_URL, station="heart", station_name="Heart",
        section=None, show=None, title="The real Heart story", standfirst=None, author=None,
        published=None, updated=None, body=[good_text(1)], headings=[], image=None, tags=[],
        embeds=[], language="en", word_count=30, content_hash=content_hash("The real Heart story",
        [good_text(1)]), fetched_at="2026-11-01T00:00:00+00:00", clutter={},
    )  # fmt: skip
    with SQLiteStore(db) as store:
        store.save_record(genuine)
    good = generate(2, "good")
    fake = generate(1, "fake")[0]
    fake_html = fake.html.replace(
        f'href="https://www.jacarandafm.com{fake.path}"', f'href="{HEART_URL}"'
    )
    assert HEART_URL in fake_html
    fake = Article(fake.slug, fake.title, fake.lastmod, fake_html)
    with served([*good, fake]) as site:
        first = run_cli("crawl", "--station", "jacaranda", "--url", f"{site.url}/",
                        "--db", str(db), *FAST, report=tmp_path / "r1.json")  # fmt: skip
        again = run_cli("crawl", "--station", "jacaranda", "--url", f"{site.url}/",
                        "--db", str(db), *FAST, report=tmp_path / "r2.json")  # fmt: skip
    station = first.report["stations"]["jacaranda"]
    assert first.code == 0, first.stderr
    assert station["filtered"] == {"foreign-canonical": 1}
    assert station["new"] == len(good)
    with open_store(db) as store:
        assert store.versions(HEART_URL) == [genuine.to_dict()]  # untouched, one version
        kept = {r["url"]: r for r in store.records()}
    copy = kept[f"{site.url}{fake.path}"]
    assert copy["station"] == "jacaranda" and copy["title"] == fake.title
    assert url_key(copy["canonical_url"]) == url_key(f"{site.url}{fake.path}")
    assert again.code == 0 and again.report["stations"]["jacaranda"]["unchanged"] == 3


# --- item 2: a failing store never ends in success --------------------------------------------

LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


def test_records_the_locked_store_refused_are_errors_and_fetched_again(tmp_path):
    db, report = tmp_path / "store.db", tmp_path / "report.json"
    articles = generate(30, "locked")
    with served(articles, delay=0.15) as site:
        args = crawl_args(site, db, report, "-s", "RADIOSCRAPE_DB_TIMEOUT=0.3",
                          "-s", "CONCURRENT_REQUESTS=2")  # fmt: skip
        crawl = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        wait_for(lambda: count(db, "article_versions") >= 3)
        locker = subprocess.Popen(
            [sys.executable, "-c", LOCKER, str(db), "2.5"], stdout=subprocess.PIPE, text=True
        )
        assert locker.stdout.readline() == "locked\n"
        locker.wait()
        crawl.wait(timeout=120)
        first = json.loads(report.read_text())
        refused = first["stations"]["jacaranda"]["errors"].get("store", 0)
        assert refused >= 1, first
        assert (crawl.returncode, first["status"]) == (1, "partial")
        assert_adds_up(first)
        stored = count(db, "articles")
        assert stored + refused == len(articles)
        # no fetch state for a page whose record was not stored: the next run fetches it
        assert count(db, ARTICLE_STATES) == stored
        second = run_cli(*crawl_args(site, db, tmp_path / "r2.json")[3:])
    assert second.code == 0, second.stderr
    assert count(db, "articles") == len(articles)
    assert rows(db, f"SELECT COUNT(*) FROM {ARTICLE_STATES}")[0][0] == len(articles)


def test_a_schema_changed_underneath_is_an_error_for_every_record_after(tmp_path):
    db, report = tmp_path / "store.db", tmp_path / "report.json"
    articles = generate(20, "schema")
    with served(articles, delay=0.1) as site:
        args = crawl_args(site, db, report, "-s", "CONCURRENT_REQUESTS=2")
        crawl = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        wait_for(lambda: count(db, "article_versions") >= 2)
        with contextlib.closing(sqlite3.connect(db, timeout=30)) as conn:
            conn.execute("ALTER TABLE article_versions RENAME TO article_versions_moved")
        _, stderr = crawl.communicate(timeout=120)
    result = json.loads(report.read_text())
    stored = count(db, "articles")
    assert result["stations"]["jacaranda"]["errors"]["store"] == len(articles) - stored
    assert (crawl.returncode, result["status"]) == (1, "partial")
    assert b"Traceback" not in stderr
    assert count(db, ARTICLE_STATES) == stored


def test_a_run_that_could_store_nothing_is_a_failure(tmp_path):
    db = tmp_path / "store.db"
    with SQLiteStore(db) as store:  # a store whose schema someone changed by hand
        store.conn.execute("ALTER TABLE article_versions RENAME TO article_versions_moved")
    articles = generate(3, "nowhere")
    with served(articles) as site:
        result = run_cli("crawl", "--station", "jacaranda", "--url", f"{site.url}/",
                         "--db", str(db), *FAST, report=tmp_path / "report.json")  # fmt: skip
    assert (result.code, result.report["status"]) == (2, "failure"), result.stdout
    assert result.report["stations"]["jacaranda"]["errors"] == {"store": 3}
    assert count(db, "articles") == count(db, ARTICLE_STATES) == 0


@contextlib.contextmanager
def small_disk(tmp_path: Path, size: int):
    """A folder on a filesystem of `size` bytes (a tmpfs; when mounting is not allowed, the
    child's RLIMIT_FSIZE, which fails writes past `size` with EFBIG the same way), and the
    preexec_fn the child needs."""
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    mounted = shutil.which("mount") and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
    ).returncode == 0  # fmt: skip

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    try:
        yield folder, None if mounted else limit
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_gives_a_failing_run_a_whole_report_and_an_interrupted_row(tmp_path):
    articles = generate(60, "disk")
    # room for a new store (~400 KB with its write-ahead log) and a few records, not for 60
    with small_disk(tmp_path, 480_000) as (disk, preexec), served(articles) as site:
        db, report = disk / "store.db", disk / "report.json"
        report.write_text('{"old": "report"}\n')
        done = subprocess.run(crawl_args(site, db, report), cwd=ROOT, capture_output=True,
                              text=True, timeout=120, preexec_fn=preexec)  # fmt: skip
        assert done.returncode in (1, 2), done.stderr
        assert "Traceback" not in done.stderr
        assert "store" in done.stdout  # the printed report's errors line: "store N"
        text = report.read_text()
        assert text == '{"old": "report"}\n' or json.loads(text)["status"] != "success"
        stored = count(db, "articles")
        assert count(db, ARTICLE_STATES) <= stored < len(articles)
        copy = tmp_path / "copy.db"  # room again: the next run closes the row if unfinished
        with (
            contextlib.closing(sqlite3.connect(db)) as src,
            contextlib.closing(sqlite3.connect(copy)) as dst,
        ):
            src.backup(dst)
    runs_before = rows(copy, "SELECT id, finish_reason FROM runs")
    with SQLiteStore(copy) as store:
        store.begin_run("2026-11-30T00:00:00+00:00")
    runs_after = dict(rows(copy, "SELECT id, finish_reason FROM runs"))
    for run_id, reason in runs_before:
        assert runs_after[run_id] == (reason or INTERRUPTED)


def test_an_unfinished_run_row_is_closed_as_interrupted_by_the_next_run(tmp_path):
    db = tmp_path / "store.db"
    with SQLiteStore(db) as store:
        killed = store.begin_run("2026-11-29T00:00:00+00:00")  # never finished: killed
    with SQLiteStore(db) as store:
        current = store.begin_run("2026-11-29T01:00:00+00:00")
        store.finish_run(current, "2026-11-29T01:05:00+00:00", "finished", [])
    assert rows(db, "SELECT id, finished_at, finish_reason FROM runs ORDER BY id") == [
        (killed, "2026-11-29T01:00:00+00:00", INTERRUPTED),
        (current, "2026-11-29T01:05:00+00:00", "finished"),
    ]


# --- item 7: broken, read-only and newer stores; the lock on the real path --------------------


def _truncated(path: Path) -> None:
    with SQLiteStore(path) as store:
        store.begin_run("2026-11-29T00:00:00+00:00")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _corrupt(path: Path) -> None:
    with SQLiteStore(path):
        pass
    data = bytearray(path.read_bytes())
    data[100:4000] = os.urandom(3900)  # the schema page
    path.write_bytes(bytes(data))


def _not_sqlite(path: Path) -> None:
    path.write_text("id,title\n1,not a database\n" * 50)


def _newer(path: Path) -> None:
    with SQLiteStore(path) as store:
        store.conn.execute("INSERT INTO schema_version VALUES (?, 'later')", (len(MIGRATIONS) + 1,))


@pytest.mark.parametrize(
    ("spoil", "words"),
    [
        (_truncated, "malformed"),
        (_corrupt, "malformed"),
        (_not_sqlite, "not a database"),
        (_newer, "newer"),
    ],
    ids=["truncated", "corrupt", "not-sqlite", "newer-schema"],
)
def test_a_broken_store_is_one_line_and_exit_2(tmp_path, spoil, words):
    db = tmp_path / "store.db"
    spoil(db)
    assert_one_line_exit_2(db, words)


def assert_one_line_exit_2(db: Path, words: str) -> None:
    crawl = run_cli("crawl", "--url", "http://127.0.0.1:9/", "--db", str(db), *FAST)
    export = run_cli("export", "--db", str(db))
    for result in (crawl, export):
        assert result.code == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert any(word in lines[0].lower() for word in words.split("|")), lines[0]


def test_a_read_only_store_is_one_line_and_exit_2(tmp_path):
    """On a filesystem mounted read-only (root writes through file permissions); without
    mount rights, a read-only file in a read-only folder."""
    folder = tmp_path / "ro"
    folder.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], capture_output=True
    ).returncode == 0  # fmt: skip
    if os.geteuid() == 0 and not mounted:
        pytest.skip("root without mount rights writes any file")
    db = folder / "store.db"
    with SQLiteStore(db):
        pass
    for name in ("store.db-wal", "store.db-shm"):
        (folder / name).unlink(missing_ok=True)
    try:
        if mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        else:
            db.chmod(0o444)
            folder.chmod(0o555)
        assert_one_line_exit_2(db, "readonly|unable to open")
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], check=False)
        else:
            folder.chmod(0o755)


def test_a_newer_schema_is_refused_by_the_store_itself(tmp_path):
    db = tmp_path / "store.db"
    _newer(db)
    with pytest.raises(SchemaTooNew):
        SQLiteStore(db)
    assert rows(db, "SELECT MAX(version) FROM schema_version")[0][0] == len(MIGRATIONS) + 1


def test_the_lock_is_keyed_on_the_real_path(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    (real / "store.db").touch()
    (tmp_path / "alias.db").symlink_to(real / "store.db")
    paths = [real / "store.db", tmp_path / "link" / "store.db", tmp_path / "alias.db"]
    assert len({lock_path(str(p)) for p in paths}) == 1
    with store_lock(str(paths[0])):
        for other in paths[1:]:
            with pytest.raises(AlreadyRunning), store_lock(str(other)):
                pass

"""`radioscrape search`, `show` and `runs` on stores filled by real crawls of a local site; the
search index after a new version, and after a writer killed with SIGKILL mid-write."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from crawler.demo_site import demo_sites, page_resource
from pipelines.store import open_store
from pipelines.store.sqlite import SQLiteStore
from tests.conftest import FAST, edited_lastmod, run_cli

THANDI = "/news/entertainment/thandi-mokoena-homecoming-tour-dates/"
THANDI_URL = "https://www.jacarandafm.com" + THANDI


@pytest.fixture
def site():
    with demo_sites(["jacaranda"]) as sites:
        yield sites["jacaranda"]


def edit_thandi(site, old: bytes, new: bytes) -> None:
    """Change the article's text and its sitemap date, so the next crawl fetches it, and, as a
    site does, the sitemap's own date in the sitemap index (the crawler does not read again a
    child sitemap whose lastmod in the index did not change)."""
    page, lastmod = site.routes[THANDI], edited_lastmod()
    assert old in page.body
    site.routes[THANDI] = page_resource(
        page.body.replace(old, new), page.headers["Content-Type"], lastmod
    )
    for path, entry in (
        (THANDI, "/sitemap-articles.xml"),
        ("/sitemap-articles.xml", "/sitemap.xml"),
    ):
        sitemap = site.routes[entry]
        sitemap.body, edits = re.subn(
            rf"({re.escape(path)}</loc><lastmod>)[^<]+".encode(),
            rb"\g<1>" + lastmod.encode(),
            sitemap.body,
        )
        assert edits == 1, entry


def search_urls(db: str, *words: str) -> list[str]:
    done = run_cli("search", *words, "--db", db, "--format", "jsonl")
    assert done.code == 0, done.stderr
    return [json.loads(line)["canonical_url"] for line in done.stdout.splitlines()]


def test_search_show_and_runs_follow_a_new_version(site, crawl):
    db = str(crawl.db)
    assert crawl("--station", "jacaranda", "--url", f"{site.url}/").code == 0
    assert search_urls(db, "five-city", "South", "African") == [THANDI_URL]
    edit_thandi(site, b"five-city South African tour", b"marimbaphonic homecoming tour")
    assert crawl("--station", "jacaranda", "--url", f"{site.url}/").code == 0

    assert search_urls(db, "marimbaphonic") == [THANDI_URL]
    assert THANDI_URL not in search_urls(db, "five-city", "South", "African")  # never stale

    text = run_cli("search", "marimbaphonic", "--db", db)
    assert text.stdout.startswith("1. Thandi Mokoena") and "[marimbaphonic]" in text.stdout
    assert run_cli("search", "marimbaphonic", "--db", db, "--station", "heart").stdout == ""
    assert run_cli("search", "marimbaphonic", "--db", db, "--since", "2100-01-01").stdout == ""

    shown = run_cli("show", THANDI_URL, "--db", db)
    assert shown.code == 0 and "marimbaphonic homecoming tour" in shown.stdout
    versions = run_cli("show", THANDI_URL, "--versions", "--db", db)
    assert "== version 2" in versions.stdout
    changed = [line for line in versions.stdout.splitlines() if line.startswith(("-", "+"))]
    assert [line[:34] for line in changed] == [
        "-Thandi Mokoena has confirmed a fi",
        "+Thandi Mokoena has confirmed a ma",
    ]
    as_json = json.loads(run_cli("show", THANDI_URL, "--versions", "-f", "json", "--db", db).stdout)
    assert [v["version"] for v in as_json] == [1, 2] and as_json[0]["changes"] == []
    assert [c for c in as_json[1]["changes"] if c.startswith(("-", "+"))] == changed
    missing = run_cli("show", "https://www.jacarandafm.com/nothing/", "--db", db)
    assert missing.code == 1 and "not in the store" in missing.stderr

    runs = json.loads(run_cli("runs", "--db", db, "--format", "json").stdout)
    assert [(r["status"], r["exit_code"]) for r in runs] == [("success", 0), ("success", 0)]
    assert runs[0]["stations"]["jacaranda"]["updated"] == 1
    table = run_cli("runs", "--db", db).stdout.splitlines()
    assert table[0].split() == ["run", "started", "duration", "status", "exit"]
    assert table[1].split()[3:] == ["success", "0"] and "1 updated" in table[2]


def test_search_refuses_an_empty_query_and_a_missing_store(tmp_path):
    assert run_cli("search", " ", "--db", str(tmp_path / "x.db")).code == 2
    missing = run_cli("search", "word", "--db", str(tmp_path / "x.db"))
    assert missing.code == 2 and "no store at" in missing.stderr


WRITER = textwrap.dedent(
    """
    import dataclasses, sys
    from crawler.fixtures import all_fixtures
    from pipelines.core.items import ArticleRecord
    from pipelines.store.sqlite import SQLiteStore

    fixture = next(f for f in all_fixtures("jacaranda") if "not_article" not in f.expected)
    record = ArticleRecord(**fixture.expected)
    with SQLiteStore(sys.argv[1]) as store:
        n = 0
        while True:
            n += 1
            store.save_record(dataclasses.replace(
                record, body=[f"marker{n} " * 200, *record.body], content_hash=f"h{n}"))
            if n == 20:
                print("running", flush=True)
    """
)


def test_the_index_is_in_step_after_a_writer_is_killed(tmp_path):
    db = tmp_path / "killed.db"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout.readline() == "running\n"
        time.sleep(0.3)
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    with SQLiteStore(db) as store:
        (version,) = store.conn.execute("SELECT version FROM articles").fetchone()
        assert version > 20
        assert len(store.search(f"marker{version}")) == 1
        assert store.search(f"marker{version - 1}") == []
        assert store.search(f"marker{version + 1}") == []
        store.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
        indexed = store.conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0]
        assert indexed == 1


@pytest.mark.services
def test_search_and_runs_on_postgresql(site, pg_dsn, tmp_path):
    done = run_cli("crawl", "--db", pg_dsn, *FAST, "--station", "jacaranda", "--url",
                   f"{site.url}/", report=tmp_path / "report.json")  # fmt: skip
    assert done.code == 0, done.stderr
    assert search_urls(pg_dsn, "five-city", "South", "African")[0] == THANDI_URL
    assert search_urls(pg_dsn, "five-city", "qqqnotaword") == []
    with open_store(pg_dsn) as store:
        language = store.conn.execute(
            "SELECT language, radioscrape_ts_config(language)::text AS config FROM articles"
            " WHERE canonical_url = %s", (THANDI_URL,)
        ).fetchone()  # fmt: skip
    assert language["config"] == ("english" if language["language"] == "en" else "simple")
    runs = json.loads(run_cli("runs", "--db", pg_dsn, "--format", "json").stdout)
    assert [(r["status"], r["exit_code"]) for r in runs] == [("success", 0)]

"""`radioscrape browse` as a user meets it: a real Datasette server on 127.0.0.1 over a store
filled by real crawls of two local station sites, checked over HTTP."""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from datasette.utils import tilde_encode

from crawler.demo_site import demo_sites
from pipelines.store import open_store
from tests.conftest import FAST, ROOT, run_cli
from tests.services import free_port

STATIONS = ["jacaranda", "heart"]
WORD = re.compile(r"[a-z]{7,}")


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def get_json(url: str):
    return json.loads(get(url))


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """A store filled by one real crawl of each station's local site."""
    folder = tmp_path_factory.mktemp("browse")
    db = folder / "radio.db"
    with demo_sites(STATIONS) as sites:
        for n, key in enumerate(STATIONS):
            args = (
                "crawl",
                "--db",
                str(db),
                *FAST,
                "--station",
                key,
                "--url",
                f"{sites[key].url}/",
            )
            done = run_cli(*args, report=folder / f"report-{n}.json")
            assert done.code == 0, done.stderr
    return db


@pytest.fixture(scope="module")
def records(store) -> list[dict]:
    with open_store(store) as opened:
        return list(opened.records())


@pytest.fixture(scope="module")
def server(store) -> Iterator[str]:
    """`radioscrape browse` on a free port; its base URL for the store's database."""
    port = free_port()
    child = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "browse", "--db", str(store), "--port", str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get(f"{base}/-/versions.json")
                break
            except (urllib.error.URLError, ConnectionError):
                if child.poll() is not None or time.monotonic() > deadline:
                    output = child.stdout.read().decode() if child.poll() is not None else ""
                    pytest.fail(f"browse did not start: {output}")
                time.sleep(0.3)
        yield f"{base}/{store.stem}"
    finally:
        child.terminate()  # as `kill` would: the server stops and its port closes
        child.wait(timeout=30)
        try:
            get(f"{base}/-/versions.json")
            still_serving = True
        except OSError:
            still_serving = False
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)  # whatever is left of the session
        assert not still_serving, "Datasette still serving after radioscrape browse got SIGTERM"


def text_of(record: dict) -> str:
    return " ".join([record["title"], record["standfirst"] or "", *record["body"]]).lower()


def word_in_one_body(records: list[dict]) -> tuple[str, dict]:
    """A word of one record's body that no other record has (nor a word sharing its first
    six letters, so that stemming cannot join them)."""
    for record in records:
        others = " ".join(text_of(r) for r in records if r is not record)
        for word in WORD.findall(" ".join(record["body"]).lower()):
            if word[:6] not in others and word[:6] not in record["title"].lower():
                return word, record
    raise AssertionError("no word found in only one article")


def test_search_finds_the_article_whose_body_has_the_word(server, records, store):
    word, record = word_in_one_body(records)
    rows = get_json(f"{server}/articles.json?_search={quote(word)}&_shape=array")
    assert [row["canonical_url"] for row in rows] == [record["canonical_url"]]
    everything = get_json(f"{server}/articles.json?_shape=array&_size=max")
    assert len(everything) == len(records) > 1  # the search did filter
    canned = get_json(f"{server}/search.json?words={quote(word)}&_shape=array")
    assert [row["title"] for row in canned] == [record["title"]]
    assert f"[{word}]" in canned[0]["snippet"].lower()
    cli = run_cli("search", word, "--db", str(store), "--format", "json")
    assert [hit["canonical_url"] for hit in json.loads(cli.stdout)] == [record["canonical_url"]]


def test_default_facets_count_right(server, records):
    facets = get_json(f"{server}/articles.json?_size=0")["facet_results"]
    counted = {row["value"]: row["count"] for row in facets["station"]["results"]}
    assert counted == Counter(r["station"] for r in records)
    assert set(counted) == set(STATIONS)
    tags = {row["value"]: row["count"] for row in facets["tags"]["results"]}
    expected = Counter(t for r in records for t in r["tags"])
    assert tags == {tag: expected[tag] for tag in tags}  # the shown ones (ties cut anyhow)
    assert max(tags.values()) == max(expected.values())
    assert {"section", "author"} <= set(facets)


def test_canned_queries_run(server, records):
    latest = get_json(f"{server}/latest_per_station.json?_shape=array")
    assert Counter(row["station"] for row in latest) == Counter(r["station"] for r in records)
    runs = get_json(f"{server}/last_runs.json?_shape=array")
    assert [(run["status"], run["exit_code"]) for run in runs] == [("success", 0)] * 2
    assert all(f"{run['stations'].split(':')[0]}" in STATIONS for run in runs)
    assert get_json(f"{server}/updated_articles.json?_shape=array") == []  # one version each
    url = records[0]["canonical_url"]
    versions = get_json(f"{server}/story_versions.json?url={quote(url)}&_shape=array")
    assert [(v["version"], v["title"]) for v in versions] == [(1, records[0]["title"])]


def test_the_article_page_shows_its_paragraphs(server, store, records):
    record = max(records, key=lambda r: len(r["body"]))
    with open_store(store) as opened:
        key = opened.conn.execute(
            "SELECT url_key FROM articles WHERE canonical_url = ?", (record["canonical_url"],)
        ).fetchone()["url_key"]
    page = get(f"{server}/articles/{tilde_encode(key)}").decode()
    shown = [html.unescape(p) for p in re.findall(r'<p class="paragraph">(.*?)</p>', page, re.S)]
    assert shown == record["body"]
    assert f"<h1>{record['title']}</h1>" in html.unescape(page)
    assert 'data-column="body"' in page  # the row page keeps every column below the article


def test_list_view_hides_the_body_and_links_rows_to_articles(server, records):
    page = get(f"{server}/articles").decode()
    columns = re.findall(r'<th [^>]*data-column="([^"]+)"', page)
    assert "title" in columns and "body" not in columns and "clutter" not in columns
    assert html.escape(records[0]["body"][0], quote=False) not in page
    latest = get(f"{server}/latest_per_station").decode()
    assert len(re.findall(r'<a href="/[^"]+/articles/[^"]+">', latest)) == len(records)


def test_browse_refuses_what_it_cannot_open(tmp_path):
    missing = run_cli("browse", "--db", str(tmp_path / "none.db"))
    assert missing.code == 2 and "no store at" in missing.stderr
    postgres = run_cli("browse", "--db", "postgresql://127.0.0.1:1/x")
    assert postgres.code == 2 and "radioscrape search" in postgres.stderr

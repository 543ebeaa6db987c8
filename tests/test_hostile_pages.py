"""Hostile pages under the size cap (issue 12, item 7): a million elements, UTF-16BE with a
byte-order mark, one stray invalid byte in a UTF-8 page. Served on 127.0.0.1 and crawled.
"""

from __future__ import annotations

import codecs
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from crawler.demo_site import LocalSite, Resource
from pipelines.clean import MAX_TAGS, TEXT_PER_TAG
from pipelines.core.urls import url_key
from pipelines.store import open_store
from tests.conftest import FAST, ROOT, run_cli
from tests.faultsite import CANONICAL, SECTION, Article, article_html, generate, generated_routes
from tests.faultsite import good_text as text

MILLION = (
    "<!doctype html><html><head><title>Big</title></head><body><article><h1>Big</h1>"
    + "<i>x</i>" * 1_000_000
    + "</article></body></html>"
).encode()  # 8 MB, under the 10 MiB page cap
HEAD, TAIL = MILLION.split(b"<i>x</i>" * 1_000_000)
# just under the cap: paragraphs of "word" (2 tags and 4 characters each); one paragraph of
# text; paragraphs of 5,000 characters (on a loaded machine each cleaned in 1.2 to 1.8 s)
BELOW_CAP = HEAD + b"<p>word</p>" * int((MAX_TAGS - 100) / (2 + 4 / TEXT_PER_TAG)) + TAIL
WORDS = b"the station said listeners could call in on monday about news weather and sport "
ONE_TEXT = HEAD + b"<p>" + WORDS * ((MAX_TAGS - 100) * TEXT_PER_TAG // len(WORDS)) + b"</p>" + TAIL
LONG_PARAGRAPHS = (
    HEAD
    + (b"<p>" + WORDS * 60 + b"</p>")
    * ((MAX_TAGS - 100) * TEXT_PER_TAG // (len(WORDS) * 60 + 2 * TEXT_PER_TAG))
    + TAIL
)
TITLE = "Beyoncé’s “Déjà vu” — encore"


def measured(body: bytes, tmp_path: Path) -> tuple[str, float, float]:
    """clean_page on `body` in a fresh process: (outcome, CPU seconds of clean_page, the
    process's peak RSS in MB, imports included). The peak is VmHWM, its own since exec: its
    ru_maxrss starts at the test process's peak (subprocess spawns with vfork), which passed
    300 MB in a full run."""
    page_file = tmp_path / "page.html"
    page_file.write_bytes(body)
    script = textwrap.dedent(f"""
        import resource, sys, time
        from pipelines.core.items import Page
        from pipelines.clean import clean_page
        body = open({str(page_file)!r}, "rb").read()
        page = Page(url="{CANONICAL}{SECTION}big/", body=body, station="jacaranda")
        clean_page(Page(url=page.url, body=b"<html><body><p>warm up</p></body></html>"))
        cpu = lambda: sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
        start = cpu()
        result = clean_page(page)
        took = cpu() - start
        status = open("/proc/self/status").read()
        peak = int(status.split("VmHWM:")[1].split()[0]) / 1024
        print(result[0] if isinstance(result, tuple) else "record", took, peak)
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    outcome, took, peak = done.stdout.split()
    return outcome, float(took), float(peak)


def test_a_million_elements_are_refused_in_milliseconds(tmp_path):
    outcome, took, peak = measured(MILLION, tmp_path)
    assert outcome == "too-many-elements"
    assert took < 0.5 and peak < 300, (took, peak)


def test_pages_just_below_the_cap_are_cleaned_within_2_s_and_300_mb(tmp_path):
    """Issue 12 item 7: 13,700 paragraphs, or 2.8 MB of text in one paragraph or in
    paragraphs of 5,000 characters: cleaned, not refused, in under 2 CPU s (1.2 to 1.8 s on a
    loaded machine; 2.4 to 5.2 s before the cap counted text) and 300 MB (100 to 200 MB)."""
    for body in (BELOW_CAP, ONE_TEXT, LONG_PARAGRAPHS):
        outcome, took, peak = measured(body, tmp_path)
        assert outcome == "record"
        assert took < 2 and peak < 300, (len(body), body.count(b"<"), took, peak)


def test_text_over_the_cap_is_refused_after_parsing(tmp_path):
    """A 9 MB paragraph (under the 10 MiB page cap, 5 s and 365 MB to clean) is refused
    once parsed, in a fraction of a second."""
    body = HEAD + b"<p>" + WORDS * (9_000_000 // len(WORDS)) + b"</p>" + TAIL
    outcome, took, peak = measured(body, tmp_path)
    assert outcome == "too-much-text"
    assert took < 0.5 and peak < 300, (took, peak)


def test_hostile_pages_in_a_crawl(tmp_path):
    good = generate(2, "good")
    when = good[0].lastmod
    utf16 = Article("utf-16-be", TITLE, when, article_html("utf-16-be", TITLE, [text(1)], when))
    stray = Article("stray-byte", TITLE, when, article_html("stray-byte", TITLE, [text(3)], when))
    big = Article("million", "Big", good[0].lastmod, "")
    with LocalSite() as site:
        site.routes.update(generated_routes(site.url, [*good, utf16, stray, big]))
        site.routes[utf16.path] = Resource(
            codecs.BOM_UTF16_BE + utf16.html.replace(' charset="utf-8"', "").encode("utf-16-be"),
            headers={"Content-Type": "text/html"},
        )
        site.routes[stray.path] = Resource(stray.html.encode().replace(b"<h1>", b"<h1>\xff", 1))
        site.routes[big.path] = Resource(MILLION)
        start = time.monotonic()
        result = run_cli("crawl", "--station", "jacaranda", "--url", f"{site.url}/",
                         "--db", str(tmp_path / "store.db"), *FAST,
                         report=tmp_path / "report.json")  # fmt: skip
        took = time.monotonic() - start
    station = result.report["stations"]["jacaranda"]
    assert station["dropped"] == {"too-many-elements": 1}, station
    assert station["new"] == len(good) + 2 and result.code == 0, result.stderr
    assert took < 30
    with open_store(tmp_path / "store.db") as store:
        records = {url_key(r["canonical_url"]): r for r in store.records()}
    read = records[url_key(f"{CANONICAL}{utf16.path}")]
    assert (read["title"], read["body"]) == (TITLE, [text(1)])
    read = records[url_key(f"{CANONICAL}{stray.path}")]
    assert read["title"].endswith(TITLE) and read["body"] == [text(3)]
    assert os.path.getsize(tmp_path / "store.db") < 50 * 1024 * 1024

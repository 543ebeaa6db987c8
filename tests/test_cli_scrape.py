"""The one-off scrape, as a user runs it: real processes, pages served on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import Future
from pathlib import Path

import pytest

from crawler.cli import POOL_FROM, _in_order, batch_workers
from crawler.config import load_config
from crawler.fixtures import all_fixtures
from tests.servers import LocalSite, Resource

ROOT = Path(__file__).resolve().parent.parent
SEED = all_fixtures("jacaranda/john-legend-on-what-strained-his-relationship-with-kanye-west")[0]
HEART = all_fixtures("heart/maisie-calloway-engaged-theo-marsh")[0]
LISTING = all_fixtures("jacaranda/news-entertainment-listing")[0]
COMPARED = ("title", "body", "author", "published", "image", "embeds", "tags", "standfirst")


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )


def test_robots_txt_holds_for_many_waiting_requests(site):
    """Regression: Scrapy 2.19 let every robots.txt waiter after the first through."""
    targets = [f"{site.url}/private/story/?n={i}" for i in range(6)]
    result = run("scrape", "-f", "jsonl", f"{site.url}/heart/", *targets)
    kinds = [json.loads(line).get("error", {}).get("kind") for line in result.stdout.splitlines()]
    assert kinds == [None] + ["robots"] * 6


@pytest.fixture(scope="module")
def site():
    routes = {
        "/robots.txt": Resource(
            b"User-agent: *\nDisallow: /private/\n", headers={"Content-Type": "text/plain"}
        ),
        "/heart/": Resource((HEART.path / "page.html").read_bytes()),
        "/private/story/": Resource((HEART.path / "page.html").read_bytes()),
        "/listing/": Resource((LISTING.path / "page.html").read_bytes()),
        "/broken/": Resource(b"oops", status=500),
        "/slow/": Resource(b"<html><body><p>late</p></body></html>", delay=3),
        "/binary/": Resource(bytes(range(256)) * 20),
        "/empty/": Resource(b""),
    }
    with LocalSite(routes) as served:
        yield served


def test_file_gives_the_fixture_record():
    result = run("scrape", str(SEED.path / "page.html"))
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    for key in COMPARED:
        assert record[key] == SEED.expected[key], key
    assert record["source"] == str(SEED.path / "page.html")
    assert record["station"] == "jacaranda"  # found from the page's canonical link


def test_stdin_and_text_format():
    result = run("scrape", "--format", "text", "-", stdin=(SEED.path / "page.html").read_bytes())
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().splitlines()
    assert lines[0] == SEED.expected["title"]
    assert SEED.expected["body"][-1] in lines
    assert not any(line.startswith(("WATCH:", "READ:")) for line in lines)


def test_markdown_format():
    result = run("scrape", "--format", "markdown", str(SEED.path / "page.html"))
    assert result.returncode == 0
    text = result.stdout.decode()
    assert text.startswith(f"# {SEED.expected['title']}\n")
    assert "- instagram: <https://www.instagram.com/" in text


def test_url_batch_keeps_order_and_reports_each_failure(site):
    targets = [
        f"{site.url}/heart/",
        "/no/such/file.html",
        f"{site.url}/broken/",
        f"{site.url}/private/story/",
        f"{site.url}/listing/",
        "ftp://example.com/x",
        f"{site.url}/binary/",
        f"{site.url}/empty/",
        str(SEED.path / "page.html"),
    ]
    result = run("scrape", *targets, "-s", "RETRY_TIMES=0")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["source"] for line in lines] == targets
    kinds = [line.get("error", {}).get("kind") for line in lines]
    assert kinds == [
        None,
        "no-file",
        "http",
        "robots",
        "not-article",
        "scheme",
        "bad-page",
        "bad-page",
        None,
    ]
    assert lines[0]["title"] == HEART.expected["title"]
    assert lines[0]["body"] == HEART.expected["body"]
    errors = result.stderr.decode().strip().splitlines()
    assert len(errors) == 7 and all(e.startswith("radioscrape: ") for e in errors)
    assert "Traceback" not in result.stderr.decode()
    assert result.returncode == 5  # the first failing target (a missing file) decides


@pytest.mark.parametrize(
    ("target", "code"),
    [
        ("/no/such/file.html", 5),
        ("ftp://example.com/x", 11),
        ("http://nonexistent.invalid/", 7),
    ],
)
def test_single_target_exit_codes(target, code):
    result = run("scrape", target, "-s", "RETRY_TIMES=0")
    assert result.returncode == code
    assert result.stdout == b""
    assert len(result.stderr.decode().strip().splitlines()) == 1


def test_not_article_and_timeout_exit_codes(site):
    assert run("scrape", str(LISTING.path / "page.html")).returncode == 3
    slow = run("scrape", f"{site.url}/slow/", "-s", "DOWNLOAD_TIMEOUT=1", "-s", "RETRY_TIMES=0")
    assert slow.returncode == 8
    assert "took longer than" in slow.stderr.decode()


def test_any_page_gives_the_main_text_of_a_page_that_is_not_an_article():
    refused = run("scrape", str(LISTING.path / "page.html"))
    assert refused.returncode == 3 and refused.stdout == b""
    result = run("scrape", "--any-page", str(LISTING.path / "page.html"))
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["body"] and record["word_count"] > 20
    page_text = (LISTING.path / "page.html").read_text(encoding="utf-8")
    assert all(word in page_text for p in record["body"] for word in p.split()[:6])
    assert any("Homecoming" in p for p in record["body"])  # a headline of the listing


def test_fixture_add_from_a_url(site, tmp_path):
    env = {"PATH": str(Path(sys.executable).parent), "RADIOSCRAPE_FIXTURES_DIR": str(tmp_path)}
    args = [sys.executable, "-m", "crawler.cli", "fixture", "add", "--station", "heart"]
    result = subprocess.run([*args, f"{site.url}/heart/"], cwd=ROOT, env=env, capture_output=True)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "heart" / "heart"
    assert (folder / "page.html").read_bytes() == (HEART.path / "page.html").read_bytes()
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    assert expected["body"] == HEART.expected["body"]
    again = subprocess.run([*args, f"{site.url}/heart/"], cwd=ROOT, env=env, capture_output=True)
    assert again.returncode == 1 and b"not overwritten" in again.stderr


def test_user_agent_names_the_project_and_contact(site):
    result = run("scrape", f"{site.url}/heart/", "-s", "RADIOSCRAPE_CONTACT=mailto:ops@example.org")
    assert result.returncode == 0
    agents = {r.headers.get("user-agent") for r in site.log if r.path == "/heart/"}
    assert any(
        a and a.startswith("radioscrape/") and "(+mailto:ops@example.org)" in a for a in agents
    )


def test_page_over_the_size_cap_is_refused(site):
    result = run("scrape", f"{site.url}/heart/", "-s", "RADIOSCRAPE_MAX_PAGE_BYTES=1000")
    assert result.returncode == 12
    assert "larger than download max size" in result.stderr.decode()


def test_files_and_stdin_over_the_size_cap_are_refused_unread(tmp_path):
    """Issue 21 item 4: a file or stdin obeys RADIOSCRAPE_MAX_PAGE_BYTES like a download (a
    30 MB file once ran past 300 s at 1.5 GB); one byte under it is cleaned."""
    page = b"<html><head><title>Cap</title></head><body><article><p>" + b"word " * 400
    page += b"</p></article></body></html>"
    big = tmp_path / "big.html"
    big.write_bytes(page)
    cap = ("-s", f"RADIOSCRAPE_MAX_PAGE_BYTES={len(page) - 1}")
    for result in (run("scrape", str(big), *cap), run("scrape", "-", *cap, stdin=page)):
        assert result.returncode == 12, result.stderr
        assert "larger than RADIOSCRAPE_MAX_PAGE_BYTES" in result.stderr.decode()
    fits = run("scrape", str(big), "--any-page", "-s", f"RADIOSCRAPE_MAX_PAGE_BYTES={len(page)}")
    assert fits.returncode == 0, fits.stderr


def test_a_batch_of_files_in_workers_gives_the_same_output(tmp_path):
    """RADIOSCRAPE_EXTRACT_WORKERS=2: a batch of POOL_FROM files or more is cleaned in worker
    processes; the records, their order, the refusals and the exit code are the same."""
    pages = sorted(ROOT.glob("fixtures/*/*/page.html"))
    targets = [str(p) for p in (pages * 3)[:POOL_FROM]] + [str(tmp_path / "missing.html")]
    outputs = []
    for workers in (0, 2):
        out = tmp_path / f"out{workers}.jsonl"
        done = run("scrape", "--format", "jsonl", "-o", str(out), *targets,
                   "-s", f"RADIOSCRAPE_EXTRACT_WORKERS={workers}")  # fmt: skip
        records = [json.loads(line) for line in out.read_text().splitlines()]
        for record in records:
            record.pop("fetched_at", None)
        outputs.append((done.returncode, sorted(done.stderr.decode().splitlines()), records))
    assert outputs[0][0] != 0 and "no such file" in "".join(outputs[0][1])
    assert len(outputs[0][2]) > POOL_FROM // 2
    assert outputs[0] == outputs[1]


def test_a_batch_uses_a_worker_for_each_core_but_one_unless_told():
    """RADIOSCRAPE_EXTRACT_WORKERS unset: a batch uses the cores this process may run on (this
    process cleans too); set, even to 0, it is obeyed."""
    cores = len(os.sched_getaffinity(0))
    assert batch_workers(load_config(environ={})) == cores - 1
    for value in ("0", "3"):
        told = load_config(sets=[("RADIOSCRAPE_EXTRACT_WORKERS", value)], environ={})
        assert batch_workers(told) == int(value)
        env = load_config(environ={"RADIOSCRAPE_EXTRACT_WORKERS": value})
        assert batch_workers(env) == int(value)


def test_scrapy_crawl_page_gives_the_same_record(site, tmp_path):
    out = tmp_path / "out.jsonl"
    result = subprocess.run(
        [
            "scrapy",
            "crawl",
            "page",
            "-a",
            f"url={site.url}/heart/",
            "-O",
            str(out),
            "-s",
            "LOG_LEVEL=ERROR",
        ],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        env={"PATH": str(Path(sys.executable).parent)},
    )
    assert result.returncode == 0, result.stderr
    via_scrapy = json.loads(out.read_text(encoding="utf-8").strip())
    via_cli = json.loads(run("scrape", f"{site.url}/heart/").stdout)
    via_cli.pop("source")
    for record in (via_scrapy, via_cli):
        record.pop("fetched_at")
    assert via_scrapy == via_cli
    assert not (ROOT / "radioscrape.db").exists()  # a one-off page makes no store


def test_a_batch_in_workers_is_given_in_order_while_this_process_cleans_the_last_files():
    futures = [Future() for _ in "abcde"]
    for started in futures[:2]:
        started.set_running_or_notify_cancel()  # a worker has these
    cleaned = []

    def clean(target: str) -> str:
        cleaned.append(target)
        if not futures[0].done():  # the workers finish meanwhile
            futures[0].set_result("worker:a")
            futures[1].set_result("worker:b")
        return f"here:{target}"

    outcomes = list(_in_order(list("abcde"), [*futures[:4], None], clean))
    assert outcomes == ["worker:a", "worker:b", "here:c", "here:d", "here:e"]
    assert cleaned == ["d", "c", "e"]  # the last file with a future first; stdin at its turn

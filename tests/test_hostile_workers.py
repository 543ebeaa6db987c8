"""Cleaning that fails for reasons outside the page, or takes too long (issue 12, items 3 and 4):
real crawls of a Jacaranda mirror on 127.0.0.1.

A page whose extraction worker was killed is errors/worker-died: the run is partial, no fetch
state is saved for it, and the next run fetches and stores it. A page that takes longer than
RADIOSCRAPE_CLEAN_TIMEOUT to clean is refused as dropped/timeout, in the crawl process and in a
worker alike, while the other pages are stored.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from crawler.demo_site import LocalSite, Resource
from pipelines.core.items import Page
from pipelines.extract import clean_within
from tests.conftest import FAST, ROOT, run_cli
from tests.faultsite import Article, article_html, generate, generated_routes, good_text
from tests.sites import assert_adds_up
from tests.test_hostile_store import count

pytestmark = pytest.mark.slow  # worker processes killed and timed out


def spawned_workers(pid: int) -> list[int]:
    """The multiprocessing workers (spawn_main) among the children of process `pid`."""
    found = []
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmdline:
            found.append(int(child))
    return found


def test_killed_workers_lose_no_page_for_good(tmp_path):
    db, report = tmp_path / "store.db", tmp_path / "report.json"
    articles = generate(40, "worker")
    with LocalSite() as site:
        site.routes.update(generated_routes(site.url, articles))
        for article in articles:
            site.routes[article.path] = Resource(article.html.encode(), delay=0.05)
        args = ["crawl", "--station", "jacaranda", "--url", f"{site.url}/", "--db", str(db),
                *FAST, "-s", "RADIOSCRAPE_EXTRACT_WORKERS=1",
                "-s", "CONCURRENT_REQUESTS=4"]  # fmt: skip
        crawl = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", *args, "--report", str(report)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        killed = []

        def kill_workers() -> None:
            """Kill every worker as soon as it appears, until 15 articles were served."""
            while crawl.poll() is None:
                served = sum(1 for r in site.log if "/worker-" in r.path)
                if served >= 15:
                    return
                for pid in spawned_workers(crawl.pid):
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                time.sleep(0.03)

        killer = threading.Thread(target=kill_workers)
        killer.start()
        _, stderr = crawl.communicate(timeout=180)
        killer.join()
        first = json.loads(report.read_text())
        second = run_cli(*args, report=tmp_path / "second.json")
    assert killed, "no worker was killed"
    lost = first["stations"]["jacaranda"]["errors"].get("worker-died", 0)
    assert lost >= 1, first["stations"]["jacaranda"]
    assert (crawl.returncode, first["status"]) == (1, "partial"), stderr
    assert_adds_up(first)
    assert first["stations"]["jacaranda"]["new"] == len(articles) - lost
    # the lost pages were not recorded as handled: the next run fetched and stored them
    assert second.code == 0, second.stderr
    assert second.report["stations"]["jacaranda"]["new"] == lost
    assert count(db, "articles") == count(db, "fetch_state WHERE kind = 'article'") == len(articles)


def slow_article() -> Article:
    """A real article of 8,000 paragraphs (1.2 MB): over a second to clean."""
    base = generate(1, "slow")[0]
    body = [good_text(n % 20) for n in range(8000)]
    return Article(
        base.slug, base.title, base.lastmod,
        article_html(base.slug, base.title, body, base.lastmod),
    )  # fmt: skip


def test_clean_within_refuses_a_page_past_its_budget():
    article = slow_article()
    page = Page(url=f"https://www.jacarandafm.com{article.path}", body=article.html.encode(),
                station="jacaranda")  # fmt: skip
    handler, timer = signal.getsignal(signal.SIGALRM), signal.getitimer(signal.ITIMER_REAL)
    start = time.perf_counter()
    assert clean_within(page, 0.2) == ("timeout", "cleaning took longer than 0.2s")
    assert time.perf_counter() - start < 0.6
    assert clean_within(page, 0).title == article.title  # no budget: cleaned whole
    assert signal.getsignal(signal.SIGALRM) is handler  # pytest-timeout's, put back
    assert (signal.getitimer(signal.ITIMER_REAL)[0] > 0) == (timer[0] > 0)


@pytest.mark.parametrize("workers", [0, 1], ids=["in-process", "worker"])
def test_a_page_past_the_clean_timeout_is_refused_and_the_crawl_goes_on(tmp_path, workers):
    good = generate(4, "quick")
    slow = slow_article()
    with LocalSite() as site:
        site.routes.update(generated_routes(site.url, [*good, slow]))
        result = run_cli(
            "crawl", "--station", "jacaranda", "--url", f"{site.url}/",
            "--db", str(tmp_path / "store.db"), *FAST,
            "-s", "RADIOSCRAPE_CLEAN_TIMEOUT=0.5", "-s", f"RADIOSCRAPE_EXTRACT_WORKERS={workers}",
            report=tmp_path / "report.json",
        )  # fmt: skip
    station = result.report["stations"]["jacaranda"]
    assert station["dropped"] == {"timeout": 1}, station
    assert station["new"] == len(good)
    assert result.code == 0, result.stderr

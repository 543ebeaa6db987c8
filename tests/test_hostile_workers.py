"""Cleaning that fails for reasons outside the page, or takes too long (issue 12, items 3 and 4):
real crawls of a Jacaranda mirror on 127.0.0.1.

A page whose extraction worker was killed is errors/worker-died: the run is partial, no fetch
state is saved for it, and the next run fetches and stores it. A page that takes longer than
RADIOSCRAPE_CLEAN_TIMEOUT to clean is refused as dropped/timeout, in the crawl process and in a
worker alike, while the other pages are stored.
"""

from __future__ import annotations

import gc
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


def worker_processes(pid: int) -> list[int]:
    """The extraction workers among the children of process `pid`: spawned (spawn_main) or
    forked from it (its own command line)."""
    found = []
    try:
        own = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # it has ended
        return found
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmdline or cmdline == own:
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
                for pid in worker_processes(crawl.pid):
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


def slow_articles(count: int = 1) -> list[Article]:
    """Real articles of 8,000 paragraphs (1.2 MB, about as heavy as a page under the cleaner's
    caps may be): about half a second of CPU each to clean, 30 times a quick page's."""
    body = [good_text(n % 20) for n in range(8000)]
    return [
        Article(base.slug, base.title, base.lastmod,
                article_html(base.slug, base.title, body, base.lastmod))
        for base in generate(count, "slow")
    ]  # fmt: skip


def test_clean_within_refuses_a_page_past_its_budget():
    [article] = slow_articles()
    page = Page(url=f"https://www.jacarandafm.com{article.path}", body=article.html.encode(),
                station="jacaranda")  # fmt: skip
    handler, timer = signal.getsignal(signal.SIGALRM), signal.getitimer(signal.ITIMER_REAL)
    start = time.process_time()
    assert clean_within(page, 0.1) == ("timeout", "cleaning took more than 0.1s of CPU time")
    assert time.process_time() - start < 0.4  # the budget is CPU time
    assert gc.isenabled()  # clean_page's pause of the garbage collector ends with the page
    assert clean_within(page, 0).title == article.title  # no budget: cleaned whole
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)  # the budget's timer is off
    assert signal.getsignal(signal.SIGALRM) is handler  # pytest-timeout's, left alone
    assert (signal.getitimer(signal.ITIMER_REAL)[0] > 0) == (timer[0] > 0)


def test_time_without_a_core_does_not_count_against_the_budget(tmp_path):
    """A process that waits for a core (here: stopped for 2 s inside its budgeted clean of a
    page of about 0.3 s of CPU) is not refused under a budget of 1 s: the budget is CPU time,
    not the wall clock (on a machine at load 14 the wall clock refused ordinary pages)."""
    article = generate(1, "waits")[0]
    body = article_html(article.slug, article.title, [good_text(n % 20) for n in range(2000)],
                        article.lastmod)  # fmt: skip
    page_file = tmp_path / "page.html"
    page_file.write_text(body, encoding="utf-8")
    script = (
        "import os, signal, sys, time\n"
        "import pipelines.extract as extract\n"
        "from pipelines.core.items import Page\n"
        "from pipelines.extract import _warm_worker, clean_within\n"
        "_warm_worker()\n"
        "def stopped(page, **kwargs):  # stops itself once the budget runs; the test resumes it\n"
        "    os.kill(os.getpid(), signal.SIGSTOP)\n"
        "    return clean(page, **kwargs)\n"
        "clean, extract.clean_page = extract.clean_page, stopped\n"
        f"page = Page(url='https://www.jacarandafm.com{article.path}', station='jacaranda',\n"
        f"            body=open({str(page_file)!r}, 'rb').read())\n"
        "print('cleaning', flush=True)\n"
        "start, cpu = time.monotonic(), time.process_time()\n"
        "result = clean_within(page, 1.0)\n"
        "print(getattr(result, 'title', result), time.monotonic() - start,\n"
        "      time.process_time() - cpu, flush=True)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    assert child.stdout.readline() == "cleaning\n", child.stderr.read()
    _, status = os.waitpid(child.pid, os.WUNTRACED)  # until it has stopped itself
    assert os.WIFSTOPPED(status), status
    time.sleep(2)
    child.send_signal(signal.SIGCONT)
    out, err = child.communicate(timeout=60)
    title, wall, cpu = out.rsplit(maxsplit=2)
    assert float(wall) > 2 > 1 > float(cpu), (wall, cpu)  # longer than the budget, by the clock
    assert title == article.title, err


@pytest.mark.parametrize("workers", [0, 1], ids=["in-process", "worker"])
def test_a_page_past_the_clean_timeout_is_refused_and_the_crawl_goes_on(tmp_path, workers):
    good = generate(4, "quick")
    [slow] = slow_articles()
    with LocalSite() as site:
        site.routes.update(generated_routes(site.url, [*good, slow]))
        result = run_cli(
            "crawl", "--station", "jacaranda", "--url", f"{site.url}/",
            "--db", str(tmp_path / "store.db"), *FAST,
            "-s", "RADIOSCRAPE_CLEAN_TIMEOUT=0.15", "-s", f"RADIOSCRAPE_EXTRACT_WORKERS={workers}",
            report=tmp_path / "report.json",
        )  # fmt: skip
    station = result.report["stations"]["jacaranda"]
    assert station["dropped"] == {"timeout": 1}, station
    assert station["new"] == len(good)
    assert result.code == 0, result.stderr

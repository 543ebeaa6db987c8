"""SIGTERM with slow downloads in flight (issue 12, item 7): the crawl stops within 10 s, not
after DOWNLOAD_TIMEOUT, and still writes its report and closes its run row."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

from crawler.demo_site import LocalSite, Resource
from tests.conftest import FAST, ROOT
from tests.faultsite import generate, generated_routes
from tests.test_hostile_store import rows, wait_for


def test_sigterm_stops_within_seconds_with_slow_downloads_in_flight(tmp_path):
    db, report = tmp_path / "store.db", tmp_path / "report.json"
    articles = generate(20, "slow")
    with LocalSite() as site:
        site.routes.update(generated_routes(site.url, articles))
        for article in articles:
            site.routes[article.path] = Resource(article.html.encode(), delay=60)
        crawl = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "crawl", "--station", "jacaranda",
             "--url", f"{site.url}/", "--db", str(db), "--report", str(report), *FAST,
             "-s", "DOWNLOAD_TIMEOUT=60"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        wait_for(lambda: sum(1 for r in site.log if "/slow-" in r.path) >= 4)
        stopped = time.monotonic()
        crawl.send_signal(signal.SIGTERM)
        _, stderr = crawl.communicate(timeout=60)
        took = time.monotonic() - stopped
    assert took < 10, took
    assert crawl.returncode == 2 and "Traceback" not in stderr, stderr
    written = json.loads(report.read_text())
    assert (written["finish_reason"], written["status"]) == ("shutdown", "failure")
    assert rows(db, "SELECT finish_reason FROM runs") == [("shutdown",)]

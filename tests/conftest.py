"""Shared test helpers: run the radioscrape CLI in a child process (one reactor each)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.sites import check_new_reports

pytest_plugins = ["tests.conftest_services"]  # PostgreSQL and Redis for the `services` tests

ROOT = Path(__file__).resolve().parent.parent
# Crawling 127.0.0.1: no politeness delays, no retries (a 500 is reported at once).
FAST = ("-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=0")


@dataclass
class Run:
    """A finished CLI run: exit code, output, and the JSON report when one was written."""

    code: int
    stdout: str
    stderr: str
    report: dict[str, Any] | None


def run_cli(*args: str, report: Path | None = None, timeout: float = 120) -> Run:
    """Run `python -m crawler.cli ARGS` from the repository root."""
    extra = ("--report", str(report)) if report else ()
    done = subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args, *extra],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
    )
    loaded = json.loads(report.read_text()) if report and report.exists() else None
    return Run(done.returncode, done.stdout, done.stderr, loaded)


@pytest.fixture(scope="session")
def checked_reports() -> set[Path]:
    """The crawl reports checked so far in this session."""
    return set()


@pytest.fixture(autouse=True)
def crawl_reports_add_up(tmp_path_factory, checked_reports):
    """After every test: each crawl report it wrote adds up (every URL found ends in one
    column), whichever way the test ran the crawl."""
    yield
    check_new_reports(tmp_path_factory.getbasetemp(), checked_reports)


@pytest.fixture
def crawl(tmp_path):
    """`crawl(*args)`: a fast `radioscrape crawl` into tmp_path/crawl.db, JSON report loaded."""
    db = tmp_path / "crawl.db"
    runs = iter(range(1, 1000))

    def run(*args: str) -> Run:
        report = tmp_path / f"report-{next(runs)}.json"
        return run_cli("crawl", "--db", str(db), *FAST, *args, report=report)

    run.db = db
    return run

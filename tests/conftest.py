"""Shared test helpers: run the radioscrape CLI in a child process (one reactor each); mark
each test by what it uses (`e2e`, `services`), so that `make test-fast` can leave those out."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import CodeType
from typing import Any

import pytest

from crawler.demo_site import LocalSite
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


def edited_lastmod() -> str:
    """A lastmod for a page a test edits now: after every crawl so far (a fixed date would fall
    before a first crawl that found the page undated, whose fetch time the crawler compares)."""
    return (datetime.now(UTC) + timedelta(seconds=1)).isoformat(timespec="seconds")


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


# What makes a test end-to-end: a child process (the CLI, a crawl, a server) or an HTTP server.
E2E_USES: tuple[object, ...] = (run_cli, subprocess, LocalSite)
# The session's PostgreSQL and Redis: a test that uses them is marked `services`.
SERVICE_FIXTURES = frozenset({"postgres", "redis_service"})


def _global_names(code: CodeType) -> set[str]:
    """The global names a code object and the functions nested in it refer to."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            names |= _global_names(const)
    return names


def uses_e2e(func: Callable[..., Any], seen: set[Callable[..., Any]]) -> bool:
    """Whether `func` (a test, a fixture, a helper) uses one of E2E_USES, itself or through a
    function of the tests package it calls."""
    code = getattr(func, "__code__", None)
    if code is None or func in seen:
        return False
    seen.add(func)
    for name in _global_names(code):
        used = func.__globals__.get(name)
        if any(used is entry for entry in E2E_USES):
            return True
        if (
            callable(used)
            and (getattr(used, "__module__", None) or "").startswith("tests")
            and uses_e2e(used, seen)
        ):
            return True
    return False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `services` each test that uses PostgreSQL or Redis, and `e2e` each test whose code,
    fixtures or helpers start the CLI, a child process or an HTTP server."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & SERVICE_FIXTURES:
            item.add_marker(pytest.mark.services)
        definitions = item._fixtureinfo.name2fixturedefs if hasattr(item, "_fixtureinfo") else {}
        funcs = [getattr(item, "function", None)] + [
            definition.func
            for name in fixtures - SERVICE_FIXTURES
            for definition in definitions.get(name, ())
        ]
        seen: set[Callable[..., Any]] = set()
        if any(func is not None and uses_e2e(func, seen) for func in funcs):
            item.add_marker(pytest.mark.e2e)

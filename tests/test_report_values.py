"""End to end: what the report hands on as values (pipelines.core.signals), not through stats.

The store pipeline's redesign warnings reach the printed and JSON report and the run's row;
the report's status and exit code reach the run's row and the crawl's exit code.
"""

from __future__ import annotations

import pytest

from crawler.demo_site import demo_sites
from pipelines.store import open_store
from pipelines.store.base import RunOutcome, StationRun


@pytest.fixture
def site():
    with demo_sites(["jacaranda"]) as sites:
        yield sites["jacaranda"]


def test_redesign_warnings_reach_the_report_and_the_run_row(site, crawl):
    with open_store(str(crawl.db)) as store:  # a history of far longer bodies
        usual = StationRun("jacaranda", records=50, median_words=5000.0)
        past = store.begin_run("2026-11-01T00:00:00+00:00")
        store.finish_run(past, "2026-11-01T00:01:00+00:00", "finished", [usual], RunOutcome())
    run = crawl("--station", "jacaranda", "--url", f"{site.url}/")
    warnings = run.report["stations"]["jacaranda"]["warnings"]
    assert len(warnings) == 1 and warnings[0].startswith("bodies far shorter than usual")
    assert f"WARNING: {warnings[0]}" in run.stdout
    assert run.code == run.report["exit_code"] == 0
    with open_store(str(crawl.db)) as store:
        latest = store.runs()[0]
    assert (latest["status"], latest["exit_code"]) == ("success", 0)
    assert latest["warnings"] == {"jacaranda": warnings}

"""The redesign alarm also fires when most of the article pages a station fetched this run were
refused as empty or as not articles, however few and with no history (issue 13 item 3): a
local mirror of a station whose article pages have become empty script shells."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.demo_site import station_routes
from crawler.fixtures import all_fixtures
from crawler.stations import registry
from pipelines.store.quality import refusal_warning
from tests.conftest import FAST, ROOT
from tests.servers import LocalSite

ARTICLES = [f for f in all_fixtures("jacaranda") if "not_article" not in f.expected][:2]
SHELL = b'<!doctype html><html><head><title>Jacaranda FM</title></head><body><div id="app">'
SHELL += b"</div><script src='/app.js'></script></body></html>"


def _routes(origin: str, shells: bool) -> dict:
    """The mirror's routes; with `shells` the redesign: the same URLs and validators, and no
    article text in the HTML."""
    routes = station_routes(registry().get("jacaranda"), ARTICLES, origin)
    if shells:
        for fixture in ARTICLES:
            path = urlsplit(fixture.meta["url"]).path
            routes[path] = replace(routes[path], body=SHELL)
    return routes


def crawl(site: LocalSite, tmp_path: Path) -> dict:
    """`radioscrape crawl` (the installed command) of the mirror; the JSON report."""
    report = tmp_path / "report.json"
    command = shutil.which("radioscrape", path=str(Path(sys.executable).parent))
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADIOSCRAPE_")}
    result = subprocess.run(
        [command, "crawl", "--station", "jacaranda", "--url", site.url + "/",
         "--db", str(tmp_path / "x.db"), "--report", str(report), *FAST],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=180,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    return {"stdout": result.stdout, **json.loads(report.read_text())}


@pytest.mark.parametrize("shells", [True, False], ids=["redesigned", "healthy"])
def test_two_refused_pages_raise_the_alarm_with_no_history(shells, tmp_path):
    site = LocalSite()
    with site:
        site.routes.update(_routes(site.url, shells))
        report = crawl(site, tmp_path)
    station = report["stations"]["jacaranda"]
    warned = [w for w in station["warnings"] if "most article pages refused" in w]
    if shells:
        assert station["discovered"] == 2 and station["dropped"] == {"empty": 2}, station
        assert warned == [
            "most article pages refused (2 of 2: empty 2): has the site been redesigned?"
        ]
        assert f"WARNING: {warned[0]}" in report["stdout"]
    else:
        assert station["new"] == 2 and not station["warnings"], station


@pytest.mark.parametrize(
    ("outcomes", "warns"),
    [
        ({"empty": 1}, True),  # however few: one page, refused
        ({"listing": 1, "archive": 1, "kept": 1}, True),
        ({"empty": 1, "kept": 1}, False),  # half is not most
        ({"kept": 5, "duplicate": 3}, False),
        ({"not-html": 2, "kept": 1}, False),  # not HTML is no sign of a redesign
        ({}, False),
    ],
)
def test_refusal_warning_needs_most_pages_refused(outcomes, warns):
    assert (refusal_warning(outcomes) is not None) is warns

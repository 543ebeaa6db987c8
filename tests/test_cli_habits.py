"""CLI habits: --version, help with defaults, scrape -o/-i, text and Markdown output, export
options, fixture add checks."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import os
import shutil
import subprocess
import sys

import pytest

from crawler import cli
from crawler.fixtures import all_fixtures
from crawler.render import md_escape, render_record
from crawler.stations import registry
from pipelines.clean import build_record
from pipelines.store import open_store
from tests.conftest import ROOT

SEED = all_fixtures("jacaranda/john-legend-on-what-strained-his-relationship-with-kanye-west")[0]
HEART = all_fixtures("heart/maisie-calloway-engaged-theo-marsh")[0]
ARTICLES = [f for f in all_fixtures() if f.meta["station"] and "not_article" not in f.expected]


def run(*args: str, cwd=ROOT, stdin: str | None = None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADIOSCRAPE_")}
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        capture_output=True, text=True, cwd=cwd, input=stdin, env=env, timeout=120,
    )  # fmt: skip


def test_version():
    result = run("--version")
    assert result.returncode == 0 and result.stdout.startswith("radioscrape ")


def _subparsers(parser: argparse.ArgumentParser, name: str = "radioscrape"):
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield from _subparsers(sub, f"{name} {sub_name}")


def test_every_option_has_help_and_says_its_default():
    for name, parser in _subparsers(cli.build_parser()):
        for action in parser._actions:
            if not action.option_strings or action.dest in ("help", "version"):
                continue
            where = f"{name} {action.option_strings[-1]}"
            assert action.help, f"{where} has no help"
            if action.default not in (None, False, [], argparse.SUPPRESS) or action.required:
                assert "default" in action.help or action.required, f"{where}: say the default"


def test_scrape_help_lists_the_exit_codes():
    result = run("scrape", "--help")
    assert "exit codes" in result.stdout and "10 forbidden by robots.txt" in result.stdout


def test_scrape_reads_a_target_list_and_writes_a_file(tmp_path):
    targets = tmp_path / "targets.txt"
    targets.write_text(f"# two pages\n{SEED.path / 'page.html'}\n\n{HEART.path / 'page.html'}\n")
    out = tmp_path / "out.jsonl"
    result = run("scrape", "-f", "jsonl", "-i", str(targets), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["title"] for r in records] == [SEED.expected["title"], HEART.expected["title"]]
    assert run("scrape", "-o", str(tmp_path), str(SEED.path / "page.html")).returncode == 2
    none = run("scrape")
    assert none.returncode == 2 and "no targets" in none.stderr


def test_text_batch_names_each_source():
    result = run(
        "scrape", "-f", "text", str(SEED.path / "page.html"), str(HEART.path / "page.html")
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"==> {SEED.path / 'page.html'} <==\n")
    assert f"\n==> {HEART.path / 'page.html'} <==\n" in result.stdout


def test_markdown_escapes_text():
    assert md_escape("# 1 hit *wonder* [live]") == r"\# 1 hit \*wonder\* \[live\]"
    assert md_escape("1. not a list") == r"1\. not a list"
    record = {**SEED.expected, "title": "Top 5 <script> _hits_", "body": ["- not a list item"]}
    text = render_record(record, "markdown")
    assert text.startswith(r"# Top 5 \<script\> \_hits\_") and "\n\\- not a list item\n" in text


GLITTERBOX = all_fixtures("capital/glitterbox-uk-tour-2025-dates-tickets")[0]


def test_markdown_keeps_sub_headings():
    installed = shutil.which("radioscrape", path=os.path.dirname(sys.executable))
    result = subprocess.run(
        [installed, "scrape", "-f", "markdown", str(GLITTERBOX.path / "page.html")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    body = GLITTERBOX.expected["body"]
    assert GLITTERBOX.expected["headings"] == [4, 16]
    assert "\n## Glitterbox UK tour 2025 dates\n" in result.stdout
    assert "\n## How to get Glitterbox tickets\n" in result.stdout
    assert result.stdout.count("\n## ") == 2 and f"\n## {body[5]}" not in result.stdout
    record = {**GLITTERBOX.expected, "body": ["*Dates* [UK]", "# not mine"], "headings": [0]}
    text = render_record(record, "markdown")
    assert "\n## \\*Dates\\* \\[UK\\]\n" in text and "\n\\# not mine\n" in text
    assert "## " not in render_record({**record, "headings": None}, "markdown")


@pytest.fixture(scope="module")
def store_file(tmp_path_factory):
    db = tmp_path_factory.mktemp("export") / "records.db"
    with open_store(db) as store:
        for fixture in ARTICLES:
            store.save_record(build_record(fixture.page(), registry().get(fixture.meta["station"])))
        heart = build_record(HEART.page(), registry().get("heart"))
        changed = dataclasses.replace(heart, body=[*heart.body, "A new last paragraph."])
        store.save_record(dataclasses.replace(changed, content_hash="changed"))
    return db


def test_export_format_from_the_extension_and_fields(store_file, tmp_path):
    out = tmp_path / "heart.csv"
    result = run("export", "--db", str(store_file), "--station", "heart", "-o", str(out),
                 "--fields", "title,station")  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(out.open()))
    assert rows and set(rows[0]) == {"title", "station"}
    assert {r["station"] for r in rows} == {"heart"}
    bad = run("export", "--db", str(store_file), "-o", str(tmp_path / "x.xlsx"))
    assert bad.returncode == 2 and "--format" in bad.stderr


def test_export_refuses_unknown_station_a_folder_and_unknown_fields(store_file, tmp_path):
    for args, needle in (
        (("--station", "nope"), "no station 'nope'"),
        (("-o", str(tmp_path)), "is a folder"),
        (("--fields", "title,bogus"), "unknown field(s) bogus"),
    ):
        result = run("export", "--db", str(store_file), *args)
        assert result.returncode == 2 and needle in result.stderr, result.stderr
        assert result.stderr.count("\n") == 1


def test_export_until_and_all_versions(store_file):
    every = [json.loads(x) for x in run("export", "--db", str(store_file)).stdout.splitlines()]
    dates = sorted(r["published"] for r in every if r["published"])
    cut = dates[len(dates) // 2][:10]
    until = run("export", "--db", str(store_file), "--until", cut, "--fields", "published")
    kept = [json.loads(x)["published"] for x in until.stdout.splitlines()]
    assert kept and all(p[:10] < cut or p < cut for p in kept) and len(kept) < len(every)
    versions = run("export", "--db", str(store_file), "--station", "heart", "--all-versions")
    heart = [json.loads(x) for x in versions.stdout.splitlines()]
    mine = [r for r in heart if r["canonical_url"] == HEART.expected["canonical_url"]]
    assert [r["version"] for r in mine] == [1, 2]
    assert mine[1]["body"][-1] == "A new last paragraph."


def test_fixture_add_refuses_non_http_and_warns_on_another_station(tmp_path):
    folder = tmp_path / "fixtures"
    folder.mkdir()
    ftp = run(
        "fixture", "add", "--fixtures", str(folder), "--station", "heart", "ftp://x.example/a"
    )
    assert ftp.returncode == 11 and "only http(s)" in ftp.stderr
    other = run("fixture", "add", "--fixtures", str(folder), "--station", "heart",
                "--url", "https://www.jacarandafm.com/news/entertainment/x/",
                str(SEED.path / "page.html"))  # fmt: skip
    assert other.returncode == 0, other.stderr
    assert "belongs to station 'jacaranda', not 'heart'" in other.stderr

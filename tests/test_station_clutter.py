"""A station profile's own clutter rules: checked when the profile loads (one line naming the
file and the key; a text pattern that backtracks on hostile lines is refused), applied to that
station's pages only, and counted in the record's clutter audit. The examples of every profile
rule run through the whole chain in tests/test_clutter_rules.py; their patterns are held to
linear time on long lines in test_hostile_regex.py."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.config import ConfigError
from crawler.preflight import check_targets
from crawler.stations import STATIONS_ENV, ProfileError, parse_profile
from pipelines.clean import clean_page
from pipelines.clean.clutter import check_station_rules, checked_registry
from pipelines.core.items import Page
from tests.conftest import ROOT

WKVB = Path(__file__).parent / "profiles" / "wkvb.toml"
BASE = {"key": "x", "name": "X", "domains": ["x.example"]}
GOOD_TEXT = {"name": "x-line", "text": r"text x to \d+", "must_go": "Text X to 1", "must_stay": "a"}
PAGE = """<!doctype html><html lang="en"><head><title>Homecoming | WKVB</title></head><body>
<article><h1>Singer announces a surprise homecoming show</h1>
<p>The singer announced on Monday that she will play a surprise homecoming show next month.</p>
<p>Text WKVB to 55123 for the daily Cash Drop!</p>
<div class="cashdrop"><p>Win $1,000 every hour this week with the WKVB Cash Drop, on air
between six and seven every weekday morning.</p></div>
<p>Tickets go on sale on Friday morning, and the venue holds two thousand people, they said.</p>
</article></body></html>"""


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({**GOOD_TEXT, "text": "text (x"}, "clutter[0].text: 'text (x': missing ), unterminated"),
        ({**GOOD_TEXT, "text": None, "css": "div[["}, "clutter[0].css: 'div[[' does not compile"),
        ({**GOOD_TEXT, "css": ".x"}, "clutter[0]: give exactly one of css or text"),
        ({**GOOD_TEXT, "must_go": "Call X"}, "clutter[0].text: does not match its must_go"),
        ({**GOOD_TEXT, "must_stay": "TEXT X TO 9"}, "clutter[0].text: matches its must_stay"),
        ({**GOOD_TEXT, "name": "Big Rule"}, "clutter[0].name: 'Big Rule' must be kebab-case"),
        ({**GOOD_TEXT, "tail": True}, "clutter[0].tail: unknown key"),
        (
            {**GOOD_TEXT, "text": r"text (?:\w+ ?)+ to \d+"},
            "clutter[0].text: backtracks, not linear",
        ),
        ({**GOOD_TEXT, "must_stay": None}, "clutter[0].must_stay: required"),
        (
            {**GOOD_TEXT, "text": None, "css": ".promo", "must_go": "<p class='ad'>x</p>"},
            "clutter[0].css: does not select anything in its must_go example",
        ),
        (
            {**GOOD_TEXT, "text": None, "css": "p", "must_go": "<p>x</p>", "must_stay": "<p>y</p>"},
            "clutter[0].css: selects something in its must_stay example",
        ),
    ],
)
def test_a_bad_rule_is_one_line_naming_the_file_and_key(rule, message):
    rule = {k: v for k, v in rule.items() if v is not None}
    with pytest.raises(ProfileError) as caught:
        parse_profile({**BASE, "clutter": [rule]}, origin="x.toml")
    assert str(caught.value).startswith("x.toml: ") and message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_two_rules_of_a_profile_cannot_share_a_name():
    with pytest.raises(ProfileError, match=r"x\.toml: clutter\[1\]\.name: 'x-line' is already a"):
        parse_profile({**BASE, "clutter": [GOOD_TEXT, GOOD_TEXT]}, origin="x.toml")


CLASH = "clutter[0].name: 'promo-link' is already a rule's name"


def test_a_rule_named_like_a_shared_one_is_refused_by_the_cleaner():
    profile = parse_profile({**BASE, "clutter": [{**GOOD_TEXT, "name": "promo-link"}]}, "x.toml")
    with pytest.raises(ProfileError) as caught:
        check_station_rules(profile, "x.toml")
    assert str(caught.value) == f"x.toml: {CLASH}"
    check_station_rules(parse_profile({**BASE, "clutter": [GOOD_TEXT]}, "x.toml"), "x.toml")


def test_a_station_whose_rule_clashes_is_broken_wherever_it_is_loaded(tmp_path, monkeypatch):
    folder = tmp_path / "stations"
    folder.mkdir()
    bad = folder / "wkvb.toml"
    bad.write_text(WKVB.read_text().replace("wkvb-cash-drop", "promo-link"), encoding="utf-8")
    monkeypatch.setenv(STATIONS_ENV, str(folder))
    message = f"{bad}: clutter[1].name: 'promo-link' is already a rule's name"
    stations = checked_registry()
    assert "wkvb" not in stations.by_key and len(stations) > 0
    for load in (
        lambda: stations.get("wkvb"),
        lambda: stations.for_url("https://www.wkvb.example/news/x/"),
        stations.require_all,
        lambda: clean_page(Page(url="https://www.wkvb.example/news/x/", body=PAGE.encode(),
                                station="wkvb")),
    ):  # fmt: skip
        with pytest.raises(ProfileError) as caught:
            load()
        assert str(caught.value).startswith(message), caught.value
    with pytest.raises(ConfigError, match=re.escape(f"invalid station profile: {message}")):
        check_targets({"station": "wkvb"})


def test_clutter_must_be_an_array_of_tables():
    with pytest.raises(ProfileError, match=r"x\.toml: clutter: must be an array of tables"):
        parse_profile({**BASE, "clutter": {"name": "x"}}, origin="x.toml")


def test_good_rules_load_in_order_after_the_shared_ones():
    profile = parse_profile({**BASE, "clutter": [GOOD_TEXT]}, origin="x.toml")
    assert [r.name for r in profile.clutter] == ["x-line"]
    assert profile.clutter[0].pattern.fullmatch("TEXT X TO 42")


def run(*args: str, env: dict | None = None):
    """The installed radioscrape command in a child process, with a clean RADIOSCRAPE_* env."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("RADIOSCRAPE_")}
    command = shutil.which("radioscrape", path=str(Path(sys.executable).parent))
    return subprocess.run(
        [command, *args], capture_output=True, text=True, cwd=ROOT, timeout=120,
        env={**base, **(env or {})},
    )  # fmt: skip


def test_the_rules_apply_to_their_station_only_and_are_counted(tmp_path):
    folder = tmp_path / "stations"
    folder.mkdir()
    shutil.copy(WKVB, folder / "wkvb.toml")
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    env = {"RADIOSCRAPE_STATIONS": str(folder)}
    own = run("scrape", "--url", "https://www.wkvb.example/news/x/", str(page), env=env)
    assert own.returncode == 0, own.stderr
    record = json.loads(own.stdout)
    assert record["clutter"]["wkvb-text-club"] == 1 and record["clutter"]["wkvb-cash-drop"] == 1
    assert not any("WKVB" in p for p in record["body"]), record["body"]
    other = run("scrape", "--url", "https://other.example/news/x/", str(page), env=env)
    assert other.returncode == 0, other.stderr
    body = json.loads(other.stdout)["body"]
    assert "Text WKVB to 55123 for the daily Cash Drop!" in body
    assert any("WKVB Cash Drop, on air" in p for p in body)


def test_stations_check_refuses_a_bad_rule_in_one_line(tmp_path):
    bad = tmp_path / "wkvb.toml"
    bad.write_text(WKVB.read_text().replace(".cashdrop", "div[["), encoding="utf-8")
    result = run("stations", "--check", str(bad))
    assert result.returncode == 2, result
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert f"{bad}: clutter[1].css: 'div[[' does not compile" in result.stderr
    bad.write_text(WKVB.read_text().replace("wkvb-text-club", "promo-link"), encoding="utf-8")
    result = run("stations", "--check", str(bad))
    assert result.returncode == 2, result
    assert result.stderr == f"radioscrape: {bad}: {CLASH}\n"
    assert run("stations", "--check", str(WKVB)).returncode == 0

"""The truth for cron: configuration errors are one line and exit 2 before anything is fetched,
a closed stdout ends quietly, a crawl that finds no article fails, `scrapy crawl` exits with the
CLI's codes, and the Scrapy extensions radioscrape does not use are off."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from crawler.demo_site import station_routes
from crawler.fixtures import all_fixtures
from crawler.stations import registry
from tests.conftest import FAST, ROOT
from tests.servers import LocalSite, Resource

JACARANDA = [f for f in all_fixtures("jacaranda") if "not_article" not in f.expected]
HEART_FILE = str(all_fixtures("heart/maisie-calloway-engaged-theo-marsh")[0].path / "page.html")


def run(*args: str, env: dict | None = None, cwd=ROOT, timeout: float = 120, cmd=None):
    """A radioscrape (or another) command in a child process, with a clean RADIOSCRAPE_* env."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("RADIOSCRAPE_")}
    return subprocess.run(
        [*(cmd or [sys.executable, "-m", "crawler.cli"]), *args],
        capture_output=True, text=True, cwd=cwd, timeout=timeout, env={**base, **(env or {})},
    )  # fmt: skip


@pytest.fixture(scope="module")
def mirror():
    """A local mirror of Jacaranda FM (robots.txt, sitemaps, feed, sections, articles)."""
    site = LocalSite()
    with site:
        site.routes.update(station_routes(registry().get("jacaranda"), JACARANDA, site.url))
        yield site


@pytest.fixture
def empty_site():
    """A site with a home page and no article anywhere."""
    routes = {
        "/robots.txt": Resource(b"User-agent: *\n", headers={"Content-Type": "text/plain"}),
        "/": Resource(b"<html><body><h1>Nothing here</h1></body></html>"),
    }
    with LocalSite(routes) as site:
        yield site


def one_line_exit_2(result, *needles: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("radioscrape: ") and "Traceback" not in result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--db", "/missing/dir/x.db"), "folder /missing/dir does not exist"),
        (("--report", "/missing/r.json"), "report /missing/r.json"),
        (("-s", "DOWNLOAD_TIMEOUT=abc"), "DOWNLOAD_TIMEOUT='abc': must be a number"),
        (("-s", "RADIOSCRAPE_LIMT=5"), "unknown radioscrape setting"),
        (("--redis", "redis://127.0.0.1:1/0"), "redis redis://127.0.0.1:1/0"),
        (("--db", "postgresql://rs:hunter2@127.0.0.1:1/rs"), "postgresql://rs:***@127.0.0.1:1"),
    ],
)
def test_configuration_errors_are_one_line_exit_2_and_fetch_nothing(args, needle, mirror, tmp_path):
    before = len(mirror.log)
    db = ("--db", str(tmp_path / "x.db")) if "--db" not in args else ()
    result = run("crawl", "--station", "jacaranda", "--url", mirror.url + "/", *db, *args)
    one_line_exit_2(result, needle)
    assert "hunter2" not in result.stderr
    assert len(mirror.log) == before, "a page was fetched before the error was found"


def test_a_broken_profile_stops_only_what_uses_it(tmp_path, mirror):
    folder = tmp_path / "stations"
    folder.mkdir()
    (folder / "jacaranda.toml").write_text(
        'key = "jacaranda"\nname = "J"\ndomains = ["www.jacarandafm.com"]\ntimezon = "UTC"\n'
    )
    env = {"RADIOSCRAPE_STATIONS": str(folder)}
    db = str(tmp_path / "x.db")
    crawl = run("crawl", "--station", "jacaranda", "--url", mirror.url + "/", "--db", db, env=env)
    one_line_exit_2(crawl, "jacaranda.toml: timezon: unknown key (did you mean 'timezone'?)")
    every = run("crawl", "--db", db, env=env)  # every station: the broken one included
    one_line_exit_2(every, "timezon")
    scrape_other = run("scrape", HEART_FILE, env=env)
    assert scrape_other.returncode == 0, scrape_other.stderr
    scrape_it = run("scrape", "--url", "https://www.jacarandafm.com/news/x/y/", HEART_FILE, env=env)
    one_line_exit_2(scrape_it, "timezon")
    listing = run("stations", env=env)
    assert listing.returncode == 2 and "heart" in listing.stdout
    assert "jacaranda" not in listing.stdout and "timezon" in listing.stderr


def test_closed_stdout_ends_quietly(mirror, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADIOSCRAPE_")}
    args = ["crawl", "--station", "jacaranda", "--url", mirror.url + "/", *FAST]
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", *args, "--db", str(tmp_path / "x.db")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=env,
    )  # fmt: skip
    proc.stdout.close()  # `| head -0`: the reader is gone before the report is printed
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr


def test_a_crawl_that_finds_no_article_fails_with_a_hint(empty_site, tmp_path):
    report = tmp_path / "r.json"
    result = run("crawl", "--url", empty_site.url + "/", "--db", str(tmp_path / "x.db"),
                 "--report", str(report), *FAST, env={"HOME": str(tmp_path)})  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "no article found" in result.stderr
    assert json.loads(report.read_text())["status"] == "failure"
    # RemoteControl would have left token files under HOME; telnet would have logged a port.
    assert not (tmp_path / ".local").exists()
    assert "Telnet" not in result.stderr


def test_unused_scrapy_extensions_are_off_and_not_imported():
    # In a fresh process: the remote control extension imports aiohttp (~0.2 s of a crawl's
    # start-up), and Scrapy loads every key of EXTENSIONS, even one set to None.
    code = """
import sys
from scrapy.utils.conf import build_component_list
from crawler.fetch import project_settings
settings = project_settings()
active = build_component_list(settings.get_component_priority_dict_with_base("EXTENSIONS"))
assert "crawler.report.CrawlReport" in active
assert not any("remote_control" in n or "telnet" in n for n in active), active
assert not settings.getbool("REMOTE_CONTROL_ENABLED")
assert not settings.getbool("TELNETCONSOLE_ENABLED")
assert "scrapy.extensions.remote_control" not in sys.modules
assert "aiohttp" not in sys.modules
from scrapy.settings import default_settings
unused = ("telnet.TelnetConsole", "remote_control.RemoteControl")
scrapy_base = {k: v for k, v in default_settings.EXTENSIONS_BASE.items() if not k.endswith(unused)}
assert settings.getdict("EXTENSIONS_BASE") == scrapy_base  # Scrapy's own, but for those two
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_one_off_scrape_does_not_load_scrapy_or_the_store():
    code = """
import sys
from crawler import cli
cli.build_parser("scrape")
cli.configure(cli.build_parser("scrape").parse_args(["scrape", "x.html"]))
loaded = {"scrapy", "twisted", "pipelines.store", "sqlite3", "numpy"} & set(sys.modules)
assert not loaded, loaded
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def scrapy(*args: str, tmp_path, cwd=ROOT, env=None):
    return run(*args, cmd=[sys.executable, "-m", "scrapy"], cwd=cwd, env=env)


def test_scrapy_crawl_exits_with_the_cli_codes(mirror, empty_site, tmp_path):
    db = f"RADIOSCRAPE_DB={tmp_path / 'x.db'}"
    fast = ("-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=ERROR")
    ok = scrapy("crawl", "station", "-a", "station=jacaranda", "-a", f"url={mirror.url}/",
                "-s", db, *fast, tmp_path=tmp_path)  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    none = scrapy("crawl", "station", "-a", f"url={empty_site.url}/", "-s", db, *fast,
                  tmp_path=tmp_path)  # fmt: skip
    assert none.returncode == 2 and "failure (exit 2" in none.stdout
    bad = scrapy("crawl", "station", "-a", "station=jacaranda", "-s", "RADIOSCRAPE_DB=/no/x.db",
                 tmp_path=tmp_path)  # fmt: skip
    assert bad.returncode == 2 and "radioscrape: store /no/x.db" in bad.stderr
    missing = scrapy("crawl", "page", "-a", f"url={empty_site.url}/missing/", *fast,
                     tmp_path=tmp_path)  # fmt: skip
    assert missing.returncode == 6, missing.stderr
    listing = scrapy("crawl", "page", "-a", f"url={empty_site.url}/", *fast, tmp_path=tmp_path)
    assert listing.returncode in (3, 4), listing.stderr

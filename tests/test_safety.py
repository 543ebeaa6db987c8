"""Safety: profiles are data, only http(s) is fetched, sizes are capped, SQL is parameterised,
nothing from a page runs, and file names made from URLs stay inside their folder."""

from __future__ import annotations

import ast
import gzip
import re
import sqlite3
from pathlib import Path

import pytest
from scrapy.utils.python import without_none_values

from crawler.demo_site import LocalSite, Resource
from crawler.fetch import project_settings
from crawler.fixtures import add_fixture, slug_for
from crawler.spiders.page import PageSpider
from crawler.spiders.station import build_targets
from crawler.stations import ProfileError, build_registry
from pipelines.clean import build_record
from pipelines.core.items import ArticleRecord, Page
from pipelines.store.sqlite import SQLiteStore
from tests.conftest import ROOT, run_cli
from tests.faultsite import MB, generate, gzip_bomb

CODE = sorted([*(ROOT / "crawler").rglob("*.py"), *(ROOT / "pipelines").rglob("*.py")])
BUILTINS = ("eval", "exec", "compile", "__import__")
ARTICLE = generate(1)[0]
HOSTILE = "x'); DROP TABLE articles; -- \" OR 1=1 /* ? :name %s $1"


def calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            yield node


def test_no_code_runs_from_data():
    """No eval/exec/compile/__import__, no pickle, marshal, shelve, os.system or subprocess in
    crawler/ and pipelines/: nothing a profile or a page holds can become code."""
    found = []
    for path in CODE:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in BUILTINS:
                found.append(f"{path.name}:{node.lineno} {node.func.id}()")
            if isinstance(node, ast.Attribute) and node.attr in ("system", "popen", "load_module"):
                found.append(f"{path.name}:{node.lineno} .{node.attr}")
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                bad = {"pickle", "marshal", "shelve", "subprocess", "yaml", "js2py"}
                found += [f"{path.name}:{node.lineno} import {n}" for n in names if n in bad]
    assert found == []


def test_a_station_profile_is_data_only(tmp_path):
    marker = tmp_path / "PWNED"
    payload = f"__import__('os').system('touch {marker}')"
    (tmp_path / "evil.toml").write_text(
        f'key = "evil"\nname = "{payload}"\ndomains = ["evil.example"]\n'
        f'home = "https://evil.example/"\n[urls]\narticle = ["{payload}"]\n',
        encoding="utf-8",
    )
    profile = build_registry([tmp_path / "evil.toml"]).get("evil")
    assert profile.name == payload and not marker.exists()
    (tmp_path / "evil.toml").write_text(
        f'key = "evil"\nname = "x"\ndomains = ["evil.example"]\n[selectors]\ntitle = "{payload}"\n',
        encoding="utf-8",
    )
    with pytest.raises(ProfileError):  # a selector is CSS; this one does not compile
        build_registry([tmp_path / "evil.toml"])
    assert not marker.exists()


def test_nothing_from_a_page_is_executed():
    html = ARTICLE.html.replace(
        "</h1>",
        "</h1><script>document.write('INJECTED')</script>"
        "<img src=x onerror=\"alert('INJECTED')\"><a href=\"javascript:alert('INJECTED')\">x</a>",
    )
    page = Page(url="https://www.jacarandafm.com" + ARTICLE.path, body=html.encode(),
                station="jacaranda", fetched_at="2026-11-24T00:00:00+00:00")  # fmt: skip
    record = build_record(page)
    assert "INJECTED" not in record.to_json()


@pytest.mark.parametrize(
    "target", ["file:///etc/passwd", "ftp://example.com/x", "gopher://example.com/", "s3://b/k"]
)
def test_one_off_scrape_refuses_other_schemes(target):
    result = run_cli("scrape", target)
    assert result.code == 11 and result.stdout == ""
    assert "only http(s) URLs and files" in result.stderr


@pytest.mark.parametrize("target", ["javascript:alert(1)", "data:text/html,<p>hi</p>"])
def test_one_off_scrape_refuses_scheme_strings_without_slashes(target):
    result = run_cli("scrape", target)
    assert result.code == 11 and result.stdout == ""


def test_crawl_refuses_other_schemes(tmp_path):
    with pytest.raises(ValueError, match="only http"):
        build_targets(url="file:///etc/passwd")
    with pytest.raises(ValueError, match="only http"):
        PageSpider(url="file:///etc/passwd")
    result = run_cli("crawl", "--url", "file:///etc/", "--db", str(tmp_path / "x.db"))
    assert result.code == 2 and "only http(s)" in result.stderr


def test_only_http_download_handlers_are_enabled():
    """Of every download handler a crawler would load (Scrapy's own and ours, merged as Scrapy
    merges them), only http(s) are left: a scheme a Scrapy upgrade adds stays off too."""
    handlers = without_none_values(project_settings().getwithbase("DOWNLOAD_HANDLERS"))
    assert set(handlers) == {"http", "https"}


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        (Resource(b"<p>" + b"x" * (MB - 3), repeat=12), "larger than download max size"),
        (
            Resource(gzip_bomb(64 * MB), headers={"Content-Encoding": "gzip"}),
            "exceeded DOWNLOAD_MAXSIZE",
        ),
    ],
    ids=["12-MB-page", "gzip-bomb"],
)
def test_one_off_scrape_caps_download_and_decompressed_size(resource, message):
    with LocalSite({"/big/": resource}) as site:
        result = run_cli("scrape", f"{site.url}/big/", "-s", "RETRY_TIMES=0")
    assert result.code == 12, result.stderr
    assert message in result.stderr


def test_truncated_gzip_is_refused_not_half_stored():
    body = gzip.compress(ARTICLE.html.encode())
    truncated = Resource(body[: len(body) // 2], headers={"Content-Encoding": "gzip"})
    with LocalSite({"/cut/": truncated}) as site:
        result = run_cli("scrape", f"{site.url}/cut/", "-s", "RETRY_TIMES=0")
    assert result.code == 9 and "truncated gzip body" in result.stderr
    assert result.stdout == ""


def hostile_record(number: int) -> ArticleRecord:
    return ArticleRecord(
        url=f"https://a.example/{number}/?q='{HOSTILE}",
        canonical_url=f"https://a.example/{number}/",
        station=HOSTILE,
        station_name=HOSTILE,
        section=None,
        show=None,
        title=HOSTILE,
        standfirst=HOSTILE,
        author=HOSTILE,
        published="2026-11-01T00:00:00+00:00",
        updated=None,
        body=[HOSTILE, "'; DELETE FROM article_versions; --"],
        headings=[0],
        image=None,
        tags=[HOSTILE],
        embeds=[],
        language="en",
        word_count=3,
        content_hash=f"hash-{number}",
        fetched_at="2026-11-24T00:00:00+00:00",
        clutter={HOSTILE: 1},
    )


def test_hostile_text_is_stored_as_data(tmp_path):
    db = tmp_path / "store.db"
    with SQLiteStore(db) as store:
        for number in range(3):
            store.save_record(hostile_record(number))
        assert list(store.records(station="x' OR '1'='1")) == []
        stored = list(store.records(station=HOSTILE))
    assert [r["title"] for r in stored] == [HOSTILE] * 3
    assert stored[0]["body"][1] == "'; DELETE FROM article_versions; --"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM article_versions").fetchone() == (3,)


def only_constants(sql: ast.expr) -> bool:
    """Whether an f-string interpolates module constants only (DDL like `{TEXT}`)."""
    values = [n.value for n in ast.walk(sql) if isinstance(n, ast.FormattedValue)]
    return isinstance(sql, ast.JoinedStr) and all(
        isinstance(v, ast.Name) and v.id.isupper() for v in values
    )


def test_sql_values_always_go_through_parameters():
    """Every execute() whose SQL is built (f-string, +, format) passes its values separately
    (or interpolates module constants only), and no SQL is built with % or .format()."""
    found = []
    for path in sorted((ROOT / "pipelines" / "store").glob("*.py")):
        for node in calls(path):
            if not (isinstance(node.func, ast.Attribute) and node.func.attr.startswith("execute")):
                continue
            sql = node.args[0] if node.args else None
            built = isinstance(sql, ast.JoinedStr | ast.BinOp | ast.Call)
            formatted = any(
                (isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mod))
                or (isinstance(n, ast.Attribute) and n.attr == "format")
                for n in ast.walk(sql or ast.Constant(None))
            )
            if formatted or (built and len(node.args) < 2 and not only_constants(sql)):
                found.append(f"{path.name}:{node.lineno}")
    assert found == []


@pytest.mark.parametrize(
    "url",
    [
        "http://x.example/../../etc/passwd",
        "http://x.example/%2e%2e/%2e%2e/etc/",
        "http://x.example/a/..\\..\\windows\\",
        "http://x.example/..",
        "http://x.example/.%00./x",
        "http://x.example/" + "a" * 500,
        "http://x.example/ÅÄÖ/~root",
        "http://x.example/?file=../../x#../y",
    ],
)
def test_file_names_from_urls_stay_in_their_folder(url, tmp_path, monkeypatch):
    slug = slug_for(url)
    assert re.fullmatch(r"[a-z0-9-]{1,80}", slug), slug
    monkeypatch.setattr("crawler.fixtures.FIXTURES_DIR", tmp_path)
    page = Page(url=url, body=ARTICLE.html.encode(), fetched_at="2026-11-24T00:00:00")
    fixture = add_fixture("generic", page)
    assert fixture.path.resolve().parent == (tmp_path / "generic").resolve()


def test_fixture_station_must_be_a_known_key(tmp_path, monkeypatch):
    monkeypatch.setattr("crawler.fixtures.FIXTURES_DIR", tmp_path)
    page = Page(url="http://x.example/a/", body=b"<p>x</p>")
    with pytest.raises(KeyError):
        add_fixture("../../outside", page)
    assert list(tmp_path.iterdir()) == []

"""Configuration like a service: command line > RADIOSCRAPE_* environment > config file >
defaults; `radioscrape config` shows where each value came from, secrets masked."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from crawler.config import ConfigError, load_config, mask, with_password
from tests.conftest import ROOT

FILE = """\
db = "/srv/file.db"
limit = 5
log_level = "INFO"
db_password = "filesecret"
[scrapy]
DOWNLOAD_DELAY = 1.5
"""


def config_file(tmp_path, text=FILE):
    path = tmp_path / "radioscrape.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_precedence_command_line_over_environment_over_file_over_defaults(tmp_path):
    path = config_file(tmp_path)
    env = {"RADIOSCRAPE_LIMIT": "7", "RADIOSCRAPE_DB": "/srv/env.db"}
    cfg = load_config(cli={"db": "/srv/cli.db"}, config_path=str(path), environ=env)
    assert cfg.values["db"] == ("/srv/cli.db", "command line")
    assert cfg.values["limit"] == ("7", "env RADIOSCRAPE_LIMIT")
    assert cfg.values["log_level"] == ("INFO", f"file {path}")
    assert cfg.values["max_section_pages"] == (5, "default")
    assert cfg.scrapy["DOWNLOAD_DELAY"] == (1.5, f"file {path}")
    settings = cfg.scrapy_settings()
    assert settings["RADIOSCRAPE_DB"] == "/srv/cli.db" and settings["RADIOSCRAPE_LIMIT"] == "7"
    assert "RADIOSCRAPE_MAX_SECTION_PAGES" not in settings  # defaults stay in settings.py
    sets = load_config(sets=[("RADIOSCRAPE_LIMIT", "9"), ("DOWNLOAD_DELAY", "3")],
                       config_path=str(path), environ=env)  # fmt: skip
    assert sets.values["limit"] == ("9", "command line")
    assert sets.scrapy["DOWNLOAD_DELAY"] == ("3", "command line")


def test_the_working_directory_file_and_the_environment_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_config(environ={}).path is None
    config_file(tmp_path)
    assert load_config(environ={}).values["db"][0] == "/srv/file.db"
    other = tmp_path / "other.toml"
    other.write_text('db = "/srv/other.db"\n')
    assert load_config(environ={"RADIOSCRAPE_CONFIG": str(other)}).values["db"][0] == (
        "/srv/other.db"
    )
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(config_path=str(tmp_path / "absent.toml"), environ={})


@pytest.mark.parametrize(
    ("text", "env", "message"),
    [
        ('dbb = "x"\n', {}, "radioscrape.toml: dbb: unknown key"),
        ("limit = 'many'\n", {}, "radioscrape.toml: limit='many': must be a whole number"),
        ("[scrapy]\nDOWNLOAD_TIMEOUT = 'soon'\n", {}, "[scrapy] DOWNLOAD_TIMEOUT='soon'"),
        ("db = [1\n", {}, "not valid TOML"),
        ("", {"RADIOSCRAPE_PROGRESS": "maybe"}, "environment RADIOSCRAPE_PROGRESS='maybe'"),
    ],
)
def test_bad_values_are_one_line_with_where_and_why(tmp_path, text, env, message):
    path = config_file(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(config_path=str(path), environ=env)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_passwords_apart_are_put_into_the_dsn_and_masked():
    assert with_password("postgresql://rs@db/rs", "p@ss w") == "postgresql://rs:p%40ss%20w@db/rs"
    assert with_password("postgresql://rs:own@db/rs", "other") == "postgresql://rs:own@db/rs"
    assert with_password("redis://queue:6379/0", "s") == "redis://:s@queue:6379/0"
    assert mask("postgresql://rs:secret@db:5432/rs") == "postgresql://rs:***@db:5432/rs"
    env = {"RADIOSCRAPE_DB": "postgresql://rs@db/rs", "RADIOSCRAPE_DB_PASSWORD": "secret"}
    cfg = load_config(environ=env)
    assert cfg.get("db") == "postgresql://rs:secret@db/rs"
    assert cfg.scrapy_settings()["RADIOSCRAPE_DB"] == "postgresql://rs:secret@db/rs"
    assert "secret" not in json.dumps(cfg.rows())


def cli(*args, cwd, env=None):
    base = {k: v for k, v in os.environ.items() if not k.startswith("RADIOSCRAPE_")}
    base["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        capture_output=True, text=True, cwd=cwd, env={**base, **(env or {})}, timeout=60,
    )  # fmt: skip


def test_config_command_prints_values_and_sources_with_secrets_masked(tmp_path):
    config_file(tmp_path)
    env = {"RADIOSCRAPE_REDIS": "redis://:hunter2@queue:6379/0", "RADIOSCRAPE_LIMIT": "3"}
    result = cli("config", "--format", "json", "-s", "CONCURRENT_REQUESTS=4", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "hunter2" not in result.stdout and "filesecret" not in result.stdout
    shown = json.loads(result.stdout)
    assert shown["RADIOSCRAPE_DB"] == {"value": "/srv/file.db", "source": "file radioscrape.toml"}
    assert shown["RADIOSCRAPE_REDIS"]["value"] == "redis://:***@queue:6379/0"
    assert shown["RADIOSCRAPE_LIMIT"]["source"] == "env RADIOSCRAPE_LIMIT"
    assert shown["db_password"] == {"value": "***", "source": "file radioscrape.toml"}
    assert shown["CONCURRENT_REQUESTS"] == {"value": "4", "source": "command line"}
    assert shown["RADIOSCRAPE_CONTACT"]["source"] == "default"
    table = cli("config", cwd=tmp_path, env=env)
    assert "RADIOSCRAPE_LIMIT" in table.stdout and "(env RADIOSCRAPE_LIMIT)" in table.stdout


def test_the_crawl_reads_the_environment_and_the_file(tmp_path):
    env = {"RADIOSCRAPE_DB": "/missing/env/x.db"}
    result = cli("crawl", "--station", "jacaranda", cwd=tmp_path, env=env)
    assert result.returncode == 2 and "store /missing/env/x.db" in result.stderr
    config_file(tmp_path, 'db = "/missing/file/x.db"\n')
    from_file = cli("crawl", "--station", "jacaranda", cwd=tmp_path)
    assert from_file.returncode == 2 and "store /missing/file/x.db" in from_file.stderr
    bad = cli("crawl", cwd=tmp_path, env={"RADIOSCRAPE_LIMIT": "lots"})
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_every_setting_and_key_is_in_the_readme():
    from crawler.config import EXTRA_KEYS, radioscrape_defaults
    from tests.test_readme import README

    section = README[README.index("## Configuration") : README.index("## Record schema")]
    for name in radioscrape_defaults():
        assert f"`{name}`" in section, f"README Configuration must document {name}"
    for key in EXTRA_KEYS:
        assert f"`{key}` / `RADIOSCRAPE_{key.upper()}`" in section, key

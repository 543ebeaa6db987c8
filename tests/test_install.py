"""A plain install works: `pip install .` into a fresh venv, run from outside the checkout.

Installs from a copy of the checkout (so the build leaves nothing in it) with the
dependencies from the package index, as a new user would, then runs the installed command
from an empty folder: the demo on the pages shipped in the package, fixture commands with and
without a fixture folder, stations from a user folder, and plain `scrapy crawl`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT

SKIP = {".venv", ".git", "build", "dist", ".pytest_cache", ".ruff_cache", ".hypothesis"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(bin folder of a fresh venv with radioscrape installed, an empty working folder)."""
    tmp = tmp_path_factory.mktemp("install")
    source = tmp / "source"
    shutil.copytree(
        ROOT, source, symlinks=True,
        ignore=lambda folder, names: [n for n in names if n in SKIP or n.endswith(".egg-info")],
    )  # fmt: skip
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(source)],
        capture_output=True, text=True, cwd=tmp, timeout=600,
    )  # fmt: skip
    assert pip.returncode == 0, pip.stdout + pip.stderr
    shutil.rmtree(source)  # the install must not need the checkout
    work = tmp / "work"
    work.mkdir()
    return venv / "bin", work


def run(installed, *args: str, env: dict | None = None, timeout: float = 180):
    bin_dir, work = installed
    base = {k: v for k, v in os.environ.items() if not k.startswith(("RADIOSCRAPE_", "SCRAPY_"))}
    base.pop("PYTHONPATH", None)
    base["PATH"] = f"{bin_dir}{os.pathsep}{base.get('PATH', '')}"
    return subprocess.run(
        [str(bin_dir / args[0]), *args[1:]],
        capture_output=True, text=True, cwd=work, timeout=timeout, env={**base, **(env or {})},
    )  # fmt: skip


def test_version_and_stations(installed):
    version = run(installed, "radioscrape", "--version")
    assert version.returncode == 0 and version.stdout.startswith("radioscrape 0.")
    stations = run(installed, "radioscrape", "stations")
    assert stations.returncode == 0 and "jacaranda" in stations.stdout, stations.stderr


def test_demo_runs_on_shipped_pages_into_its_own_db(installed):
    _, work = installed
    result = run(installed, "radioscrape", "demo")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "radioscrape crawl success" in result.stdout
    assert "127.0.0.1" in result.stderr and "DNS" not in result.stderr
    assert (work / "demo.db").is_file() and not (work / "radioscrape.db").exists()


def test_fixture_commands_say_when_there_is_no_fixture_folder(installed):
    result = run(installed, "radioscrape", "fixture", "review")
    assert result.returncode == 2
    assert result.stderr.startswith("radioscrape: no fixture folder fixtures")
    assert result.stderr.count("\n") == 1


def test_stations_from_a_user_folder(installed):
    _, work = installed
    folder = work / "stations"
    folder.mkdir(exist_ok=True)
    (folder / "wkvb.toml").write_text(
        'key = "wkvb"\nname = "WKVB"\ndomains = ["wkvb.example"]\n', encoding="utf-8"
    )
    env = {"RADIOSCRAPE_STATIONS": str(folder)}
    listed = run(installed, "radioscrape", "stations", env=env)
    assert listed.returncode == 0 and "wkvb" in listed.stdout
    flag = run(installed, "radioscrape", "stations", "--stations", str(folder))
    assert flag.returncode == 0 and "wkvb" in flag.stdout
    check = run(installed, "radioscrape", "stations", "--check", str(folder / "wkvb.toml"))
    assert check.returncode == 0 and check.stdout.startswith("ok: ")


def test_plain_scrapy_crawl_outside_the_checkout(installed):
    env = {"SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    bad = run(installed, "scrapy", "crawl", "station", "-a", "station=jacaranda",
              "-s", "RADIOSCRAPE_DB=/missing/dir/x.db", env=env)  # fmt: skip
    assert bad.returncode == 2 and "radioscrape: store /missing/dir/x.db" in bad.stderr


def test_distributed_crawl_needs_its_extra(installed):
    result = run(installed, "radioscrape", "crawl", "--redis", "redis://127.0.0.1:1/0")
    assert result.returncode == 2
    assert "pip install 'radioscrape[distributed]'" in result.stderr


def test_browse_needs_its_extra_and_ships_its_files(installed):
    _, work = installed
    (work / "empty.db").touch()
    result = run(installed, "radioscrape", "browse", "--db", "empty.db")
    assert result.returncode == 2
    assert "pip install 'radioscrape[browse]'" in result.stderr
    listing = (
        "import crawler.browse as b; print(*sorted(p.relative_to(b.FILES).as_posix() for p in"
        " b.FILES.rglob('*') if p.suffix in ('.json', '.html', '.py')))"
    )
    shipped = run(installed, "python", "-c", listing)
    assert shipped.stdout.split() == [
        "metadata.json", "plugins/radioscrape_browse.py", "templates/_table.html",
        "templates/row.html", "templates/table.html",
    ]  # fmt: skip

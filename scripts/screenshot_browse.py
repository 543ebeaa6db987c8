"""Screenshots of `radioscrape browse` for the README, taken with headless Chromium.

Crawls the bundled demo sites into a temporary store (`radioscrape demo`), serves it with
`radioscrape browse` on 127.0.0.1, and saves one PNG per page into docs/ (default). Needs
the browse extra and Chromium from the OS packages (Debian: `apt-get install chromium`);
the test suite does not.

    python scripts/screenshot_browse.py [--out docs] [--chromium PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from datasette.utils import tilde_encode

ROOT = Path(__file__).resolve().parent.parent
SIZE = "1280,1100"
# (file name, path under the database, what it shows)
PAGES = [
    ("browse-search.png", "/articles?_search=tour", "the articles table, searched, with facets"),
    ("browse-article.png", None, "one article, readable"),
    ("browse-runs.png", "/last_runs", "the last runs and their status"),
]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def chromium_binary(given: str | None) -> str:
    """The Chromium to drive: --chromium, else the first of the usual names on PATH."""
    for name in [given] if given else ["chromium", "chromium-browser", "google-chrome"]:
        if found := shutil.which(name):
            return found
    sys.exit("screenshot_browse: Chromium not found (Debian: apt-get install chromium)")


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def screenshot(chromium: str, url: str, out: Path) -> None:
    """Save the page at `url` as a PNG (a throwaway profile, no sandbox when root)."""
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        command = [
            chromium, "--headless", "--disable-gpu", "--hide-scrollbars",
            f"--user-data-dir={profile}", f"--window-size={SIZE}",
            f"--screenshot={out}", url,
        ]  # fmt: skip
        if os.geteuid() == 0:
            command.insert(1, "--no-sandbox")
        subprocess.run(command, check=True, capture_output=True, timeout=120)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs"), help="folder (default: docs/)")
    parser.add_argument("--chromium", help="Chromium binary (default: chromium on PATH)")
    args = parser.parse_args()
    chromium = chromium_binary(args.chromium)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    radioscrape = [sys.executable, "-m", "crawler.cli"]
    with tempfile.TemporaryDirectory(prefix="radioscrape-shots-") as folder:
        db = Path(folder) / "radioscrape.db"
        subprocess.run([*radioscrape, "demo", "--db", str(db)], check=True, cwd=ROOT,
                       capture_output=True)  # fmt: skip
        port = free_port()
        server = subprocess.Popen(
            [*radioscrape, "browse", "--db", str(db), "--port", str(port)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}/radioscrape"
        try:
            wait_for(f"{base}.json")
            latest = f"{base}/latest_per_station.json?_shape=array"
            with urllib.request.urlopen(latest) as response:
                key = json.load(response)[0]["url_key"]
            for name, path, what in PAGES:
                page = path or f"/articles/{quote(tilde_encode(key), safe='~')}"
                screenshot(chromium, base + page, out / name)
                print(f"{out / name}: {what}")
        finally:
            os.killpg(server.pid, signal.SIGTERM)  # browse and its Datasette
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())

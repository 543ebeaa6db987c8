"""One-off scrape speed: `radioscrape scrape` vs the `trafilatura` command line, same files.

  1. one file: wall time of `radioscrape scrape FILE` vs `trafilatura < FILE` (both start a
     Python process, load their code, clean one page and print it); median of several runs;
  2. a batch of 200 files: `radioscrape scrape --format jsonl F1 ... F200` (one process)
     vs `trafilatura --input-dir DIR --output-dir OUT` (its own batch mode, which runs
     `--parallel` workers; its default is used, and --parallel 1 is shown beside it).

The files are article fixtures with varied text (bench/speed_crawl.py's generator).

    python bench/speed_cli.py [--runs N] [--batch N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.speed_crawl import GeneratedSite, machine

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def wall(cmd: list[str], stdin: Path | None = None) -> float:
    """Seconds one command takes, output discarded (it must succeed)."""
    started = time.perf_counter()
    with open(stdin or os.devnull, "rb") as source:
        done = subprocess.run(cmd, stdin=source, capture_output=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed: {done.stderr.decode()[-2000:]}")
    return seconds


def median_of(runs: int, *commands) -> list[float]:
    """Median wall time of each (cmd, stdin) pair, the commands taking turns."""
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for i, (cmd, stdin) in enumerate(commands):
            times[i].append(wall(cmd, stdin))
    return [statistics.median(t) for t in times]


def main() -> None:
    """Time the one-off scrape and the batch against the trafilatura command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per command (median)")
    parser.add_argument("--batch", type=int, default=200, help="files in the batch")
    parser.add_argument("--station", default="jacaranda", help="station whose fixtures to use")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    tmp = Path(tempfile.mkdtemp(prefix="radioscrape-cli-bench-"))
    site = GeneratedSite(args.station, args.batch, "https://www.jacarandafm.com")
    pages = tmp / "pages"
    pages.mkdir()
    files = []
    for i in range(args.batch):
        path = pages / f"page-{i:04d}.html"
        path.write_bytes(site.page_bytes(i))
        files.append(path)
    radioscrape, trafilatura = str(BIN / "radioscrape"), str(BIN / "trafilatura")

    one = files[0]
    ours, theirs = median_of(
        args.runs, ([radioscrape, "scrape", str(one)], None), ([trafilatura], one)
    )
    print(f"\none file, median of {args.runs} runs:")
    print(f"  radioscrape scrape FILE   {ours:6.3f}s")
    print(f"  trafilatura < FILE        {theirs:6.3f}s")
    print(f"  ratio                     {ours / theirs:6.2f}x  (target: at most 1.5x)")

    batch_runs = max(1, args.runs // 3)
    out = [tmp / f"out{i}" for i in range(3)]
    ours, theirs, theirs_one = median_of(
        batch_runs,
        ([radioscrape, "scrape", "--format", "jsonl", *map(str, files)], None),
        ([trafilatura, "--input-dir", str(pages), "--output-dir", str(out[0])], None),
        (
            [trafilatura, "--input-dir", str(pages), "--output-dir", str(out[1]),
             "--parallel", "1"],
            None,
        ),
    )  # fmt: skip
    n = args.batch
    print(f"\nbatch of {n} files, median of {batch_runs} runs:")
    print(f"  radioscrape scrape --format jsonl FILES   {ours:6.2f}s  {n / ours:6.1f} files/s")
    print(f"  trafilatura --input-dir (default)         {theirs:6.2f}s  {n / theirs:6.1f} files/s")
    print(
        f"  trafilatura --input-dir --parallel 1      {theirs_one:6.2f}s  {n / theirs_one:6.1f}"
        " files/s"
    )
    print(f"  ratio radioscrape / trafilatura default   {ours / theirs:6.2f}x")
    print(f"  ratio radioscrape / trafilatura 1 worker  {ours / theirs_one:6.2f}x")


if __name__ == "__main__":
    main()

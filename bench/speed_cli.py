"""One-off scrape speed: `radioscrape scrape` vs the `trafilatura` command line, same files.

  1. one file: wall time of `radioscrape scrape FILE` vs `trafilatura < FILE` (both start a
     Python process, load their code, clean one page and print it); median of several runs;
  2. a batch of 200 files: `radioscrape scrape --format jsonl F1 ... F200` (one process)
     vs `trafilatura --input-dir DIR --output-dir OUT` (its own batch mode, which runs
     `--parallel` workers; its default is used, and --parallel 1 is shown beside it).

  3. the 181 AEB pages as files: `radioscrape scrape --format jsonl F1 ... F181` as a user
     runs it (RADIOSCRAPE_EXTRACT_WORKERS unset: a worker for each core but one), in process
     (=0) and with =1 and =2 (workers beside the process), vs a Python process looping
     `trafilatura.bare_extraction(with_metadata=True)` over the same files (issue 21's batch
     measure), by wall and by CPU time of the whole process (workers included); median.

The files of 1 and 2 are article fixtures with varied text (bench/speed_crawl.py's generator).
The commands keep their compiled bytecode (bench.common.bytecode_env), warmed by one run first.

    python bench/speed_cli.py [--runs N] [--batch N] [--skip-aeb]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bytecode_env
from bench.corpora import aeb_pages
from bench.speed_crawl import GeneratedSite, machine
from crawler.cli import batch_workers
from crawler.config import load_config

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ENV: dict[str, str] | None = None  # the child processes' environment (see main)


def wall(cmd: list[str], stdin: Path | None = None) -> float:
    """Seconds one command takes, output discarded (it must succeed)."""
    started = time.perf_counter()
    with open(stdin or os.devnull, "rb") as source:
        done = subprocess.run(cmd, stdin=source, capture_output=True, cwd=ROOT, env=ENV)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed: {done.stderr.decode()[-2000:]}")
    return seconds


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one command run to its end, whatever its exit code."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, cwd=ROOT, env=ENV)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime


BARE_LOOP = (
    "import sys, trafilatura\n"
    "for name in sys.argv[1:]:\n"
    "    with open(name, 'rb') as f:\n"
    "        trafilatura.bare_extraction(f.read(), with_metadata=True)\n"
)


def aeb_batch(tmp: Path, runs: int) -> None:
    """3: the AEB files through `radioscrape scrape` (its default, in process, 1 and 2
    workers) and through a bare trafilatura loop, the five taking turns."""
    folder = tmp / "aeb"
    folder.mkdir()
    files = []
    for name, page, _ in aeb_pages():
        files.append(str(folder / f"{name}.html"))
        Path(files[-1]).write_bytes(page.body)
    ours_cmd = [str(BIN / "radioscrape"), "scrape", "--format", "jsonl", *files]
    commands = {
        "default": ours_cmd,
        "in process": [*ours_cmd, "-s", "RADIOSCRAPE_EXTRACT_WORKERS=0"],
        "1 worker": [*ours_cmd, "-s", "RADIOSCRAPE_EXTRACT_WORKERS=1"],
        "2 workers": [*ours_cmd, "-s", "RADIOSCRAPE_EXTRACT_WORKERS=2"],
        "bare": [sys.executable, "-c", BARE_LOOP, *files],
    }
    sides: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            sides[name].append(timed(cmd))
    cores, default = len(os.sched_getaffinity(0)), batch_workers(load_config())
    print(
        f"\n{len(files)} AEB files, one process each side, median of {runs} runs"
        f" ({cores} cores: the default is {default} worker{'s' * (default != 1)};"
        f" load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}):"
    )
    for i, clock in enumerate(("wall", "CPU")):
        bare = statistics.median(t[i] for t in sides["bare"])
        print(f"  {clock:<4} bare_extraction(with_metadata=True) loop {bare:6.2f}s")
        for name in ("default", "in process", "1 worker", "2 workers"):
            mine = statistics.median(t[i] for t in sides[name])
            print(
                f"  {clock:<4} radioscrape scrape, {name:<10} {mine:6.2f}s ="
                f" {bare / mine:.2f}x bare trafilatura's speed (target: 1.2x)"
            )


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
    parser.add_argument("--skip-aeb", action="store_true", help="skip the AEB batch (3)")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    tmp = Path(tempfile.mkdtemp(prefix="radioscrape-cli-bench-"))
    global ENV
    ENV = bytecode_env(tmp)
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
    wall([radioscrape, "scrape", str(one)])  # compiles the bytecode the timed runs use
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
    if not args.skip_aeb:
        aeb_batch(tmp, max(3, batch_runs))


if __name__ == "__main__":
    main()

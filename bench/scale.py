"""Scale-out: pages/s of 1, 2 and 4 distributed workers against a generated local site.

Serves a generated station site of N articles on 127.0.0.1 (tests/services.py, built on
crawler.demo_site), starts a throwaway PostgreSQL cluster and redis-server, and for each worker
count runs that many `radioscrape crawl --redis` processes at once into a fresh database.
Prints pages/s (all pages fetched by all workers over the wall time, process start-up included)
and the ratio to 1 worker; a plain single-process crawl (no Redis) is the baseline beside them.
`--latency` makes every article response that much slower, as a remote site would be, and
`--concurrency` sets each worker's CONCURRENT_REQUESTS_PER_DOMAIN, as politeness would.

    python bench/scale.py [--articles 300] [--workers 1,2,4] [--latency 0] [--concurrency 16]
                          [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.crawl_job import LOCAL_SITE_SETTINGS
from pipelines.store import open_store
from tests.services import postgres_server, redis_server, scaled_site

ROOT = Path(__file__).resolve().parent.parent


def crawl(workers: int, site_url: str, dsn: str, redis_url: str | None, out: Path,
          settings: list[str]) -> dict:  # fmt: skip
    """Run `workers` crawl processes at once; wall seconds and pages fetched by all of them."""
    base = [sys.executable, "-m", "crawler.cli", "crawl", "--db", dsn, "--station", "jacaranda",
            "--url", f"{site_url}/", *settings, "-s", "RETRY_TIMES=0"]  # fmt: skip
    if redis_url:
        base += ["--redis", redis_url]
    reports = [out / f"report-{workers}-{n}.json" for n in range(workers)]
    started = time.perf_counter()
    children = [
        subprocess.Popen([*base, "--report", str(report)], cwd=ROOT, stdout=subprocess.DEVNULL)
        for report in reports
    ]
    codes = [child.wait() for child in children]
    seconds = time.perf_counter() - started
    if any(codes):
        raise SystemExit(f"a crawl failed (exit codes {codes})")
    pages = sum(json.loads(r.read_text())["totals"]["pages"] for r in reports)
    with open_store(dsn) as store:
        stored = sum(1 for _ in store.records())
    return {"seconds": seconds, "pages": pages, "stored": stored}


def main() -> None:
    """Run the baseline and each worker count; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--workers", default="1,2,4", help="comma-separated worker counts")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per article page")
    parser.add_argument(
        "--concurrency", type=int, default=LOCAL_SITE_SETTINGS["CONCURRENT_REQUESTS_PER_DOMAIN"],
        help="CONCURRENT_REQUESTS_PER_DOMAIN of each worker",
    )  # fmt: skip
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the median is shown")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    overrides = {**LOCAL_SITE_SETTINGS, "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency}
    settings = [arg for name, value in overrides.items() for arg in ("-s", f"{name}={value}")]
    with (
        postgres_server() as pg,
        redis_server() as redis,
        scaled_site(args.articles) as site,
        tempfile.TemporaryDirectory() as tmp,
    ):
        for resource in site.routes.values():
            if "ETag" in resource.headers:  # an article page
                resource.delay = args.latency
        plan = {
            "single (no Redis)": (1, None),
            **{f"{n} worker(s)": (n, redis.url()) for n in counts},
        }
        runs = {}
        for name, (workers, redis_url) in plan.items():
            tries = [
                crawl(workers, site.url, pg.new_database(), redis_url, Path(tmp), settings)
                for _ in range(args.repeat)
            ]
            runs[name] = sorted(tries, key=lambda run: run["seconds"])[len(tries) // 2]
    print(f"{args.articles} articles, latency {args.latency}s, CONCURRENT_REQUESTS_PER_DOMAIN"
          f"={args.concurrency} per worker, {os.cpu_count()} CPU cores")  # fmt: skip
    print(f"{'run':<20}{'seconds':>9}{'pages':>7}{'stored':>8}{'pages/s':>9}{'vs 1':>7}")
    one = runs.get("1 worker(s)")
    for name, run in runs.items():
        rate = run["pages"] / run["seconds"]
        ratio = rate / (one["pages"] / one["seconds"]) if one else float("nan")
        print(f"{name:<20}{run['seconds']:>9.1f}{run['pages']:>7}{run['stored']:>8}"
              f"{rate:>9.1f}{ratio:>7.2f}")  # fmt: skip


if __name__ == "__main__":
    main()

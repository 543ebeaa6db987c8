"""Discovery at scale: peak RSS, wall and CPU time of a crawl whose sitemaps list many URLs.

Serves tests/bigsitemaps.py on 127.0.0.1 (a sitemap index of `--sitemaps` child sitemaps of
`--urls` URLs each, all older than the crawl's `--since`, plus three recent stories) and crawls
it twice into one fresh SQLite store: the first run reads every sitemap, the second asks each
child sitemap conditionally (304). Every discovered URL passes through the candidates; none but
the three stories is fetched. Prints one line per run; `--sizes` runs several site sizes.

    python bench/discovery_memory.py [--sitemaps 50] [--urls 50000] [--sizes 10,50]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.bigsitemaps import big_sitemap_site, measured_crawl


def run_site(sitemaps: int, urls: int) -> None:
    """Crawl one site size twice; print the two runs."""
    with big_sitemap_site(sitemaps, urls) as site, tempfile.TemporaryDirectory() as tmp:
        for run in ("first", "second"):
            done = measured_crawl(Path(tmp) / "crawl.db", site.url, Path(tmp) / f"{run}.json")
            stats = done.report["stations"]["127.0.0.1"]
            unchanged = stats.get("discovery", {}).get("unchanged", {})
            not_modified = sum(1 for r in site.log if r.status == 304)
            site.log.clear()
            print(f"{sitemaps:>8}{urls:>8}{sitemaps * urls:>10} {run:<7}{done.rss_mib:>9.0f}"
                  f"{done.wall:>8.1f}{done.cpu:>8.1f}{stats.get('discovered', 0):>11}"
                  f"{stats.get('new', 0):>5}{not_modified:>6} {unchanged}", flush=True)  # fmt: skip


def main() -> None:
    """Run each site size; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sitemaps", type=int, default=50)
    parser.add_argument("--urls", type=int, default=50_000, help="URLs per child sitemap")
    parser.add_argument("--sizes", help="comma-separated sitemap counts (instead of --sitemaps)")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")] if args.sizes else [args.sitemaps]
    print(f"{'sitemaps':>8}{'urls':>8}{'total':>10} {'run':<7}{'RSS MiB':>9}{'wall s':>8}"
          f"{'CPU s':>8}{'discovered':>11}{'new':>5}{'304':>6} discovery/unchanged")  # fmt: skip
    for sitemaps in sizes:
        run_site(sitemaps, args.urls)


if __name__ == "__main__":
    main()

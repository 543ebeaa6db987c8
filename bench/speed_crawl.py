"""Crawl speed: the whole pipeline over a big local station site, against bare trafilatura.

Builds a station site of N article pages from the station's article fixtures, each page with
its own URL (canonical, og:url and JSON-LD follow) and its own text (a generated sentence in
front of every long paragraph), plus robots.txt, a sitemap index and sitemap with lastmod, an
RSS feed and section listings. The site is served by LocalSite on 127.0.0.1 and crawled with
`radioscrape crawl --station KEY --url ...` in a child process. It prints:

  b. pages/s of the crawl end to end (fetch, clean, validate, dedup, store), and its ratio to
     bare `trafilatura.bare_extraction` over the same pages in one process; also by CPU time
     (the crawl's processes' CPU seconds against bare trafilatura's), which a shared machine
     does not skew;
  c. the same crawl with RADIOSCRAPE_EXTRACT_WORKERS=1 and =2: pages/s, the scaling ratio and
     the pages the crawl process cleaned itself (the pool behind, nothing downloading);
  b and c are each the median of --rounds runs (the configurations taking turns, bare
     trafilatura run before each crawl and after the last; each crawl's ratio is to the mean
     of the bare rounds on either side of it, so that drift within a run cancels), once on the
     machine as it is ("quiet") and once with a CPU-bound process running beside them ("busy",
     the shared machine of issue 21), unless --load picks one;
  d. a re-crawl of the unchanged site: requests and seconds as ratios to the first crawl, and
     the share of its requests answered 304 (conditional re-checks: crawler.frontier);
  e. peak RSS of the crawl (crawl process plus its extraction workers) for several site
     sizes, and the growth per 1,000 pages;
  g. with --breakdown, where the crawl's CPU goes: a crawl of a 1-page site (start-up), then
     the whole site with no item pipeline (Scrapy's own floor: fetching and parsing), with
     cleaning, with validate and dedup, and with storing (the whole crawl).

    python bench/speed_crawl.py                      # 2,000 pages; memory at 2k, 5k, 20k
    python bench/speed_crawl.py --pages 500 --memory-pages 500,1000   # a quick run
    python bench/speed_crawl.py --skip-memory --skip-recrawl          # b and c only
    python bench/speed_crawl.py --pages 800 --rounds 1 --load quiet --skip-memory --breakdown
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trafilatura

from bench.common import bytecode_env
from crawler.demo_site import (
    DemoArticle,
    LocalSite,
    Resource,
    page_resource,
    section_pages,
)
from crawler.fixtures import Fixture, all_fixtures
from crawler.stations import registry

ROOT = Path(__file__).resolve().parent.parent
_LONG_PARAGRAPH = re.compile(rb"(<p(?:\s[^>]*)?>)(?=[^<]{60})")
_WORD = re.compile(r"[a-z]{3,}")
_NEWEST = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
MAIN_DB = "quiet-w0-r0.db"  # the first in-process crawl's store: re-crawled (d), sized (e)
# The environment of the crawl child processes (None: this process's; see bytecode_cache).
CHILD_ENV: dict[str, str] | None = None


@dataclass(frozen=True)
class Template:
    """One article fixture the generated pages are made from."""

    fixture: Fixture
    body: bytes
    content_type: str
    path: str  # the fixture's URL path, e.g. /news/entertainment/some-story/
    slug: str
    title: str


class GeneratedSite(dict):
    """Routes of a generated station site. Article pages are built when requested (the same
    path always gives the same bytes), so a 20,000-page site costs no memory; `prebuild()`
    builds them ahead, so that serving them costs the server less CPU during a timed crawl."""

    def __init__(self, station: str, pages: int, origin: str, seed: int = 1):
        super().__init__()
        self.profile = registry().get(station)
        self.templates = _templates(station)
        self.count = pages
        self.seed = seed
        bodies = [p for t in self.templates for p in t.fixture.expected["body"]]
        self.words = sorted({w for p in bodies for w in _WORD.findall(p)})
        self.articles = [self.article(i) for i in range(pages)]
        self.index = {a.path: i for i, a in enumerate(self.articles)}
        self.built: dict[int, Resource] = {}
        self._static(origin)

    def prebuild(self) -> None:
        """Build every article page now and keep it."""
        self.built = {i: self.page(i) for i in range(self.count)}

    def article(self, i: int) -> DemoArticle:
        """Path, title and lastmod of generated page `i` (newest first)."""
        t = self.templates[i % len(self.templates)]
        slug = f"{t.slug}-n{i}"
        path = t.path.replace(f"/{t.slug}", f"/{slug}", 1)
        lastmod = (_NEWEST - timedelta(minutes=7 * i)).isoformat(timespec="seconds")
        return DemoArticle(path, t.title, lastmod, t.fixture)

    def page_bytes(self, i: int) -> bytes:
        """The HTML of generated page `i`: its template with its own slug and sentences."""
        t = self.templates[i % len(self.templates)]
        rng = random.Random(self.seed * 1_000_003 + i)
        body = t.body.replace(t.slug.encode(), f"{t.slug}-n{i}".encode())

        def sentence(match: re.Match) -> bytes:
            words = rng.sample(self.words, rng.randint(6, 12))
            text = " ".join(words).capitalize() + f" ({i}). "
            return match.group(1) + escape(text).encode()

        return _LONG_PARAGRAPH.sub(sentence, body)

    def page(self, i: int) -> Resource:
        """The Resource served for generated page `i` (with ETag and Last-Modified)."""
        t = self.templates[i % len(self.templates)]
        return page_resource(self.page_bytes(i), t.content_type, self.articles[i].lastmod)

    def get(self, path, default=None):
        """LocalSite's route lookup: static routes, else a generated article page."""
        if path in self:
            return self[path]
        i = self.index.get(path)
        if i is None:
            return default
        return self.built.get(i) or self.page(i)

    def _static(self, origin: str) -> None:
        profile, articles = self.profile, self.articles
        sitemap = urlsplit(profile.sources.sitemaps[0]).path if profile.sources.sitemaps else None
        sitemap = sitemap or "/sitemap.xml"
        self["/robots.txt"] = Resource(
            f"User-agent: *\nSitemap: {origin}{sitemap}\n".encode(),
            headers={"Content-Type": "text/plain"},
        )
        self[sitemap] = _xml(
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{origin}/sitemap-articles.xml</loc>"
            f"<lastmod>{articles[0].lastmod}</lastmod></sitemap></sitemapindex>"
        )
        self["/sitemap-articles.xml"] = _xml(
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(
                f"<url><loc>{escape(origin + a.path)}</loc><lastmod>{a.lastmod}</lastmod></url>"
                for a in articles
            )
            + "</urlset>"
        )
        for feed in profile.sources.feeds:
            self[urlsplit(feed).path] = Resource(
                (
                    '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
                    f"<title>{escape(profile.name)}</title><link>{origin}/</link>"
                    + "".join(
                        f"<item><title>{escape(a.title)}</title>"
                        f"<link>{escape(origin + a.path)}</link></item>"
                        for a in articles[:50]
                    )
                    + "</channel></rss>"
                ).encode("utf-8"),
                headers={"Content-Type": "application/rss+xml"},
            )
        for section in profile.sources.sections:
            self.update(section_pages(urlsplit(section).path, articles[:20]))


def _xml(text: str) -> Resource:
    body = '<?xml version="1.0" encoding="UTF-8"?>\n' + text
    return Resource(body.encode("utf-8"), headers={"Content-Type": "application/xml"})


def _templates(station: str) -> list[Template]:
    out = []
    for fixture in all_fixtures(station):
        meta, expected = fixture.meta, fixture.expected
        if "not_article" in expected or meta.get("station") != station:
            continue
        path = urlsplit(meta["url"]).path
        slug = path.rstrip("/").rsplit("/", 1)[-1]
        out.append(
            Template(
                fixture=fixture,
                body=(fixture.path / "page.html").read_bytes(),
                content_type=meta.get("headers", {}).get("content-type", "text/html"),
                path=path,
                slug=slug,
                title=expected["title"],
            )
        )
    if not out:
        raise SystemExit(f"no article fixtures for station {station!r}")
    return out


# --- measuring a crawl ------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    kids = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
            kids += [int(k) for k in text.split()]
    except OSError:
        pass
    return kids


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants, in KiB."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += _rss_kib(p)
        todo += _children(p)
    return total


@dataclass
class CrawlRun:
    """One crawl child process: wall seconds (and the crawl's own, from its report, without
    process start-up), CPU seconds of the crawl process and its workers, pages stored,
    requests served, peak RSS, requests answered 304, and (with extraction workers) the pages
    the crawl process cleaned itself."""

    seconds: float
    cpu_seconds: float
    crawl_seconds: float
    stored: int
    requests: int
    peak_rss_mib: float
    exit_code: int
    not_modified: int  # requests the server answered 304
    cleaned_in_process: int  # with workers: pages the crawl process cleaned (the pool behind)
    worker_cpu: float = 0.0  # CPU seconds of the extraction workers (polled: a little short)
    server_cpu: float = 0.0  # CPU seconds of this process meanwhile: the site's server
    main_cpu: float = 0.0  # the crawl process's main thread: CPU seconds (polled)...
    main_waiting: float = 0.0  # ...and seconds it was ready to run but waited for a core

    @property
    def process_cpu(self) -> float:
        """CPU seconds of the crawl process itself (its threads): all but its workers'."""
        return self.cpu_seconds - self.worker_cpu

    def main_thread(self) -> str:
        """How the crawl process's main thread spent the crawl: running, waiting for a core,
        idle (waiting for responses, results or timers)."""
        idle = max(self.seconds - self.main_cpu - self.main_waiting, 0.0)
        return (
            f"main thread running {self.main_cpu / self.seconds:.0%}, waiting for a core"
            f" {self.main_waiting / self.seconds:.0%}, idle {idle / self.seconds:.0%}"
        )


def crawl(
    site: LocalSite,
    station: str,
    db: Path,
    workers: int,
    concurrency: int,
    settings: tuple[str, ...] = (),
) -> CrawlRun:
    """Run `radioscrape crawl` over the site in a child process, polling its memory
    (`settings`: more `-s NAME=VALUE` pairs)."""
    before = len(site.log)
    cmd = [
        sys.executable, "-m", "crawler.cli", "crawl", "--station", station,
        "--url", f"{site.url}/", "--db", str(db),
        "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", f"CONCURRENT_REQUESTS={concurrency}",
        "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}",
        "-s", f"RADIOSCRAPE_EXTRACT_WORKERS={workers}",
        "-s", "RADIOSCRAPE_PROGRESS=False",
    ]  # fmt: skip
    if workers:  # ExtractPipeline's INFO line says where the pages were cleaned
        cmd += ["--log-level", "INFO"]
    for setting in settings:
        cmd += ["-s", setting]
    started = time.perf_counter()
    cpu_before, server_before = _children_cpu(), time.process_time()
    child = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=CHILD_ENV
    )
    peak = 0
    worker_cpu: dict[int, float] = {}
    main = (0.0, 0.0)
    while child.poll() is None:
        peak = max(peak, tree_rss_kib(child.pid))
        for kid in _children(child.pid):
            worker_cpu[kid] = _process_cpu(kid) or worker_cpu.get(kid, 0.0)
        main = _thread_schedule(child.pid) or main
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    server_cpu = time.process_time() - server_before
    out, err = child.communicate()
    cpu = _children_cpu() - cpu_before
    if child.returncode not in (0, 1):
        sys.stderr.write(err.decode("utf-8", "replace")[-3000:])
        raise SystemExit(f"crawl failed with exit code {child.returncode}")
    report = out.decode("utf-8", "replace")
    own = re.search(r"finished, ([\d.]+)s\)", report)
    helped = re.search(rb"cleaned \d+ pages in workers, (\d+) in the crawl process", err)
    return CrawlRun(
        seconds,
        cpu,
        float(own.group(1)) if own else seconds,
        _stored(report),
        len(site.log) - before,
        peak / 1024,
        child.returncode,
        sum(r.status == 304 for r in site.log[before:]),
        int(helped.group(1)) if helped else 0,
        sum(worker_cpu.values()),
        server_cpu,
        *main,
    )


def _process_cpu(pid: int) -> float | None:
    """User and system CPU seconds of a running process (all its threads), from /proc."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _thread_schedule(pid: int) -> tuple[float, float] | None:
    """CPU seconds of a process's main thread and the seconds it waited for a core while
    ready to run (/proc schedstat; None where the kernel does not keep it)."""
    try:
        cpu, waited, _ = Path(f"/proc/{pid}/task/{pid}/schedstat").read_text().split()
    except (OSError, ValueError):
        return None
    return int(cpu) / 1e9, int(waited) / 1e9


def _children_cpu() -> float:
    """CPU seconds of this process's finished children (and theirs: a crawl's workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _stored(report: str) -> int:
    """New plus updated articles from the crawl report's TOTAL line."""
    for line in report.splitlines():
        if line.startswith("TOTAL"):
            figures = line.split()
            return int(figures[3]) + int(figures[4])
    return 0


@dataclass
class Bare:
    """bare_extraction over the generated pages in this process: pages/s by wall and CPU time."""

    pps: float
    cpu_pps: float
    pages: int


def bare_trafilatura(site: GeneratedSite, limit: int) -> Bare:
    """bare_extraction over the first `limit` generated pages in this process."""
    bodies = [
        site.built[i].body if i in site.built else site.page_bytes(i)
        for i in range(min(limit, site.count))
    ]
    origin = f"https://{site.profile.canonical_host}"
    urls = [origin + site.articles[i].path for i in range(len(bodies))]
    for body in bodies[:5]:
        trafilatura.bare_extraction(body)
    started, cpu = time.perf_counter(), time.process_time()
    for body, url in zip(bodies, urls, strict=True):
        trafilatura.bare_extraction(body, url=url)
    cpu = time.process_time() - cpu
    return Bare(len(bodies) / (time.perf_counter() - started), len(bodies) / cpu, len(bodies))


def serve(station: str, pages: int, prebuild: bool = False) -> tuple[LocalSite, GeneratedSite]:
    """A started LocalSite serving a generated site of `pages` articles."""
    site = LocalSite()
    routes = GeneratedSite(station, pages, site.url)
    if prebuild:
        routes.prebuild()
    site.routes = routes
    return site.__enter__(), routes


def machine() -> str:
    """CPU count, CPU model and versions, for the record."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import scrapy

    return (
        f"{os.cpu_count()} CPUs ({model}); Python {platform.python_version()}, "
        f"trafilatura {trafilatura.__version__}, Scrapy {scrapy.__version__}"
    )


@contextmanager
def cpu_bound_process(busy: bool) -> Iterator[None]:
    """With `busy`, a process spinning on one core for the duration (another user's job)."""
    if not busy:
        yield
        return
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        spinner.kill()
        spinner.wait()


def crawl_figures(
    site: LocalSite, routes: GeneratedSite, args, tmp: Path, load: str
) -> dict[int, list[CrawlRun]]:
    """b and c under one load: the crawls with 0, 1 and 2 workers, each run --rounds times
    taking turns (into {load}-w{workers}-r{round}.db), with bare trafilatura run before each
    crawl and after the last, so that every crawl has a bare round on either side; print the
    medians of each crawl's ratio to the mean of its two bare rounds (the machine's drift
    within a run cancels) beside the ratio of the medians; return the runs by workers."""
    bares: list[Bare] = []
    runs: dict[int, list[CrawlRun]] = {w: [] for w in args.workers}
    order: list[tuple[int, CrawlRun]] = []  # the crawls in the order they ran
    with cpu_bound_process(load == "busy"):
        for round_ in range(args.rounds):
            for workers in runs:
                bares.append(bare_trafilatura(routes, args.pages))
                db = tmp / f"{load}-w{workers}-r{round_}.db"
                run = crawl(site, args.station, db, workers, args.concurrency)
                order.append((workers, run))
                runs[workers].append(run)
        bares.append(bare_trafilatura(routes, args.pages))
    paired: dict[int, list[tuple[float, float]]] = {w: [] for w in args.workers}
    for (workers, run), before, after in zip(order, bares, bares[1:], strict=False):
        paired[workers].append(
            (
                run.stored / run.seconds / ((before.pps + after.pps) / 2),
                run.stored / run.cpu_seconds / ((before.cpu_pps + after.cpu_pps) / 2),
            )
        )
    bare = statistics.median(b.pps for b in bares)
    bare_cpu = statistics.median(b.cpu_pps for b in bares)
    print(f"\n[{load}] median of {args.rounds} rounds; load average after them: {_load()}")
    print(
        f"bare trafilatura.bare_extraction, one process, {bares[0].pages} pages, before each"
        f" crawl and after the last: {bare:.1f}/s ({bare_cpu:.1f}/s of CPU time; from"
        f" {min(b.pps for b in bares):.1f} to {max(b.pps for b in bares):.1f}/s)"
    )
    for workers, done in runs.items():
        pps = statistics.median(r.stored / r.seconds for r in done)
        own = statistics.median(r.stored / r.crawl_seconds for r in done)
        ratio = statistics.median(wall for wall, _ in paired[workers])
        cpu_ratio = statistics.median(cpu for _, cpu in paired[workers])
        label = "in the crawl process" if workers == 0 else f"{workers} extraction workers"
        print(
            f"crawl, {label:<22}: {pps:6.1f} pages/s = {ratio:.2f}x bare trafilatura"
            f" (rounds: {', '.join(f'{wall:.2f}x' for wall, _ in paired[workers])};"
            f" ratio of the medians {pps / bare:.2f}x)"
            f" [without start-up: {own:6.1f}/s = {own / bare:.2f}x]"
            f" [CPU time: {cpu_ratio:.2f}x]"
            f" ({min(r.stored for r in done)} stored, peak RSS"
            f" {max(r.peak_rss_mib for r in done):.0f} MiB"
            + (f", {statistics.median(r.cleaned_in_process for r in done):.0f} cleaned by the"
               " crawl process" if workers else "")
            + ")"
        )  # fmt: skip
        middle = sorted(done, key=lambda r: r.stored / r.seconds)[len(done) // 2]
        print(
            f"    the median run: crawl process {middle.process_cpu / middle.stored * 1000:.2f} ms"
            f" of CPU a page with its start-up ({middle.main_thread()}), workers"
            f" {middle.worker_cpu / middle.stored * 1000:.2f} ms, the site's server"
            f" {middle.server_cpu / middle.stored * 1000:.2f} ms"
        )
    for fewer, label in ((1, "1 worker"), (0, "in process")):
        if 2 in paired and fewer in paired:
            pairs = list(zip(paired[2], paired[fewer], strict=True))
            wall = statistics.median(more[0] / less[0] for more, less in pairs)
            cpu = statistics.median(more[1] / less[1] for more, less in pairs)
            medians = [statistics.median(r.stored / r.seconds for r in runs[w]) for w in (2, fewer)]
            print(
                f"scaling, 2 workers / {label}: {wall:.2f}x (CPU {cpu:.2f}x), median of rounds"
                f" (ratio of the medians {medians[0] / medians[1]:.2f}x)"
            )
    return runs


# Where a crawl's CPU goes (g): the same crawl with fewer item pipelines each time.
PIPELINES = {
    "Scrapy's floor: fetch, parse, no item pipeline": {},
    "+ cleaning (ExtractPipeline)": {"pipelines.extract.ExtractPipeline": 100},
    "+ validate and dedup": {
        "pipelines.extract.ExtractPipeline": 100,
        "pipelines.validate.ValidatePipeline": 200,
        "pipelines.dedup.DedupPipeline": 300,
    },
    "+ storing (the whole crawl)": None,  # the project's ITEM_PIPELINES
}


def breakdown(site: LocalSite, args, tmp: Path) -> None:
    """g: CPU time of a crawl of a 1-page site (start-up), then of the whole site with the item
    pipelines added one step at a time, in one process (no extraction worker)."""
    tiny, _ = serve(args.station, 1)
    try:
        start = crawl(tiny, args.station, tmp / "f-start.db", 0, args.concurrency).cpu_seconds
    finally:
        tiny.__exit__(None, None, None)
    print(f"\nwhere the crawl's CPU goes ({args.pages} pages, in one process; load {_load()}):")
    print(f"  start-up and one page (a 1-page site)            {start:6.2f}s")
    before = start
    for step, (label, pipelines) in enumerate(PIPELINES.items()):
        settings = () if pipelines is None else (f"ITEM_PIPELINES={json.dumps(pipelines)}",)
        run = crawl(site, args.station, tmp / f"f{step}.db", 0, args.concurrency, settings)
        per_page = (run.cpu_seconds - before) / args.pages * 1000
        print(f"  {label:<48} {run.cpu_seconds:6.2f}s  (+{per_page:.2f} ms a page)")
        before = run.cpu_seconds


def bytecode_cache(tmp: Path, station: str) -> None:
    """Let the crawl child processes keep compiled bytecode (bench.common.bytecode_env) and
    warm it with a crawl of a 1-page site."""
    global CHILD_ENV
    CHILD_ENV = bytecode_env(tmp)
    tiny, _ = serve(station, 1)
    try:
        crawl(tiny, station, tmp / "warm-up.db", 0, 1)
    finally:
        tiny.__exit__(None, None, None)


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    """Run b, c, d and e and print the figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--station", default="jacaranda", help="station whose fixtures to use")
    parser.add_argument("--pages", type=int, default=2000, help="pages of the site for b, c, d")
    parser.add_argument(
        "--memory-pages", default="2000,5000,20000", help="site sizes for e (comma-separated)"
    )
    parser.add_argument("--concurrency", type=int, default=16, help="CONCURRENT_REQUESTS")
    parser.add_argument("--rounds", type=int, default=3, help="runs of b and c (median)")
    parser.add_argument(
        "--load", choices=("both", "quiet", "busy"), default="both",
        help="b and c as the machine is, with a CPU-bound process beside them, or both",
    )  # fmt: skip
    parser.add_argument(
        "--workers", default="0,1,2", type=lambda v: [int(w) for w in v.split(",")],
        help="the crawls of b and c: extraction workers, comma-separated (0: in process)",
    )  # fmt: skip
    parser.add_argument("--skip-recrawl", action="store_true", help="skip d")
    parser.add_argument("--skip-memory", action="store_true", help="skip e")
    parser.add_argument(
        "--breakdown", action="store_true", help="g: CPU by step (Scrapy's floor, cleaning...)"
    )
    parser.add_argument(
        "--no-bytecode-cache", action="store_true",
        help="crawls inherit this environment as it is (PYTHONDONTWRITEBYTECODE included)",
    )  # fmt: skip
    args = parser.parse_args()
    print(f"machine: {machine()}; load average {_load()}")
    print(f"site: {args.pages} generated {args.station} article pages on 127.0.0.1")
    tmp = Path(tempfile.mkdtemp(prefix="radioscrape-bench-"))
    if not args.no_bytecode_cache:
        bytecode_cache(tmp, args.station)
        print("crawls keep their bytecode (PYTHONPYCACHEPREFIX), warmed by one crawl first")
    site, routes = serve(args.station, args.pages, prebuild=True)
    try:
        loads = ("quiet", "busy") if args.load == "both" else (args.load,)
        if loads[0] != "quiet":
            args.skip_recrawl = args.skip_memory = True  # d, e and f are measured quiet
            args.breakdown = False
        runs = {load: crawl_figures(site, routes, args, tmp, load) for load in loads}[loads[0]]
        if not args.skip_recrawl and 0 in runs:
            first = runs[0][0]
            again = crawl(site, args.station, tmp / MAIN_DB, 0, args.concurrency)
            print(
                f"\nre-crawl of the unchanged site: {again.requests} requests"
                f" ({again.requests / first.requests:.1%} of the first crawl's"
                f" {first.requests}), {again.not_modified} answered 304"
                f" ({again.not_modified / max(again.requests, 1):.0%}), {again.seconds:.1f}s"
                f" ({again.seconds / first.seconds:.1%} of {first.seconds:.1f}s),"
                f" {again.stored} stored"
            )
        if args.breakdown:
            breakdown(site, args, tmp)
    finally:
        site.__exit__(None, None, None)
    if args.skip_memory:
        return
    print("\npeak RSS by site size (crawl in one process):")
    sizes = [int(n) for n in args.memory_pages.split(",") if n.strip()]
    points = []
    for n in sizes:
        if n == args.pages and 0 in runs:
            run = runs[0][0]
        else:
            site, _ = serve(args.station, n)
            try:
                run = crawl(site, args.station, tmp / f"mem{n}.db", 0, args.concurrency)
            finally:
                site.__exit__(None, None, None)
        points.append((n, run))
        store = _size_mib(tmp, n, args.pages)
        print(
            f"  {n:>6} pages: peak RSS {run.peak_rss_mib:6.0f} MiB,"
            f" {run.stored / run.seconds:6.1f} pages/s, store {store:.0f} MiB"
        )
    if len(points) >= 2:
        (n0, r0), (n1, r1) = points[0], points[-1]
        growth = (r1.peak_rss_mib - r0.peak_rss_mib) / (n1 - n0) * 1000
        print(
            f"  growth {n0} -> {n1} pages: {r1.peak_rss_mib - r0.peak_rss_mib:+.0f} MiB"
            f" ({growth:+.2f} MiB per 1,000 pages; {r1.peak_rss_mib / r0.peak_rss_mib:.2f}x"
            f" for {n1 / n0:.0f}x the pages)"
        )


def _size_mib(tmp: Path, n: int, main_pages: int) -> float:
    db = tmp / (MAIN_DB if n == main_pages else f"mem{n}.db")
    return sum(p.stat().st_size for p in tmp.glob(db.name + "*")) / 2**20


if __name__ == "__main__":
    main()

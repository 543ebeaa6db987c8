"""The real-page corpora in ../shared/bench-data, read at run time: AEB, WCXB-dev, Fundus-eval.

Each loader returns `Sample`s: a page and its hand-checked text. Nothing here copies the data.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path

from bench.common import find_bench_data
from pipelines.core.items import Page

_HEADERS = {"content-type": "text/html; charset=utf-8"}


@dataclass(frozen=True)
class Sample:
    """One corpus page: where it is, its type, and the text a correct extraction gives."""

    corpus: str
    id: str
    kind: str  # page type: "article", or WCXB's collection/listing/forum/...
    path: Path
    url: str
    truth: str  # the main text, paragraphs separated by newlines
    title: str | None = None
    author: str | None = None
    date: str | None = None

    def page(self) -> Page:
        """The page as fetched (decompressed bytes)."""
        return Page(url=self.url, body=gzip.decompress(self.path.read_bytes()), headers=_HEADERS)


def aeb_samples() -> list[Sample]:
    """The 181 Article Extraction Benchmark pages."""
    root = find_bench_data() / "aeb"
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        Sample("aeb", pid, "article", root / "html" / f"{pid}.html.gz", t["url"], t["articleBody"])
        for pid, t in sorted(truth.items())
    ]


def wcxb_samples() -> list[Sample]:
    """The WCXB development split: 1,358 pages of 7 labelled types."""
    root = find_bench_data() / "wcxb-dev"
    out = []
    for path in sorted((root / "ground-truth").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        gt = data["ground_truth"]
        out.append(
            Sample(
                "wcxb",
                path.stem,
                data["_internal"]["page_type"]["primary"],
                root / "html" / f"{path.stem}.html.gz",
                data["url"],
                gt.get("main_content") or "",
                title=gt.get("title"),
                author=gt.get("author"),
                date=gt.get("publish_date"),
            )
        )
    return out


def fundus_samples() -> list[Sample]:
    """The 80 Fundus-eval news articles with hand-checked bodies."""
    root = find_bench_data() / "fundus-eval"
    truth = json.loads((root / "ground_truth.json").read_text(encoding="utf-8"))
    return [
        Sample("fundus", name, "article", root / "html" / name, t["url"], "\n".join(t["body"]))
        for name, t in sorted(truth.items())
    ]


def aeb_pages(limit: int | None = None) -> list[tuple[str, Page, str]]:
    """(id, page, true article body) for the first `limit` AEB pages (all when None)."""
    return [(s.id, s.page(), s.truth) for s in aeb_samples()[:limit]]


LOADERS = {"aeb": aeb_samples, "wcxb": wcxb_samples, "fundus": fundus_samples}

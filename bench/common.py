"""Shared pieces of the benchmarks: the public AEB pages, the fixtures, the F1 metric."""

from __future__ import annotations

import gzip
import json
import os
import re
from collections import Counter
from pathlib import Path

from crawler.fixtures import all_fixtures
from crawler.items import Page

AEB_DIR = Path(
    os.environ.get("RADIOSCRAPE_AEB_DIR")
    or Path(__file__).resolve().parents[2] / "shared" / "bench-data" / "aeb"
)
_TOKEN = re.compile(r"\w+")


def aeb_pages(limit: int | None = None) -> list[tuple[str, Page, str]]:
    """(id, page, true article body) for each Article Extraction Benchmark page."""
    if not AEB_DIR.is_dir():
        raise FileNotFoundError(
            f"AEB data not found at {AEB_DIR}: expected ../shared/bench-data/aeb beside the repo,"
            " or set RADIOSCRAPE_AEB_DIR"
        )
    truth = json.loads((AEB_DIR / "ground-truth.json").read_text(encoding="utf-8"))
    out = []
    for page_id in sorted(truth)[:limit]:
        body = gzip.decompress((AEB_DIR / "html" / f"{page_id}.html.gz").read_bytes())
        page = Page(
            url=truth[page_id]["url"],
            body=body,
            headers={"content-type": "text/html; charset=utf-8"},
        )
        out.append((page_id, page, truth[page_id]["articleBody"]))
    return out


def fixture_pages() -> list[tuple[str, Page, list[str]]]:
    """(name, page, expected body) for every article fixture."""
    return [(f.name, f.page(), f.expected["body"]) for f in all_fixtures() if "body" in f.expected]


def _shingles(text: str) -> Counter:
    tokens = _TOKEN.findall(text)
    return Counter(tuple(tokens[i : i + 4]) for i in range(max(len(tokens) - 3, 0)))


def aeb_scores(pairs: list[tuple[str, str]]) -> dict[str, float]:
    """The AEB metric over (truth, prediction) pairs: macro precision, recall and their F1."""
    precisions, recalls = [], []
    for truth, prediction in pairs:
        t, p = _shingles(truth), _shingles(prediction)
        tp = sum((t & p).values())
        fp = sum((p - t).values())
        fn = sum((t - p).values())
        total = tp + fp + fn
        if total == 0:
            continue
        tp, fp, fn = tp / total, fp / total, fn / total
        if tp + fp > 0:
            precisions.append(tp / (tp + fp))
        if tp + fn > 0:
            recalls.append(tp / (tp + fn) if p else 0.0)
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}

"""Shared pieces of the benchmarks: the public AEB pages, the fixtures, the F1 metric."""

from __future__ import annotations

import os
import re
import subprocess
from collections import Counter
from pathlib import Path

from crawler.fixtures import all_fixtures
from pipelines.core.items import Page

REPO = Path(__file__).resolve().parents[1]
BENCH_DATA_IN_SHARED = Path("shared") / "bench-data"


def _origin_dir() -> Path | None:
    """The repository this checkout was cloned from, when that is a local folder."""
    try:
        url = subprocess.run(
            ["git", "-C", str(REPO), "config", "--get", "remote.origin.url"],
            capture_output=True, text=True, check=False,
        ).stdout.strip()  # fmt: skip
    except OSError:
        return None
    if not url or ("://" in url and not url.startswith("file://")):
        return None
    path = Path(url.removeprefix("file://"))
    return path.resolve() if path.is_dir() else None


def bytecode_env(tmp: Path) -> dict[str, str]:
    """This environment for timed child processes, keeping their compiled bytecode under
    `tmp`, as an installed radioscrape runs (pip compiles it). With PYTHONDONTWRITEBYTECODE
    set (as in some shells and CI runners) each child would compile radioscrape's own modules
    from source again, while trafilatura's come compiled: ~0.1 s of CPU of each start-up."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": str(tmp / "pycache")}


def find_bench_data() -> Path:
    """The corpora: $RADIOSCRAPE_BENCH_DATA, else shared/bench-data beside this repository,
    else beside the local repository it was cloned from (a fresh clone in /tmp)."""
    if env := os.environ.get("RADIOSCRAPE_BENCH_DATA"):
        return Path(env)
    candidates = [REPO.parent / BENCH_DATA_IN_SHARED]
    if origin := _origin_dir():
        candidates.append(origin.parent / BENCH_DATA_IN_SHARED)
    found = next((c for c in candidates if c.is_dir()), None)
    if found is None:
        raise FileNotFoundError(
            f"bench data not found at {candidates[0]}: expected ../shared/bench-data beside the"
            " repo, or set RADIOSCRAPE_BENCH_DATA"
        )
    return found


_TOKEN = re.compile(r"\w+")


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

"""Small station sites for crawl tests, and the check every crawl report must pass."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# The columns a discovered article URL can end in: one count each, or a group of counts.
COUNT_COLUMNS = ("new", "updated", "unchanged")
GROUP_COLUMNS = ("refused", "filtered", "dropped", "errors")


def columns(counts: dict[str, Any]) -> int:
    """The sum of the report columns one station (or the totals) ended its URLs in."""
    ended = sum(counts[name] for name in COUNT_COLUMNS)
    return ended + sum(sum(counts[name].values()) for name in GROUP_COLUMNS)


def assert_adds_up(report: dict[str, Any], where: object = "") -> None:
    """Every URL a finished crawl discovered ended in exactly one column, for each station
    and in total (a crawl cut short leaves URLs it never reached in none). The reports of a
    distributed crawl's workers add up together, not one by one (assert_workers_add_up)."""
    if report["finish_reason"] != "finished" or "worker" in report:
        return
    for label, counts in [*report["stations"].items(), ("TOTAL", report["totals"])]:
        assert columns(counts) == counts["discovered"], (str(where), label, counts)


def assert_workers_add_up(reports: list[dict[str, Any]]) -> None:
    """The workers' reports of one distributed crawl add up together."""
    totals = [r["totals"] for r in reports]
    assert sum(map(columns, totals)) == sum(t["discovered"] for t in totals), totals


def check_new_reports(root: Path, checked: set[Path]) -> None:
    """assert_adds_up on every crawl report (a JSON file with stations and totals) written
    under `root` and not in `checked` yet."""
    for path in sorted(root.rglob("*.json")):
        if path in checked:
            continue
        checked.add(path)
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # not JSON, or not written whole: not a report to check
        if isinstance(report, dict) and {"stations", "totals", "finish_reason"} <= set(report):
            assert_adds_up(report, path)

"""Small station sites for crawl tests, and the check every crawl report must pass."""

from __future__ import annotations

from typing import Any

# The columns a discovered article URL can end in: one count each, or a group of counts.
COUNT_COLUMNS = ("new", "updated", "unchanged")
GROUP_COLUMNS = ("refused", "filtered", "dropped", "errors")


def columns(counts: dict[str, Any]) -> int:
    """The sum of the report columns one station (or the totals) ended its URLs in."""
    ended = sum(counts[name] for name in COUNT_COLUMNS)
    return ended + sum(sum(counts[name].values()) for name in GROUP_COLUMNS)


def assert_adds_up(report: dict[str, Any]) -> None:
    """Every discovered URL ended in exactly one column, for each station and in total."""
    for label, counts in [*report["stations"].items(), ("TOTAL", report["totals"])]:
        assert columns(counts) == counts["discovered"], (label, counts)

"""The stats vocabulary: every per-station count of a crawl, in Scrapy's `component/metric/reason`
shape, made by one helper and read back by the report and the run history.

A station's keys are `radioscrape/<station>/<metric>[/<reason>]`: pages, discovered, new,
updated, unchanged, redirects, refused/<kind>, filtered/<why>, dropped/<reason>, clutter/<rule>,
errors/<kind>, stories/new|copies, recheck/checked|not-modified|edited (known URLs asked again
with no sign of a change: crawler.frontier), and discovery/<name> for the documents discovery
read (documents, errors/<kind>, probed/<outcome>, filtered/<why>, cut/<bound>,
unchanged/not-modified|sitemap-lastmod). Each is counted once, by the component that sees it
happen.
"""

from __future__ import annotations

from typing import Any

STATIONS = "radioscrape/stations"  # the labels of the crawl's stations, in order
WORKER = "radioscrape/worker"  # one worker's share of a distributed crawl: its name


def stat_key(station: str, name: str) -> str:
    """The stats key of a station's count `name` ('new', 'errors/dns', 'discovery/documents')."""
    return f"radioscrape/{station}/{name}"


def inc_stat(stats, station: str | None, name: str, count: int = 1) -> None:
    """Add `count` to a station's count (nothing for a request made for no station)."""
    if station:
        stats.inc_value(stat_key(station, name), count)


def station_stats(stats: dict[str, Any], station: str) -> dict[str, Any]:
    """A station's counts from a stats dict, keyed by name (`errors/dns`)."""
    prefix = stat_key(station, "")
    return {k[len(prefix) :]: v for k, v in stats.items() if k.startswith(prefix)}

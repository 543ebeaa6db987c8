"""Regenerate README's station table from the registry (tests fail while it is stale)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.cli import stations_table

README = Path(__file__).resolve().parent.parent / "README.md"
MARKERS = re.compile(r"(<!-- stations:start -->\n).*?(<!-- stations:end -->)", re.S)


def stations_section() -> str:
    """The README section between the station markers."""
    return (
        "## Stations\n\n"
        "Generated from `crawler/stations/` by `python scripts/update_readme.py`"
        " (`radioscrape stations` lists them too).\n\n" + stations_table("markdown") + "\n"
    )


def main() -> None:
    """Rewrite the section in place."""
    text = README.read_text(encoding="utf-8")
    README.write_text(
        MARKERS.sub(lambda m: m.group(1) + stations_section() + m.group(2), text), encoding="utf-8"
    )


if __name__ == "__main__":
    main()

"""Fixture files: load a saved page, rebuild its record, diff it per field, add and accept."""

from __future__ import annotations

import difflib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.stations import registry
from pipelines.clean import clean_page
from pipelines.clean.chrome import ChromeSnapshot
from pipelines.core.items import Page, dumps

# The library's default folder (tests, benches): the checkout's fixtures/. The `fixture`
# commands take theirs from --fixtures / RADIOSCRAPE_FIXTURES_DIR / ./fixtures instead.
FIXTURES_DIR = Path(
    os.environ.get("RADIOSCRAPE_FIXTURES_DIR")
    or Path(__file__).resolve().parent.parent / "fixtures"
)
GENERIC = "generic"


@dataclass(frozen=True, order=True)
class Fixture:
    """One saved page with its metadata and expected record."""

    path: Path

    @property
    def name(self) -> str:
        """'station/slug'."""
        return f"{self.path.parent.name}/{self.path.name}"

    @property
    def meta(self) -> dict[str, Any]:
        """The parsed meta.json."""
        return json.loads((self.path / "meta.json").read_text(encoding="utf-8"))

    @property
    def expected(self) -> dict[str, Any]:
        """The parsed expected.json."""
        return json.loads((self.path / "expected.json").read_text(encoding="utf-8"))

    def page(self) -> Page:
        """The saved page as the Page the crawler would have produced."""
        meta = self.meta
        return Page(
            url=meta["url"],
            body=(self.path / "page.html").read_bytes(),
            status=meta.get("status", 200),
            headers=meta.get("headers", {}),
            station=meta.get("station"),
            fetched_at=meta["fetched_at"],
        )

    def actual(self) -> dict[str, Any]:
        """The record the cleaner builds now, or {'not_article': kind} for a refused page."""
        return record_or_refusal(self.page())


def record_or_refusal(
    page: Page, any_page: bool = False, chrome: ChromeSnapshot | None = None
) -> dict[str, Any]:
    """build_record's record as a dict (with the learned `chrome`), or {'not_article': kind}
    when it refuses the page."""
    result = clean_page(page, any_page, chrome)
    return {"not_article": result[0]} if isinstance(result, tuple) else result.to_dict()


def all_fixtures(selector: str | None = None, root: Path | None = None) -> list[Fixture]:
    """Every fixture under `root` (default FIXTURES_DIR), or those of one station ('KEY') or
    one page ('KEY/SLUG')."""
    root = FIXTURES_DIR if root is None else root
    found = sorted(Fixture(p.parent) for p in root.glob("*/*/page.html"))
    if selector:
        found = [f for f in found if f.name == selector or f.path.parent.name == selector]
    return found


def diff_fields(expected: dict[str, Any], actual: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """{field: (expected, actual)} for every field that differs (missing keys count)."""
    return {
        key: (expected.get(key), actual.get(key))
        for key in sorted(set(expected) | set(actual))
        if expected.get(key) != actual.get(key)
    }


def format_diff(name: str, diffs: dict[str, tuple[Any, Any]]) -> str:
    """A readable per-field report. Lists (the body) are aligned first, so an inserted or a
    removed paragraph is one line, not a cascade: `+ [i] got ...` is only in the new output,
    `- [i] expected ...` only in the expected one, and a changed entry shows both."""
    lines = [f"{name}: {len(diffs)} field(s) differ"]
    for key, (want, got) in diffs.items():
        if isinstance(want, list) and isinstance(got, list):
            lines.append(f"  {key}:")
            lines += _list_diff(want, got)
        else:
            lines.append(f"  {key}: expected {dumps(want)}")
            lines.append(f"  {key}:      got {dumps(got)}")
    return "\n".join(lines)


def _list_diff(want: list, got: list) -> list[str]:
    """The entries that differ between two lists, aligned (difflib), indexed in each list."""
    keys = [dumps(v) for v in want], [dumps(v) for v in got]
    lines = []
    matcher = difflib.SequenceMatcher(a=keys[0], b=keys[1], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if op == "replace" and i2 - i1 == j2 - j1:  # entries changed in place
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                lines.append(f"    [{i}] expected {keys[0][i]}")
                lines.append(f"    [{j}]      got {keys[1][j]}")
            continue
        lines += [f"  - [{i}] expected {keys[0][i]}" for i in range(i1, i2)]
        lines += [f"  + [{j}]      got {keys[1][j]}" for j in range(j1, j2)]
    return lines


def write_json(path: Path, obj: Any) -> None:
    """Write the project's stable JSON form (sorted keys, UTF-8, two-space indent, newline)."""
    path.write_text(dumps(obj, indent=2) + "\n", encoding="utf-8")


def slug_for(url: str) -> str:
    """A folder name from the last meaningful path segment of a URL."""
    segments = [s for s in re.split(r"[/?#]", url.split("://", 1)[-1])[1:] if s]
    slug = re.sub(r"[^a-z0-9-]+", "-", (segments[-1] if segments else "home").lower()).strip("-")
    return slug[:80] or "page"


def add_fixture(
    station: str, page: Page, slug: str | None = None, root: Path | None = None
) -> Fixture:
    """Save a page as a new fixture under `root` (default FIXTURES_DIR) with the record the
    cleaner builds now.

    Never overwrites: FileExistsError when the folder exists.
    """
    if station != GENERIC:
        registry().get(station)
    target = (FIXTURES_DIR if root is None else root) / station / (slug or slug_for(page.url))
    target.mkdir(parents=True, exist_ok=False)
    (target / "page.html").write_bytes(page.body)
    write_json(
        target / "meta.json",
        {
            "fetched_at": page.fetched_at,
            "headers": {k: v for k, v in page.headers.items() if k == "content-type"},
            "notes": "",
            "station": None if station == GENERIC else station,
            "status": page.status,
            "template": "",
            "url": page.url,
        },
    )
    fixture = Fixture(target)
    write_json(target / "expected.json", fixture.actual())
    return fixture


def accept(fixture: Fixture, fields: list[str] | None = None) -> list[str]:
    """Take the cleaner's current output into expected.json (all fields or only `fields`);
    return the fields that changed."""
    actual = fixture.actual()
    expected = fixture.expected
    diffs = diff_fields(expected, actual)
    chosen = [f for f in diffs if fields is None or f in fields]
    unknown = set(fields or ()) - set(expected) - set(actual)
    if unknown:
        raise KeyError(f"no such field(s): {', '.join(sorted(unknown))}")
    if "not_article" in actual or "not_article" in expected:
        new = actual if fields is None else expected
    else:
        new = dict(expected)
        for key in chosen:
            if key in actual:
                new[key] = actual[key]
            else:
                new.pop(key, None)
    write_json(fixture.path / "expected.json", new)
    return chosen

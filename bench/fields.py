"""Per-field accuracy of the record: radioscrape vs bare trafilatura's metadata, in one run.

- Fixtures (every article fixture): title, standfirst, author, published, section, show, image
  and canonical_url against expected.json. A null expected value counts: giving a show where
  the page has none is as wrong as missing one.
- wcxb-dev (`../shared/bench-data/wcxb-dev`, article pages): title, author and published
  against the ground truth's `title`, `author` and `publish_date`, over the pages whose ground
  truth gives that field. A page the cleaner refuses gives no field.

Values are compared as a person would: titles, standfirsts, sections and shows equal after
case, whitespace and punctuation are folded away; an author when the names given are among the
names in the truth, or the first name given is (credentials such as ", PhD", roles after a
comma and the order of several names do not matter); a date when it is the same day (the
truth's `publish_date` is the date the page shows, which is sometimes its update date); the
image by its URL; the canonical URL exactly.

    python bench/fields.py [--wcxb-limit 150] [--json PATH] [--misses]

From code (bench/quality.py), either let this module run the extractors:

    field_scores(radioscrape_fields, wcxb_pages=wcxb_truth(150))
    field_scores(trafilatura_fields, wcxb_pages=...)

or score records already built (a refused page is None):

    score([(samples_truth(sample), fields_of(record)) ...], WCXB_FIELDS, skip_missing_truth=True)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpora import Sample, wcxb_samples
from crawler.fixtures import all_fixtures
from crawler.stations import registry
from pipelines.clean import CleanError, build_record
from pipelines.clean.text import fold
from pipelines.core.items import Page

FIXTURE_FIELDS = (
    "title",
    "standfirst",
    "author",
    "published",
    "section",
    "show",
    "image",
    "canonical_url",
)
WCXB_FIELDS = ("title", "author", "published")

Fields = dict[str, Any]
Extractor = Callable[[Page], "Fields | None"]


# ---------------------------------------------------------------- extractors


def fields_of(record) -> Fields | None:
    """The scored fields of a record (an ArticleRecord or its dict; None stays None)."""
    if record is None:
        return None
    if not isinstance(record, dict):
        record = {name: getattr(record, name) for name in FIXTURE_FIELDS}
    return {name: record.get(name) for name in FIXTURE_FIELDS}


def radioscrape_fields(page: Page) -> Fields | None:
    """The fields of radioscrape's record (None when the cleaner refuses the page)."""
    profile = registry().get(page.station) if page.station else None
    try:
        return fields_of(build_record(page, profile))
    except CleanError:
        return None


def trafilatura_fields(page: Page) -> Fields | None:
    """What bare trafilatura's metadata gives for the same fields (None when it gives nothing):
    title, author, date (a day), description as the standfirst, the first category as the
    section, image and url; it has no notion of a show."""
    import trafilatura

    doc = trafilatura.bare_extraction(page.body, url=page.url, with_metadata=True)
    if doc is None:
        return None
    categories = doc.categories or []
    return {
        "title": doc.title,
        "standfirst": doc.description,
        "author": doc.author,
        "published": doc.date,
        "section": categories[0] if categories else None,
        "show": None,
        "image": {"url": doc.image} if doc.image else None,
        "canonical_url": doc.url,
    }


# ---------------------------------------------------------------- comparison

_NAME_SPLIT = re.compile(r"\s*(?:[,;&|/]|\band\b|\bund\b|\bet\b|\by\b|\be\b)\s*", re.I)
_BY = re.compile(r"^\s*(?:written\s+|words\s+|story\s+)?by\s+", re.I)


def author_names(value: str) -> set[str]:
    """The folded names in a byline: 'By A, B and C' -> {'a', 'b', 'c'} (credentials such as
    'MS' or 'Ph.D.' come out as names of their own and are harmless in a subset test)."""
    parts = _NAME_SPLIT.split(_BY.sub("", value))
    return {key for key in (fold(p) for p in parts) if key}


def _day(value: Any) -> str | None:
    text = str(value or "").strip()
    return text[:10] if re.match(r"\d{4}-\d{2}", text) else None


def same(name: str, expected: Any, actual: Any) -> bool:
    """Whether `actual` is right for `expected` in field `name`, compared as a person would
    (see the module docstring); null matches only null."""
    if not expected or not actual:
        return not expected and not actual
    if name == "author":
        want, got = author_names(str(expected)), author_names(str(actual))
        first = author_names(_NAME_SPLIT.split(_BY.sub("", str(actual)), maxsplit=1)[0])
        return bool(got) and (got <= want or want <= got or first <= want)
    if name == "published":
        day = _day(expected)
        return day is not None and (_day(actual) or "")[: len(day)] == day
    if name == "image":
        want = expected.get("url") if isinstance(expected, dict) else expected
        got = actual.get("url") if isinstance(actual, dict) else actual
        return bool(want) and want == got
    if name == "canonical_url":
        return expected == actual
    return fold(str(expected)) == fold(str(actual))


def score(pairs: Iterable[tuple[Fields, Fields | None]], fields: Iterable[str],
          skip_missing_truth: bool = False) -> dict[str, dict[str, float]]:  # fmt: skip
    """Per-field {"correct", "total", "accuracy"} over (truth, output) pairs; an output of
    None (page refused) gives no field. With `skip_missing_truth`, pages whose truth has no
    value for a field do not count for it; "extra" then counts those where the output still
    gives one."""
    fields = tuple(fields)
    out = {name: {"correct": 0, "total": 0, "extra": 0} for name in fields}
    for truth, output in pairs:
        output = output or {}
        for name in fields:
            expected, actual = truth.get(name), output.get(name)
            if skip_missing_truth and not expected:
                out[name]["extra"] += bool(actual)
                continue
            out[name]["total"] += 1
            out[name]["correct"] += same(name, expected, actual)
    for counts in out.values():
        counts["accuracy"] = counts["correct"] / counts["total"] if counts["total"] else 0.0
    return out


# ---------------------------------------------------------------- corpora


def fixture_truth() -> list[tuple[str, Page, Fields]]:
    """(name, page, expected fields) for every article fixture."""
    return [
        (f.name, f.page(), {name: expected[name] for name in FIXTURE_FIELDS})
        for f in all_fixtures()
        if "not_article" not in (expected := f.expected)
    ]


def wcxb_truth(limit: int | None = None, kind: str = "article") -> list[tuple[str, Page, Fields]]:
    """(id, page, truth fields) for the first `limit` wcxb-dev pages of type `kind`, with the
    truth under the record's names (title, author, published)."""
    samples = [s for s in wcxb_samples() if s.kind == kind][:limit]
    return [(s.id, s.page(), samples_truth(s)) for s in samples]


def samples_truth(sample: Sample) -> Fields:
    """A corpus sample's title, author and date under the record's field names."""
    return {"title": sample.title, "author": sample.author, "published": sample.date}


def field_scores(
    extract: Extractor = radioscrape_fields,
    *,
    fixtures: bool = True,
    wcxb: bool = True,
    wcxb_limit: int | None = None,
    wcxb_pages: list[tuple[str, Page, Fields]] | None = None,
) -> dict[str, dict[str, dict[str, float]]]:
    """Per-field accuracy of `extract` (a Page -> fields function such as radioscrape_fields
    or trafilatura_fields): {"fixtures": {field: {"correct", "total", "accuracy"}},
    "wcxb": {field: {... "extra"}}}. `wcxb_pages` (from wcxb_truth) saves reloading them."""
    result: dict[str, dict[str, dict[str, float]]] = {}
    if fixtures:
        pairs = [(truth, extract(page)) for _, page, truth in fixture_truth()]
        result["fixtures"] = score(pairs, FIXTURE_FIELDS)
    if wcxb:
        pages = wcxb_pages if wcxb_pages is not None else wcxb_truth(wcxb_limit)
        pairs = [(truth, extract(page)) for _, page, truth in pages]
        result["wcxb"] = score(pairs, WCXB_FIELDS, skip_missing_truth=True)
    return result


def misses(extract: Extractor, pages: list[tuple[str, Page, Fields]], fields: Iterable[str]):
    """(id, field, expected, actual) for every wrong field: what to look at first."""
    fields = tuple(fields)
    for ident, page, truth in pages:
        output = extract(page) or {}
        for name in fields:
            if truth.get(name) and not same(name, truth[name], output.get(name)):
                yield ident, name, truth[name], output.get(name)


def main() -> None:
    """Print radioscrape's and bare trafilatura's per-field accuracy side by side."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wcxb-limit", type=int, default=150,
                        help="score the first N wcxb-dev article pages (0: all)")  # fmt: skip
    parser.add_argument("--json", type=Path, help="also write the scores here")
    parser.add_argument("--misses", action="store_true", help="list radioscrape's wrong fields")
    args = parser.parse_args()
    pages = wcxb_truth(args.wcxb_limit or None)
    ours = field_scores(radioscrape_fields, wcxb_pages=pages)
    theirs = field_scores(trafilatura_fields, wcxb_pages=pages)
    for corpus, fields, label in (
        ("fixtures", FIXTURE_FIELDS, f"fixtures ({len(fixture_truth())} articles)"),
        ("wcxb", WCXB_FIELDS, f"wcxb-dev ({len(pages)} articles)"),
    ):
        print(f"{label:<34}{'radioscrape':>12}{'trafilatura':>12}{'pages':>7}")
        for name in fields:
            a, b = ours[corpus][name], theirs[corpus][name]
            print(f"  {name:<32}{a['accuracy']:>12.3f}{b['accuracy']:>12.3f}{a['total']:>7}")
    if args.misses:
        for ident, name, want, got in misses(radioscrape_fields, pages, WCXB_FIELDS):
            print(f"wcxb {ident} {name}: want {want!r} got {got!r}")
    if args.json:
        summary = {"radioscrape": ours, "trafilatura": theirs, "wcxb_pages": len(pages)}
        args.json.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()

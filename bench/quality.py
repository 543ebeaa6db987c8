"""Quality: radioscrape's cleaner vs bare trafilatura.bare_extraction, in one run.

On the fixtures: paragraph precision and recall against the expected bodies, and clutter
leaks (output lines a clutter rule matches, and output lines not in the article at all).
On the public Article Extraction Benchmark: its token-shingle precision, recall and F1.

    python bench/quality.py [--aeb-limit N]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import aeb_pages, aeb_scores, fixture_pages
from crawler.stations import registry
from pipelines.clean import CleanError, build_record
from pipelines.clean.clutter import match_text
from pipelines.clean.text import squash


def radioscrape_paragraphs(page) -> list[str]:
    """The cleaner's body (empty when it refuses the page)."""
    profile = registry().get(page.station) if page.station else None
    try:
        return build_record(page, profile).body
    except CleanError:
        return []


def trafilatura_paragraphs(page) -> list[str]:
    """Bare trafilatura's text, one paragraph per line."""
    doc = trafilatura.bare_extraction(page.body, url=page.url)
    text = doc.text if doc is not None else ""
    return [squash(line) for line in (text or "").splitlines() if squash(line)]


def fixture_quality(extract) -> dict[str, float]:
    """Paragraph precision/recall and leaks of `extract` over the article fixtures."""
    kept = total_out = total_expected = rule_leaks = extra = 0
    for _, page, expected in fixture_pages():
        out = extract(page)
        wanted = set(expected)
        kept += sum(1 for p in expected if p in set(out))
        total_out += len(out)
        total_expected += len(expected)
        rule_leaks += sum(1 for p in out if p not in wanted and match_text(p))
        extra += sum(1 for p in out if p not in wanted)
    return {
        "precision": kept / total_out if total_out else 0.0,
        "recall": kept / total_expected if total_expected else 0.0,
        "clutter_leaks": rule_leaks,
        "extra_lines": extra,
    }


def main() -> None:
    """Print both extractors' scores side by side."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--aeb-limit", type=int, help="score only the first N AEB pages")
    args = parser.parse_args()
    pages = aeb_pages(args.aeb_limit)
    n_fixtures = len(fixture_pages())
    print(f"fixtures: {n_fixtures} article pages; AEB: {len(pages)} pages")
    print(f"{'':28}{'radioscrape':>12}{'trafilatura':>12}")
    ours, theirs = fixture_quality(radioscrape_paragraphs), fixture_quality(trafilatura_paragraphs)
    for key in ("precision", "recall"):
        print(f"fixtures paragraph {key:<9}{ours[key]:>12.3f}{theirs[key]:>12.3f}")
    for key in ("clutter_leaks", "extra_lines"):
        print(f"fixtures {key:<19}{ours[key]:>12d}{theirs[key]:>12d}")
    aeb_ours = aeb_scores([(t, "\n".join(radioscrape_paragraphs(p))) for _, p, t in pages])
    aeb_theirs = aeb_scores([(t, "\n".join(trafilatura_paragraphs(p))) for _, p, t in pages])
    for key in ("precision", "recall", "f1"):
        print(f"AEB {key:<24}{aeb_ours[key]:>12.3f}{aeb_theirs[key]:>12.3f}")
    print(f"AEB F1 ratio radioscrape/trafilatura: {aeb_ours['f1'] / aeb_theirs['f1']:.3f}")


if __name__ == "__main__":
    main()

"""Quality: radioscrape's cleaner vs bare trafilatura.bare_extraction, in one run, on every corpus.

- fixtures: paragraph precision/recall against the expected bodies, clutter leaks;
- AEB (181 articles): the benchmark's 4-token-shingle precision, recall, F1;
- WCXB-dev (1,358 pages of 7 types): word-level F1 by page type (WCXB's metric), refusals by
  type, and "catastrophic losses" (article pages where radioscrape keeps less than half of the
  words that trafilatura gets right);
- Fundus-eval (80 news articles): ROUGE-LSum F1 (rouge-score, paragraphs as lines) and word F1.

It prints the table and the worst pages per corpus (what was lost, kept or refused) and writes
a JSON summary (a full run: bench/quality-latest.json). `--quick` scores a fixed subset: the
test suite's ratchet.

    python bench/quality.py [--quick] [--corpus wcxb --corpus aeb ...] [--json PATH] [--jobs N]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter, defaultdict
from multiprocessing import Pool
from pathlib import Path

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import aeb_scores, fixture_pages
from bench.corpora import LOADERS, Sample
from bench.fields import (
    WCXB_FIELDS,
    field_scores,
    fields_of,
    radioscrape_fields,
    samples_truth,
    score,
    trafilatura_fields,
)
from pipelines.clean import clean_page
from pipelines.clean.clutter import match_text
from pipelines.clean.text import squash

LATEST = Path(__file__).with_name("quality-latest.json")  # the last full run's summary
REFUSE_TYPES = ("collection", "listing")  # WCXB page types a crawl must refuse
_WORD = re.compile(r"\w+")
_ROUGE = None


def radioscrape_paragraphs(page) -> list[str]:
    """The cleaner's body (empty when it refuses the page)."""
    return radioscrape_result(page)[0]


def radioscrape_result(page) -> tuple[list[str], str | None]:
    """The cleaner's body and, when it refused the page, the refusal kind."""
    record, refused = _record(page)
    return (record.body if record else []), refused


def _record(page, any_page: bool = False):
    """(record, None), or (None, refusal kind)."""
    result = clean_page(page, any_page)
    return (None, result[0]) if isinstance(result, tuple) else (result, None)


def trafilatura_paragraphs(page) -> list[str]:
    """Bare trafilatura's text (defaults), one paragraph per line."""
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


def word_scores(truth: str, prediction: str) -> dict[str, float]:
    """WCXB's metric: precision, recall, F1 of lower-cased \\w+ tokens as multisets, and the
    number of tokens right."""
    t = Counter(_WORD.findall(truth.lower()))
    p = Counter(_WORD.findall(prediction.lower()))
    right = sum((t & p).values())
    precision = right / sum(p.values()) if p else 0.0
    recall = right / sum(t.values()) if t else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "right": right}


def rouge_lsum(truth: str, prediction: str) -> float:
    """ROUGE-LSum F1 (x100) as the Fundus study computes it: rouge-score, paragraphs as lines."""
    global _ROUGE
    if _ROUGE is None:
        from rouge_score import rouge_scorer

        _ROUGE = rouge_scorer.RougeScorer(["rougeLsum"])
    return 100 * _ROUGE.score(truth, prediction)["rougeLsum"].fmeasure


def _run(sample: Sample) -> dict:
    """Both extractors on one sample (in a worker process): bodies, the refusal, and on pages
    whose truth has a title, the record's fields beside bare trafilatura's metadata; on other
    WCXB page types also `scrape --any-page`'s body."""
    page = sample.page()
    record, refused = _record(page)
    run = {
        "id": sample.id,
        "ours": record.body if record else [],
        "refused": refused,
        "theirs": trafilatura_paragraphs(page),
    }
    if sample.kind == "article" and sample.title:
        run["fields"] = (samples_truth(sample), fields_of(record), trafilatura_fields(page))
    if sample.kind != "article":
        any_record, _ = _record(page, any_page=True)
        run["any_page"] = any_record.body if any_record else []
    return run


def _select(samples: list[Sample], quick: bool) -> list[Sample]:
    """The quick subset: a fixed stride through each corpus and page type."""
    if not quick:
        return samples
    stride = {"aeb": 3, "fundus": 4, "wcxb": 8}
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        by_kind[s.kind].append(s)
    out = []
    for kind, group in by_kind.items():
        step = stride[group[0].corpus] // (2 if kind in REFUSE_TYPES else 1)
        if kind == "article" or kind in REFUSE_TYPES:
            out.extend(group[::step])
    return out


def _diagnose(sample: Sample, run: dict) -> dict:
    """What went wrong on one page: truth lines lost, lines kept that are not in the truth."""
    truth_lines = [squash(t) for t in sample.truth.splitlines() if squash(t)]
    truth_words = set(_WORD.findall(sample.truth.lower()))
    ours = run["ours"]
    lost = [t for t in truth_lines if t not in ours and t in run["theirs"]]
    kept = [
        p
        for p in ours
        if p not in run["theirs"] and not set(_WORD.findall(p.lower())) <= truth_words
    ]
    return {"lost": lost[:5], "kept": kept[:5], "refused": run["refused"]}


def score_corpus(name: str, samples: list[Sample], runs: dict[str, dict]) -> dict:
    """Per-corpus figures for both extractors, plus the worst pages."""
    rows = []
    for s in samples:
        run = runs[s.id]
        ours_text, theirs_text = "\n".join(run["ours"]), "\n".join(run["theirs"])
        row = {
            "id": s.id,
            "kind": s.kind,
            "url": s.url,
            "refused": run["refused"],
            "has_text": bool(_WORD.search(s.truth)),
            "ours": word_scores(s.truth, ours_text),
            "theirs": word_scores(s.truth, theirs_text),
        }
        if name == "fundus":
            row["ours"]["rouge"] = rouge_lsum(s.truth, ours_text)
            row["theirs"]["rouge"] = rouge_lsum(s.truth, theirs_text)
        rows.append((s, run, row))
    articles = [r for _, _, r in rows if r["kind"] == "article"]
    summary: dict = {"pages": len(rows), "articles": len(articles)}
    for who in ("ours", "theirs"):
        for key in ("precision", "recall", "f1") + (("rouge",) if name == "fundus" else ()):
            values = [r[who][key] for r in articles]
            summary[f"{who}_{key}"] = sum(values) / len(values) if values else 0.0
    if name == "aeb":
        for who in ("ours", "theirs"):
            scores = aeb_scores([(s.truth, "\n".join(run[who])) for s, run, _ in rows])
            for key, value in scores.items():
                summary[f"{who}_shingle_{key}"] = value
    fields = [runs[s.id]["fields"] for s in samples if "fields" in runs[s.id]]
    if fields:
        for who, index in (("ours", 1), ("theirs", 2)):
            scores = score([(f[0], f[index]) for f in fields], WCXB_FIELDS, True)
            for key, counts in scores.items():
                summary[f"{who}_field_{key}"] = counts["accuracy"]
    others = [(s, runs[s.id]) for s in samples if "any_page" in runs[s.id]]
    for who, key in (("ours", "any_page"), ("theirs", "theirs")):
        values = [word_scores(s.truth, "\n".join(run[key]))["f1"] for s, run in others]
        if values:
            summary[f"{who}_other_f1"] = sum(values) / len(values)
    # a labelled article whose truth has no text at all is rightly refused as "empty"
    summary["articles_refused"] = sum(1 for r in articles if r["refused"] and r["has_text"])
    summary["catastrophic"] = sum(
        1
        for r in articles
        if r["theirs"]["right"] >= 20 and r["ours"]["right"] < 0.5 * r["theirs"]["right"]
    )
    by_type: dict[str, list[dict]] = defaultdict(list)
    for _, _, r in rows:
        by_type[r["kind"]].append(r)
    summary["refused_by_type"] = {
        kind: [sum(1 for r in group if r["refused"]), len(group)]
        for kind, group in sorted(by_type.items())
    }
    summary["refusal_kinds"] = dict(Counter(r["refused"] for _, _, r in rows if r["refused"]))
    worst = sorted(
        ((s, run, r) for s, run, r in rows if r["kind"] == "article"),
        key=lambda t: t[2]["ours"]["f1"] - t[2]["theirs"]["f1"],
    )[:10]
    summary["worst"] = [
        {
            "id": r["id"],
            "url": r["url"],
            "f1": round(r["ours"]["f1"], 3),
            "trafilatura_f1": round(r["theirs"]["f1"], 3),
            **_diagnose(s, run),
        }
        for s, run, r in worst
        if r["ours"]["f1"] < r["theirs"]["f1"]
    ]
    return summary


def run_corpora(names: list[str], quick: bool, jobs: int) -> dict[str, dict]:
    """Score every named corpus; both extractors run on each page in the same worker."""
    out = {}
    with Pool(jobs) as pool:
        for name in names:
            samples = _select(LOADERS[name](), quick)
            runs = {r["id"]: r for r in pool.imap_unordered(_run, samples, chunksize=4)}
            out[name] = score_corpus(name, samples, runs)
    return out


def _print(results: dict[str, dict], fixtures: tuple[dict, dict] | None) -> None:
    print(f"{'':44}{'radioscrape':>12}{'trafilatura':>12}")

    def line(label: str, ours: float, theirs: float, fmt: str = ".3f") -> None:
        print(f"{label:<44}{ours:>12{fmt}}{theirs:>12{fmt}}")

    if fixtures:
        ours, theirs = fixtures
        for key in ("precision", "recall"):
            line(f"fixtures paragraph {key}", ours[key], theirs[key])
        for key in ("clutter_leaks", "extra_lines"):
            line(f"fixtures {key}", ours[key], theirs[key], "d")
    for name, s in results.items():
        n = f"{name} ({s['articles']} articles)"
        if name == "aeb":
            for key in ("precision", "recall", "f1"):
                line(f"{n} shingle {key}", s[f"ours_shingle_{key}"], s[f"theirs_shingle_{key}"])
        for key in ("precision", "recall", "f1"):
            line(f"{n} word {key}", s[f"ours_{key}"], s[f"theirs_{key}"])
        if name == "fundus":
            line(f"{n} ROUGE-LSum F1", s["ours_rouge"], s["theirs_rouge"], ".2f")
        for key in WCXB_FIELDS:
            if f"ours_field_{key}" in s:
                line(f"{n} {key} right", s[f"ours_field_{key}"], s[f"theirs_field_{key}"])
        if "ours_other_f1" in s:
            others = s["pages"] - s["articles"]
            line(
                f"{name} ({others} other pages) --any-page F1",
                s["ours_other_f1"],
                s["theirs_other_f1"],
            )
        print(f"{n}: refused {s['articles_refused']}, catastrophic losses {s['catastrophic']}")
        if name == "wcxb":
            for kind, (refused, total) in s["refused_by_type"].items():
                print(
                    f"  wcxb {kind:<14} refused {refused:>4} / {total:<4} ({refused / total:.0%})"
                )
        print(f"  refusal kinds: {s['refusal_kinds']}")
    for name, s in results.items():
        if s["worst"]:
            print(f"\nworst {name} pages (radioscrape F1 vs trafilatura F1):")
        for w in s["worst"]:
            print(f"  {w['id']} {w['f1']:.3f} vs {w['trafilatura_f1']:.3f} {w['url']}")
            if w["refused"]:
                print(f"      refused: {w['refused']}")
            for text in w["lost"][:3]:
                print(f"      lost: {text[:110]}")
            for text in w["kept"][:3]:
                print(f"      kept: {text[:110]}")


def main() -> None:
    """Score both extractors on the chosen corpora, print the table, write the JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", action="append", choices=sorted(LOADERS), help="(repeatable)")
    parser.add_argument("--quick", action="store_true", help="the fixed subset the tests use")
    parser.add_argument("--no-fixtures", action="store_true", help="skip the fixture scores")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument(
        "--json", type=Path,
        help=f"write the summary here (default: {LATEST.name} beside this script for a full run)",
    )  # fmt: skip
    args = parser.parse_args()
    names = args.corpus or ["aeb", "fundus", "wcxb"]
    fixtures = fixture_fields = None
    if not args.no_fixtures:
        fixtures = fixture_quality(radioscrape_paragraphs), fixture_quality(trafilatura_paragraphs)
        fixture_fields = tuple(
            field_scores(extract, wcxb=False)["fixtures"]
            for extract in (radioscrape_fields, trafilatura_fields)
        )
    results = run_corpora(names, args.quick, args.jobs)
    _print(results, fixtures)
    if fixture_fields:
        print("\nfixtures: fields right (radioscrape / trafilatura)")
        for key, counts in fixture_fields[0].items():
            theirs = fixture_fields[1][key]["accuracy"]
            print(f"  {key:<14}{counts['accuracy']:>12.3f}{theirs:>12.3f}  of {counts['total']}")
    if args.json is None and not args.quick and not args.corpus:
        args.json = LATEST
    if args.json:
        summary = {"quick": args.quick, "trafilatura": trafilatura.__version__, "corpora": results}
        if fixtures:
            summary["fixtures"] = {"ours": fixtures[0], "theirs": fixtures[1]}
            summary["fixture_fields"] = {"ours": fixture_fields[0], "theirs": fixture_fields[1]}
        args.json.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""Story identity, measured: quality on the labelled syndication corpus, cost per article.

Quality: every page of fixtures-stories/ (bench/stories_corpus.py) is cleaned by the crawl's
cleaner and saved into a fresh SQLite store, in three orders (which must give the same groups).
Pair precision and recall over all pairs of pages (recall also for pairs sharing >= 80% of
their text, the goal), hard-negative stories merged, and the clustering's B-cubed precision,
recall and F1 and adjusted Rand index; for the default RADIOSCRAPE_STORY_THRESHOLD and a few
others beside it.

Cost: generated articles (a fifth of them copies of an earlier one) saved one by one through
the real Store.save_record into a fresh SQLite store; the time per article of the 1,000 saves
ending at each checkpoint (the store's size), and the candidates checked per article there.
Times are CPU time of this process (the machine is shared: wall time would measure the
neighbours); SQLite's own work is in it, the disk's waits are not.

    python bench/stories.py [--articles 10000] [--full]   # --full: also 100k (minutes)
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from itertools import combinations
from math import comb
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.clean import clean_page
from pipelines.core.items import ArticleRecord, Page
from pipelines.store import open_store
from pipelines.store.stories import matching_stories
from pipelines.stories import (
    StoryOptions,
    band_keys,
    shingle_hashes,
    shingles,
    similarity,
)

CORPUS = Path(__file__).resolve().parent.parent / "fixtures-stories"
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)
GOAL_SHARE = 0.8
BATCH = 1000
SAMPLE = 200  # articles of a batch whose sketch and lookup are timed apart


def load_corpus() -> tuple[list[dict], list[ArticleRecord]]:
    """The labels and the clean record of each page (as the crawl would store it)."""
    labels = json.loads((CORPUS / "labels.json").read_text(encoding="utf-8"))
    pages, records = labels["pages"], []
    for page in pages:
        body = (CORPUS / page["file"]).read_bytes()
        record = clean_page(
            Page(url=page["url"], body=body, fetched_at="2026-11-30T00:00:00+00:00")
        )
        if isinstance(record, tuple):
            raise SystemExit(f"{page['file']}: refused by the cleaner: {record}")
        records.append(record)
    words = labels["paragraph_words"]
    for page in pages:
        page["words"] = sum(words[page["story"]][i] for i in page["kept"]) + page["extra_words"]
    return pages, records


def share(a: dict, b: dict, words: dict[str, list[int]]) -> float:
    """How much text two copies of one story share: the words of their common paragraphs
    over the longer copy's words."""
    common = sum(words[a["story"]][i] for i in set(a["kept"]) & set(b["kept"]))
    return common / max(a["words"], b["words"])


def partition(records: list[ArticleRecord], options: StoryOptions, order: list[int]) -> list[str]:
    """The story id of each record after saving them in `order` into a fresh store."""
    with (
        tempfile.TemporaryDirectory() as folder,
        open_store(Path(folder) / "stories.db", stories=options) as store,
    ):
        for i in order:
            store.save_record(records[i])
        return [store.story_of(record.canonical_url)[0] for record in records]


def groups_of(ids: list[str]) -> set[frozenset[int]]:
    found: dict[str, set[int]] = defaultdict(set)
    for i, story in enumerate(ids):
        found[story].add(i)
    return {frozenset(members) for members in found.values()}


def adjusted_rand(truth: list[str], found: list[str]) -> float:
    """The adjusted Rand index of two labellings of the same items."""
    n = len(truth)
    both = sum(comb(c, 2) for c in Counter(zip(truth, found, strict=True)).values())
    a = sum(comb(c, 2) for c in Counter(truth).values())
    b = sum(comb(c, 2) for c in Counter(found).values())
    expected = a * b / comb(n, 2)
    return (both - expected) / ((a + b) / 2 - expected)


def b_cubed(truth: list[str], found: list[str]) -> tuple[float, float]:
    """B-cubed precision and recall: per item, how much of its found cluster is its story,
    and how much of its story is in its found cluster."""
    precision = recall = 0.0
    for i in range(len(truth)):
        same_found = [j for j in range(len(truth)) if found[j] == found[i]]
        same_truth = [j for j in range(len(truth)) if truth[j] == truth[i]]
        correct = sum(1 for j in same_found if truth[j] == truth[i])
        precision += correct / len(same_found)
        recall += correct / len(same_truth)
    return precision / len(truth), recall / len(truth)


def quality(pages: list[dict], records: list[ArticleRecord], options: StoryOptions) -> dict:
    """Pair and cluster scores of one options setting; checks three orders agree."""
    order = list(range(len(records)))
    shuffled = random.Random(17).sample(order, len(order))
    ids = partition(records, options, order)
    for other in (order[::-1], shuffled):
        if groups_of(partition(records, options, other)) != groups_of(ids):
            raise SystemExit(f"threshold {options.threshold}: the order changed the groups")
    words = json.loads((CORPUS / "labels.json").read_text(encoding="utf-8"))["paragraph_words"]
    tp = fp = fn = goal_pairs = goal_found = 0
    for a, b in combinations(range(len(pages)), 2):
        same, found = pages[a]["story"] == pages[b]["story"], ids[a] == ids[b]
        tp += same and found
        fp += found and not same
        fn += same and not found
        if same and share(pages[a], pages[b], words) >= GOAL_SHARE:
            goal_pairs += 1
            goal_found += found
    merged = {
        tuple(sorted((p["story"], p["hard_negative_of"])))
        for i, p in enumerate(pages)
        for j, q in enumerate(pages)
        if p["hard_negative_of"] == q["story"] and ids[i] == ids[j]
    }
    truth = [p["story"] for p in pages]
    bp, br = b_cubed(truth, ids)
    return {
        "threshold": options.threshold,
        "pair_precision": tp / (tp + fp) if tp + fp else 1.0,
        "pair_recall": tp / (tp + fn),
        "recall_80": goal_found / goal_pairs,
        "goal_pairs": goal_pairs,
        "hard_negatives_merged": len(merged),
        "bcubed_f1": 2 * bp * br / (bp + br),
        "bcubed_precision": bp,
        "bcubed_recall": br,
        "ari": adjusted_rand(truth, ids),
        "stories": len(set(truth)),
        "found": len(set(ids)),
    }


def generated(count: int, seed: int = 7):
    """`count` articles of 150-400 words from a Zipf-like vocabulary; a fifth of them are
    another station's copy of an earlier one (an intro and a promo added, a paragraph cut)."""
    rng = random.Random(seed)
    vocabulary = [f"w{n}" for n in range(20000)]
    weights = [1 / (rank + 10) for rank in range(len(vocabulary))]
    bodies: list[list[str]] = []
    for n in range(count):
        if bodies and rng.random() < 0.2:
            source = rng.choice(bodies[-5000:])
            body = ["Station intro for today's show.", *source[:-1], "Listen live on the app."]
        else:
            body = [
                " ".join(rng.choices(vocabulary, weights, k=rng.randint(25, 55)))
                for _ in range(rng.randint(5, 8))
            ]
            bodies.append(body)
        url = f"https://www.station{n % 40}.example/news/{n}/"
        yield ArticleRecord(
            url=url, canonical_url=url, station=f"station{n % 40}", station_name=None,
            section=None, show=None, title=f"Story {n}", standfirst=None, author=None,
            published=f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00+00:00", updated=None,
            body=body, headings=[], image=None, tags=[], embeds=[], language="en",
            word_count=sum(len(p.split()) for p in body), content_hash=str(n),
            fetched_at="2026-11-30T00:00:00+00:00", clutter={},
        )  # fmt: skip


def cost(total: int, checkpoints: list[int]) -> list[dict]:
    """Per-article time of the BATCH saves ending at each checkpoint; for 200 of them, the
    time of shingles + MinHash alone, and of the story lookup alone (band index, candidates'
    bodies, exact similarity: pipelines.store.stories.matching_stories) with its candidates."""
    options = StoryOptions()
    rows = []
    with tempfile.TemporaryDirectory() as folder, open_store(Path(folder) / "cost.db") as store:
        batch: list[ArticleRecord] = []
        started = time.process_time()
        for n, record in enumerate(generated(total), 1):
            store.save_record(record)
            batch.append(record)
            if n % BATCH:
                continue
            elapsed = time.process_time() - started
            if n in checkpoints:
                sketch = lookup = 0.0
                candidates = 0
                for each in batch[:SAMPLE]:
                    t = time.process_time()
                    hashes = shingle_hashes(shingles(each.body, options.shingle))
                    keys = band_keys(hashes, options)
                    sketch += time.process_time() - t
                    t = time.process_time()
                    matching_stories(store.conn, "?", 0, hashes, keys, options)
                    lookup += time.process_time() - t
                    candidates += store.conn.execute(
                        "SELECT COUNT(DISTINCT article) - 1 FROM band_articles"
                        f" WHERE band IN ({', '.join('?' * len(keys))})",
                        keys,
                    ).fetchone()[0]
                rows.append({"stored": n, "ms_per_article": 1000 * elapsed / BATCH,
                             "sketch_ms": 1000 * sketch / SAMPLE,
                             "lookup_ms": 1000 * lookup / SAMPLE,
                             "candidates": candidates / SAMPLE})  # fmt: skip
                print(f"  {n} stored: {rows[-1]['ms_per_article']:.2f} ms/article", file=sys.stderr)
            batch, started = [], time.process_time()
    return rows


def margins(pages: list[dict], records: list[ArticleRecord]) -> dict[str, float]:
    """The exact similarity (RADIOSCRAPE_STORY_SHINGLE shingles) of the least alike copies
    sharing >= 80%, of the least alike copies at all, of the most alike different stories and
    of the most alike hard-negative pair: how far each side is from the threshold."""
    words = json.loads((CORPUS / "labels.json").read_text(encoding="utf-8"))["paragraph_words"]
    grams = [shingle_hashes(shingles(r.body, StoryOptions.shingle)) for r in records]
    found: dict[str, float] = {"copies_80": 1.0, "copies": 1.0, "different": 0.0, "hard": 0.0}
    for a, b in combinations(range(len(pages)), 2):
        value = similarity(grams[a], grams[b])
        if pages[a]["story"] == pages[b]["story"]:
            found["copies"] = min(found["copies"], value)
            if share(pages[a], pages[b], words) >= GOAL_SHARE:
                found["copies_80"] = min(found["copies_80"], value)
        else:
            found["different"] = max(found["different"], value)
            if pages[a]["hard_negative_of"] == pages[b]["story"]:
                found["hard"] = max(found["hard"], value)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--articles", type=int, default=10000, help="cost run size (default: 10000)"
    )
    parser.add_argument("--full", action="store_true", help="also measure at 100k (minutes)")
    parser.add_argument("--no-cost", action="store_true", help="quality only")
    args = parser.parse_args()
    pages, records = load_corpus()
    hard = sum(1 for p in pages if p["hard_negative_of"])
    print(f"Corpus: {len(pages)} pages, {len({p['story'] for p in pages})} stories, "
          f"{hard} pages in hard-negative pairs")  # fmt: skip
    print("| threshold | pair P | pair R | R (>=80% shared) | hard negatives merged | "
          "B3 P | B3 R | B3 F1 | ARI | stories found / true |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    for threshold in THRESHOLDS:
        q = quality(pages, records, StoryOptions(threshold=threshold))
        print(
            f"| {threshold}{' (default)' if threshold == StoryOptions.threshold else ''} "
            f"| {q['pair_precision']:.3f} | {q['pair_recall']:.3f} | {q['recall_80']:.3f} "
            f"({q['goal_pairs']} pairs) | {q['hard_negatives_merged']} "
            f"| {q['bcubed_precision']:.3f} | {q['bcubed_recall']:.3f} | {q['bcubed_f1']:.3f} "
            f"| {q['ari']:.3f} | {q['found']} / {q['stories']} |"
        )
    m = margins(pages, records)
    print(f"\nExact similarity: least alike copies sharing >= 80% {m['copies_80']:.2f}, least "
          f"alike copies {m['copies']:.2f}; most alike different stories {m['different']:.2f}, "
          f"most alike hard-negative pair {m['hard']:.2f}")  # fmt: skip
    if args.no_cost:
        return
    total = 100_000 if args.full else args.articles
    checkpoints = sorted({1000, 10_000, total} & set(range(BATCH, total + 1, BATCH)))
    print("\n| stored articles | CPU ms per article (save_record, all of it) | of it: shingles + "
          "MinHash | of it: story lookup | candidates per article |")  # fmt: skip
    print("|---|---|---|---|---|")
    for row in cost(total, checkpoints):
        print(f"| {row['stored']:,} | {row['ms_per_article']:.2f} | {row['sketch_ms']:.2f} "
              f"| {row['lookup_ms']:.2f} | {row['candidates']:.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()

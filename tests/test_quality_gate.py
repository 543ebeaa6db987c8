"""The quality ratchet: on every corpus the cleaner may rise but never silently fall, and never
below bare trafilatura measured in the same run.

`bench/quality.py --quick` scores a fixed subset of each real-page corpus (AEB, Fundus-eval,
WCXB-dev) plus the fixtures. The floors live in tests/quality_floor.json; raise them when the
cleaner improves, and only lower one in a commit that says why.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.quality import fixture_quality, radioscrape_paragraphs, run_corpora

pytestmark = pytest.mark.slow  # the quick quality bench: three corpora in a worker pool

FLOOR = json.loads((Path(__file__).parent / "quality_floor.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def quick() -> dict[str, dict]:
    return run_corpora(["aeb", "fundus", "wcxb"], quick=True, jobs=2)


def test_quick_subset_is_the_fixed_one(quick):
    assert {name: s["pages"] for name, s in quick.items()} == FLOOR["quick_pages"]


@pytest.mark.parametrize(
    ("corpus", "key"),
    [
        ("aeb", "shingle_f1"),
        ("aeb", "precision"),
        ("fundus", "rouge"),
        ("fundus", "f1"),
        ("wcxb", "f1"),
        ("wcxb", "precision"),
    ],
)
def test_holds_the_floor_and_beats_bare_trafilatura(quick, corpus, key):
    s = quick[corpus]
    ours, theirs = s[f"ours_{key}"], s[f"theirs_{key}"]
    assert ours >= FLOOR[f"{corpus}_{key}"], (corpus, key, ours)
    assert ours >= theirs, (corpus, key, ours, theirs)


@pytest.mark.parametrize("corpus", ["aeb", "fundus", "wcxb"])
def test_no_article_refused_and_no_catastrophic_loss(quick, corpus):
    s = quick[corpus]
    assert s["articles_refused"] <= FLOOR["articles_refused"][corpus], s["worst"]
    assert s["catastrophic"] <= FLOOR["catastrophic"][corpus], s["worst"]


def test_listing_pages_refused_at_least_as_often_as_the_floor(quick):
    refused = sum(quick["wcxb"]["refused_by_type"][k][0] for k in ("collection", "listing"))
    assert refused >= FLOOR["wcxb_listings_refused"]


def test_fixtures_stay_perfect():
    ours = fixture_quality(radioscrape_paragraphs)
    assert ours["precision"] == ours["recall"] == 1.0, ours
    assert ours["clutter_leaks"] == ours["extra_lines"] == 0, ours

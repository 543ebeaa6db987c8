"""The quality ratchet: the cleaner's AEB score may rise but never silently fall.

The floor lives in tests/quality_floor.json; raise it when the cleaner improves, and only lower
it in a commit that says why.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.common import aeb_scores
from bench.corpora import aeb_pages
from bench.quality import radioscrape_paragraphs, trafilatura_paragraphs

FLOOR = json.loads((Path(__file__).parent / "quality_floor.json").read_text(encoding="utf-8"))


def test_aeb_f1_holds_the_floor_and_beats_bare_trafilatura():
    pages = aeb_pages()
    assert len(pages) == 181
    ours = aeb_scores([(truth, "\n".join(radioscrape_paragraphs(p))) for _, p, truth in pages])
    theirs = aeb_scores([(truth, "\n".join(trafilatura_paragraphs(p))) for _, p, truth in pages])
    assert ours["f1"] >= FLOOR["aeb_f1"], ours
    assert ours["f1"] / theirs["f1"] >= FLOOR["aeb_f1_vs_trafilatura"], (ours, theirs)

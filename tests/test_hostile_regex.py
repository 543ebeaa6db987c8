"""Every clutter text rule runs in time linear in the line, on lines built to make a
backtracking regex engine blow up (pipelines/core/hostile_lines.py).

The lines are generated from each rule's own pattern: strings the pattern matches (one branch
and a few repeats at a time), cut at every character, then followed by a long run of a filler
(letters, spaces, digits, the punctuation the patterns use) and a character that makes the
match fail at the very end. A pattern with nested or adjacent quantifiers over the same
characters (`(?:\\w+ ?){1,3}`, `\\s*[:!]?(?:\\s*x)*`) then backtracks polynomially; a linear
one fails in one pass. Issue 12 item 4: `trending on aaaa...!` took seconds a line. Station
profiles' own text rules (shipped, the user's folders, the test profile) pass the same check.
"""

from __future__ import annotations

import random

import pytest

from pipelines.clean.clutter import MAX_CLUTTER_CHARS, TEXT_RULES, _shared_rules, match_text
from pipelines.core.hostile_lines import hostile_lines, seconds
from tests.test_clutter_rules import PROFILE_RULES

pytestmark = pytest.mark.slow  # timed runs of every rule on long hostile lines

LENGTHS = (200, 2000)  # a short pass first, so a cubic pattern fails fast instead of hanging
BUDGET = {200: 0.02, 2000: 0.05}  # seconds per line; a linear pattern takes well under 1 ms
MATCH_TEXT_BUDGET = 0.02  # match_text on a line at its length cap (every rule at once)
PROFILE_TEXT_RULES = [rule for _, rule in PROFILE_RULES if rule.text]


def uncached_match_text(line: str):
    """match_text as on a line it has not seen: its memory of earlier lines emptied first."""
    _shared_rules.cache_clear()
    return match_text(line)


@pytest.mark.parametrize("rule", [*TEXT_RULES, *PROFILE_TEXT_RULES], ids=lambda r: r.name)
def test_text_rule_is_linear_on_hostile_lines(rule):
    for length in LENGTHS:
        for line in hostile_lines(rule, length):
            took = seconds(rule.pattern.fullmatch, line)
            assert took < BUDGET[length], f"{rule.name}: {took:.3f}s on {line[:60]!r}..."


def test_match_text_is_fast_on_hostile_lines_at_its_cap():
    """match_text runs every rule at once (and then the one that matched) on lines up to
    MAX_CLUTTER_CHARS long: a fixed sample of every rule's hostile lines."""
    rng = random.Random(12)
    for rule in TEXT_RULES:
        lines = list(hostile_lines(rule, MAX_CLUTTER_CHARS - 60))
        for line in rng.sample(lines, min(len(lines), 500)):
            line = line[:MAX_CLUTTER_CHARS]
            took = seconds(uncached_match_text, line)
            assert took < MATCH_TEXT_BUDGET, f"via {rule.name}: {took:.3f}s on {line[:60]!r}..."


@pytest.mark.parametrize(
    "line",
    [
        "trending on " + "a" * 5000 + "!",
        "Trending on " + "Heart " * 800 + "!",
        "Follow us on social media" + " " * 5000 + "!",
        "Follow us on Facebook" + " · Twitter" * 500 + " ·!",
        " ".join(["word"] * 2000) + "!",
        "a" * 5000 + "...!",
    ],
    ids=["trending-a", "trending-words", "follow-spaces", "follow-links", "words", "teaser"],
)
def test_the_reported_lines_take_milliseconds(line):
    """The lines issue 12 reported, and their kin, through every rule at full length."""
    for rule in TEXT_RULES:
        took = seconds(rule.pattern.fullmatch, line)
        assert took < BUDGET[2000] * 2, f"{rule.name}: {took:.3f}s"
    assert seconds(uncached_match_text, line[:MAX_CLUTTER_CHARS]) < MATCH_TEXT_BUDGET

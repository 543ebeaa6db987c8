"""Whether a clutter text rule runs in time linear in the line: lines built to make a
backtracking regex engine blow up, and timings of the rule's pattern on them.

The lines are generated from the rule's own pattern: strings the pattern matches (one branch
and a few repeats at a time) and its must_go example, cut at every character, then followed by
a long run of a filler (letters, spaces, digits, the punctuation the patterns use) and a
character that makes the match fail at the very end. A pattern with nested or adjacent
quantifiers over the same characters (`(?:\\w+ ?){1,3}`, `\\s*[:!]?(?:\\s*x)*`) then
backtracks polynomially or worse; a linear one fails in one pass.
tests/test_hostile_regex.py holds every shared and profile rule to it on long lines; a station
profile's text rule meets `first_slow_line` when the profile loads.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterator
from functools import cache
from re import _constants as sre
from re import _parser as sre_parse

from pipelines.core.clutter_rule import MAX_CLUTTER_CHARS, Rule

FILLERS = ("a", "a ", " ", "A", "Aa ", "1", "1 ", ".", "a.", "/", "A/", "A / ", "@", "'", "-",
           "|", "·", "&", ": ", "…", "a,", "x@", "on ", "A and ")  # fmt: skip
ENDINGS = ("!", "\x01")  # the line must fail at its last character, after all the work
CATEGORY_CHAR = {
    sre.CATEGORY_DIGIT: "1",
    sre.CATEGORY_SPACE: " ",
    sre.CATEGORY_NOT_WORD: " ",
}


def _char(items) -> str:
    """A character an IN set ([...], \\w, \\s) accepts."""
    op, value = items[0]
    if op is sre.NEGATE:
        excluded = {chr(v) for o, v in items[1:] if o is sre.LITERAL}
        return "a" if "a" not in excluded else "z"
    if op is sre.LITERAL:
        return chr(value)
    if op is sre.RANGE:
        return chr(value[0])
    return CATEGORY_CHAR.get(value, "a") if op is sre.CATEGORY else "a"


def _sample(items, rng: random.Random) -> str:
    """One string the parsed pattern `items` matches: a random branch of each alternation,
    each repeat taken its minimum to minimum + 2 times."""
    out = []
    for op, value in items:
        if op is sre.LITERAL:
            out.append(chr(value))
        elif op in (sre.ANY, sre.NOT_LITERAL):
            out.append("a" if value != ord("a") else "b")
        elif op is sre.IN:
            out.append(_char(value))
        elif op is sre.SUBPATTERN:
            out.append(_sample(value[-1], rng))
        elif op is sre.ATOMIC_GROUP:
            out.append(_sample(value, rng))
        elif op is sre.BRANCH:
            out.append(_sample(rng.choice(value[1]), rng))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, high, sub = value
            times = min(low + rng.randrange(3), high)
            out.append("".join(_sample(sub, rng) for _ in range(times)))
    return "".join(out)


@cache
def prefixes(rule: Rule, samples: int = 40) -> tuple[str, ...]:
    """Every prefix of `samples` strings the rule matches and of its must_go example."""
    rng = random.Random(rule.name)
    parsed = sre_parse.parse(rule.text, re.IGNORECASE)
    found = {_sample(parsed, rng) for _ in range(3 * samples)}
    found = set(sorted(found)[:samples]) | {rule.must_go}
    return tuple(sorted({text[:cut] for text in found for cut in range(len(text) + 1)}))


def _run(filler: str, length: int) -> str:
    return (filler * (length // len(filler) + 1))[:length]


def hostile_lines(rule: Rule, length: int, samples: int = 40) -> Iterator[str]:
    """(prefix, filler, ending) lines of about `length` characters."""
    for prefix in prefixes(rule, samples):
        for filler in FILLERS:
            for ending in ENDINGS:
                yield prefix + _run(filler, length) + ending


def seconds(call: Callable[[str], object], line: str, plainly_slow: float = 1.0) -> float:
    """The best of three timings of call(line) (one slow run can be the machine, not the
    pattern); one timing when it is well inside any budget, or `plainly_slow` past all."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        call(line)
        best = min(best, time.perf_counter() - start)
        if best < 0.005 or best > plainly_slow:
            break
    return best


# Lengths growing by 5 characters up to 50, so a pattern that blows up exponentially (its time
# doubling with each character) is caught at most 32 times past the budget, whatever the
# machine's speed, before a longer line could hang the load; then doubling, for polynomial
# blow-ups. Lines longer than MAX_CLUTTER_CHARS never meet a clutter pattern.
LOAD_LENGTHS = (*range(10, 51, 5), 100, 200, MAX_CLUTTER_CHARS)
LOAD_BUDGET = 0.05  # seconds a line may take; a linear pattern takes well under 1 ms


def first_slow_line(rule: Rule, samples: int = 0) -> tuple[str, float] | None:
    """The first hostile line (from the prefixes of `samples` strings the pattern matches and of
    its must_go) on which the rule's pattern takes longer than LOAD_BUDGET, with its time; each
    prefix and filler at LOAD_LENGTHS in turn. None when every line is fast."""
    for prefix in prefixes(rule, samples):
        for filler in FILLERS:
            for ending in ENDINGS:
                for length in LOAD_LENGTHS:
                    line = prefix + _run(filler, length) + ending
                    took = seconds(rule.pattern.fullmatch, line, 10 * LOAD_BUDGET)
                    if took > LOAD_BUDGET:
                        return line, took
    return None

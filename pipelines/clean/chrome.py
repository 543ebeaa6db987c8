"""Learn a station's chrome: body lines its own pages repeat (a show's tune-in promo, an app
pitch, a "join the conversation" line) that no clutter rule knows.

Pure and conservative: a line is chrome only when the same text (compared by pipelines.clean.text
.fold: case, spacing and punctuation aside; any other difference makes it another line) sits in
the body of at least `min_pages` distinct stories of one station and in at least `min_share` of
them. A sentence two or three stories share (a stock phrase, a quote reused in a follow-up) is
never chrome; pages of another station are never counted. The result depends only on the set of
pages given, not on their order. Nothing here removes anything: it says what would be learned.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from pipelines.clean.text import fold

MIN_PAGES = 5  # nothing is learned from fewer distinct stories than this
MIN_SHARE = 0.3  # ... nor from a line fewer than this share of the station's stories carry
MIN_CHARS = 12  # folded characters: shorter lines ("Share", "Advertisement") are rules' work


@dataclass(frozen=True)
class StoredBody:
    """One stored story of a station, as the chrome learner sees it."""

    url: str
    fetched_at: str
    body: list[str]


@dataclass(frozen=True)
class ChromeLine:
    """A line a station repeats: its text, on how many of the station's stories, where in the
    body (head, tail or middle: where it sits most), first and last fetch time, an example."""

    text: str
    pages: int
    share: float
    position: str
    first_seen: str
    last_seen: str
    example_url: str


def _position(index: int, length: int) -> str:
    """Where a paragraph sits in a body: its first two, its last two, or between."""
    if index >= length - 2:
        return "tail"
    return "head" if index < 2 else "middle"


def learn_chrome(
    bodies: Iterable[StoredBody], min_pages: int = MIN_PAGES, min_share: float = MIN_SHARE
) -> list[ChromeLine]:
    """The lines of one station's stored bodies that are its chrome, most pages first.
    Stories with the same body (one story under two URLs) count once."""
    stories: dict[tuple[str, ...], StoredBody] = {}
    for stored in bodies:
        key = tuple(stored.body)
        if key not in stories or stored.url < stories[key].url:
            stories[key] = stored
    seen: dict[str, list[StoredBody]] = defaultdict(list)
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    places: dict[str, Counter[str]] = defaultdict(Counter)
    for stored in stories.values():
        for index, line in enumerate(stored.body):
            key = fold(line)
            if len(key) < MIN_CHARS or (seen[key] and seen[key][-1] is stored):
                continue
            seen[key].append(stored)
            forms[key][line] += 1
            places[key][_position(index, len(stored.body))] += 1
    total = len(stories)
    learned = []
    for key, carriers in seen.items():
        if len(carriers) < min_pages or len(carriers) < min_share * total:
            continue
        text = min(forms[key].items(), key=lambda form: (-form[1], form[0]))[0]
        position = min(places[key].items(), key=lambda place: (-place[1], place[0]))[0]
        times = sorted(stored.fetched_at for stored in carriers)
        learned.append(
            ChromeLine(
                text=text,
                pages=len(carriers),
                share=round(len(carriers) / total, 3),
                position=position,
                first_seen=times[0],
                last_seen=times[-1],
                example_url=min(stored.url for stored in carriers),
            )
        )
    return sorted(learned, key=lambda line: (-line.pages, line.text))

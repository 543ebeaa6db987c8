"""Learn a station's chrome: body lines its own pages repeat (a show's tune-in promo, an app
pitch, a "join the conversation" line) that no clutter rule knows.

Pure and conservative: a line is chrome only when the same text (compared by pipelines.clean.text
.fold: case, spacing and punctuation aside; any other difference makes it another line) sits in
the body of at least `min_pages` distinct stories of one station, and those are at least
`min_share` of the station's stories, or of the stories of one of its shows (a show's tune-in
promo under each of its stories; the record's `show`). A sentence two or three stories share (a
stock phrase, a quote reused in a follow-up) is never chrome; pages of another station are never
counted. The result depends only on the set of pages given, not on their order.

strip_chrome is the cleaner's use of it (build_record's last paragraph step): a body paragraph
whose folded text is one of the station's learned lines goes, counted as LEARNED_CHROME in the
record's clutter audit. Only whole paragraphs equal to a learned line go, never text inside one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from pipelines.clean.text import fold, word_count

MIN_PAGES = 5  # nothing is learned from fewer distinct stories than this
MIN_SHARE = 0.3  # ... nor from a line fewer than this share of the station's (or show's) carry
MIN_CHARS = 12  # folded characters: shorter lines ("Share", "Advertisement") are rules' work
LEARNED_CHROME = "learned-chrome"  # clutter-audit key of the paragraphs strip_chrome removes

# What the cleaner is given: each station's learned lines (folded), as the store held them when
# the run started.
ChromeSnapshot = Mapping[str, frozenset[str]]


@dataclass(frozen=True)
class StoredBody:
    """One stored story of a station, as the chrome learner sees it."""

    url: str
    fetched_at: str
    body: list[str]
    show: str | None = None

    @cached_property
    def folded(self) -> tuple[str, ...]:
        """The body's lines folded, as they are compared: folded once, for learning and for
        telling which stored bodies hold a learned line."""
        return tuple(map(fold, self.body))


@dataclass(frozen=True)
class ChromeLine:
    """A line a station repeats: its text, on how many stories (`pages` of the `stories` of the
    station, or of its `show` when the line is that show's), where in the body (head, tail or
    middle: where it sits most), first and last fetch time, an example."""

    text: str
    pages: int
    stories: int
    share: float
    position: str
    first_seen: str
    last_seen: str
    example_url: str
    show: str | None = None


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
    # Most lines sit in one story: count the stories of each line first, and place only those
    # on enough of them.
    counts: Counter[str] = Counter()
    for stored in stories.values():
        counts.update(set(stored.folded))
    frequent = {key for key, n in counts.items() if n >= min_pages and len(key) >= MIN_CHARS}
    # each line's first place in each story that has it: (story, index, line as printed)
    seen: dict[str, list[tuple[StoredBody, int, str]]] = defaultdict(list)
    for stored in stories.values():
        if frequent.isdisjoint(stored.folded):
            continue
        for index, (key, line) in enumerate(zip(stored.folded, stored.body, strict=True)):
            if key in frequent:
                places = seen[key]
                if not places or places[-1][0] is not stored:
                    places.append((stored, index, line))
    total = len(stories)
    shows = Counter(stored.show for stored in stories.values() if stored.show)
    learned = []
    for places in seen.values():
        carriers = [stored for stored, _, _ in places]
        context = _context(carriers, total, shows, min_pages, min_share)
        if context is None:
            continue
        show, pages, stories_in = context
        forms = Counter(line for _, _, line in places)
        text = min(forms.items(), key=lambda form: (-form[1], form[0]))[0]
        where = Counter(_position(index, len(stored.body)) for stored, index, _ in places)
        position = min(where.items(), key=lambda place: (-place[1], place[0]))[0]
        times = sorted(stored.fetched_at for stored in carriers)
        learned.append(
            ChromeLine(
                text=text,
                pages=pages,
                stories=stories_in,
                share=round(pages / stories_in, 3),
                position=position,
                first_seen=times[0],
                last_seen=times[-1],
                example_url=min(stored.url for stored in carriers),
                show=show,
            )
        )
    return sorted(learned, key=lambda line: (-line.pages, line.text))


def _context(
    carriers: list[StoredBody],
    total: int,
    shows: Counter[str],
    min_pages: int,
    min_share: float,
) -> tuple[str | None, int, int] | None:
    """(None, carriers, total) when the carriers are enough of the station's stories, (show,
    its carriers, its stories) when enough of one show's stories carry the line, else None."""
    if len(carriers) < min_pages:
        return None
    if len(carriers) >= min_share * total:
        return None, len(carriers), total
    carried = Counter(stored.show for stored in carriers if stored.show)
    for show, count in sorted(carried.items(), key=lambda item: (-item[1], item[0])):
        if count >= min_pages and count >= min_share * shows[show]:
            return show, count, shows[show]
    return None


def strip_chrome(body: list[str], learned: Collection[str], clutter: Counter[str]) -> list[str]:
    """The body without the paragraphs whose folded text is a learned line (`learned`: folded
    lines), each counted as LEARNED_CHROME in `clutter`."""
    if not learned:
        return body
    kept = [line for line in body if fold(line) not in learned]
    if removed := len(body) - len(kept):
        clutter[LEARNED_CHROME] += removed
    return kept


def strip_stored(record: dict[str, Any], learned: Collection[str]) -> dict[str, Any] | None:
    """The fields of a stored record (`body`, `headings`, `clutter`, `word_count`) without the
    learned lines, as build_record makes them with those lines, or None when it holds none."""
    body = record["body"]
    clutter = Counter(record.get("clutter") or {})
    kept = strip_chrome(body, learned, clutter)
    if len(kept) == len(body):
        return None
    place = {old: new for new, old in enumerate(i for i, line in enumerate(body)
                                               if fold(line) not in learned)}  # fmt: skip
    headings = record.get("headings")
    return {
        "body": kept,
        "headings": None if headings is None else [place[i] for i in headings if i in place],
        "clutter": dict(sorted(clutter.items())),
        "word_count": word_count(kept),
    }

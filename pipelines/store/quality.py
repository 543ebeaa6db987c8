"""Redesign alarm: a station's quality this run against its own history (pure functions)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import median

from pipelines.core.items import ArticleRecord
from pipelines.core.refusals import REFUSAL_KINDS
from pipelines.store.base import StationRun

WATCHED_FIELDS = ("author", "published", "image", "section", "standfirst", "tags")
MIN_RECORDS = 3  # fewer records than this in a run say nothing about quality
EMPTY_SHARE = 0.5  # "most bodies empty"
SHORT_RATIO = 0.5  # median length below half the usual: "far shorter than usual"
PRESENT_BEFORE, PRESENT_NOW = 0.8, 0.2  # a field usually there, now mostly gone
REFUSED_SHARE = 0.5  # "most fetched article pages refused as empty or not articles"


@dataclass(frozen=True, slots=True)
class RecordFigures:
    """What `measure` reads of one record: whether it has a body, its word count and which
    watched fields it fills (a crawl keeps these, not whole records, until its end)."""

    body: bool
    word_count: int
    author: bool
    published: bool
    image: bool
    section: bool
    standfirst: bool
    tags: bool

    @classmethod
    def of(cls, record: ArticleRecord) -> RecordFigures:
        """The figures of one record."""
        present = {name: bool(getattr(record, name)) for name in WATCHED_FIELDS}
        return cls(body=bool(record.body), word_count=record.word_count, **present)


def measure(
    station: str, records: Sequence[ArticleRecord | RecordFigures], empty_pages: int
) -> StationRun:
    """Quality measures of one run's records or their figures (`empty_pages`: pages refused
    for no text)."""
    words = [r.word_count for r in records if r.body]
    presence = {
        name: sum(1 for r in records if getattr(r, name)) / len(records) for name in WATCHED_FIELDS
    } if records else {}  # fmt: skip
    return StationRun(
        station=station,
        records=len(records) + empty_pages,
        empty_bodies=sum(1 for r in records if not r.body) + empty_pages,
        median_words=float(median(words)) if words else 0.0,
        field_presence=presence,
    )


def quality_warnings(now: StationRun, history: list[StationRun]) -> list[str]:
    """Warnings when this run's records look much worse than the station's usual ones."""
    past = [run for run in history if run.records >= MIN_RECORDS]
    if now.records < MIN_RECORDS or not past:
        return []
    warnings = []
    usual_empty = sum(r.empty_bodies for r in past) / sum(r.records for r in past)
    if now.empty_bodies / now.records > EMPTY_SHARE > usual_empty:
        warnings.append(
            f"most bodies empty ({now.empty_bodies} of {now.records}, usually"
            f" {usual_empty:.0%}): has the site been redesigned?"
        )
    usual_words = median(r.median_words for r in past)
    if now.median_words and now.median_words < usual_words * SHORT_RATIO:
        warnings.append(
            f"bodies far shorter than usual (median {now.median_words:.0f} words,"
            f" usually {usual_words:.0f})"
        )
    for name in WATCHED_FIELDS:
        before = [r.field_presence[name] for r in past if name in r.field_presence]
        if not before or name not in now.field_presence:
            continue
        usual = sum(before) / len(before)
        if usual >= PRESENT_BEFORE and now.field_presence[name] <= PRESENT_NOW:
            warnings.append(
                f"field {name} suddenly missing (in {now.field_presence[name]:.0%} of articles,"
                f" usually {usual:.0%})"
            )
    return warnings


def refusal_warning(outcomes: Mapping[str, int]) -> str | None:
    """A warning when most of the article pages a station fetched and cleaned this run were
    refused as empty or as not articles, however few they were (quality_warnings needs
    MIN_RECORDS records and a history, which incremental runs rarely give). `outcomes`: the
    run's cleaned pages by refusal kind, anything else (a record kept...) under other keys."""
    refused = {kind: n for kind, n in sorted(outcomes.items()) if kind in REFUSAL_KINDS and n}
    count, total = sum(refused.values()), sum(outcomes.values())
    if not count or count <= total * REFUSED_SHARE:
        return None
    kinds = ", ".join(f"{kind} {n}" for kind, n in refused.items())
    return (
        f"most article pages refused ({count} of {total}: {kinds}): has the site been redesigned?"
    )

"""Dates: the one date parser, and the time formats records and stores write."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from email.utils import parsedate_to_datetime

# Dates as pages write them (a byline's "30 November 2026, 10:15"), tried after ISO 8601.
WRITTEN_FORMATS = (
    "%d %B %Y, %H:%M",
    "%d %B %Y %H:%M",
    "%d %B %Y",
    "%B %d, %Y %I:%M %p",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %b %Y",
    "%Y/%m/%d %H:%M",
    "%d/%m/%Y %H:%M",
)


def parse_date(
    text: str | None, tz: tzinfo | None = UTC, *, written: bool = False
) -> datetime | None:
    """A datetime from an ISO 8601 date, else (sitemaps, feeds, HTTP) an RFC 822 one or, with
    `written` (a page's text), a date as pages write it; None when it is none of these. A
    naive time is read in `tz` (left naive when `tz` is None)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text if "T" in text else text.replace(" ", "T", 1))
    except ValueError:
        value = _written(text) if written else _rfc822(text)
    if value is not None and value.tzinfo is None and tz is not None:
        value = value.replace(tzinfo=tz)
    return value


def _rfc822(text: str) -> datetime | None:
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def _written(text: str) -> datetime | None:
    for fmt in WRITTEN_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def utc_now() -> str:
    """The current time as records and stores write it: ISO 8601, UTC, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def utc_iso(value: str | datetime | None) -> str | None:
    """An ISO 8601 date as a sortable UTC string (naive means UTC), or None."""
    if value is None or value == "":
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")

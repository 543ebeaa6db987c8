"""Small text helpers shared by the cleaner."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"[\s\u00a0\u200b\u200c\u200d\u2060\ufeff]+")
_WORD = re.compile(r"\w+(?:['’]\w+)*")


def squash(text: str | None) -> str:
    """Collapse every run of whitespace (NBSP and zero-width spaces too) to one space; strip."""
    if not text:
        return ""
    if text.isascii():  # the same result, faster: ASCII is NFC and \s is str.isspace()
        return " ".join(text.split())
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def word_count(paragraphs: list[str]) -> int:
    """Count words (runs of letters/digits, apostrophes inside) over all paragraphs."""
    return sum(len(_WORD.findall(p)) for p in paragraphs)


def fold(text: str) -> str:
    """A comparison key: lower case, letters and digits only."""
    return "".join(filter(str.isalnum, text.casefold()))

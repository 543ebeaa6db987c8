"""Small text helpers shared by the cleaner."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from lxml import etree

# Zero-width spaces count as whitespace; str.split() knows the rest (the same set as regex \s).
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_WORD = re.compile(r"\w+(?:['’]\w+)*")


def squash(text: str | None) -> str:
    """Collapse every run of whitespace (NBSP and zero-width spaces too) to one space; strip."""
    if not text:
        return ""
    if not text.isascii():  # ASCII is NFC and has no zero-width spaces
        text = _INVISIBLE.sub(" ", unicodedata.normalize("NFC", text))
    return " ".join(text.split())


def word_count(paragraphs: list[str]) -> int:
    """Count words (runs of letters/digits, apostrophes inside) over all paragraphs."""
    return sum(len(_WORD.findall(p)) for p in paragraphs)


@lru_cache(maxsize=16384)  # a paragraph is compared in several passes
def fold(text: str) -> str:
    """A comparison key: lower case, letters and digits only."""
    return "".join(filter(str.isalnum, text.casefold()))


def text_content(el) -> str:
    """All the text inside an lxml element (its text_content()): its own text when it has no
    children, else the element serialised as text (two to four times faster than
    text_content(), which evaluates an XPath each time)."""
    if not len(el):
        return el.text or ""
    return etree.tostring(el, method="text", encoding="unicode", with_tail=False)


def text_with_breaks(el, br: str, skip=()) -> str:
    """An element's text with each <br> as `br`, leaving out the subtrees in `skip` (not their
    tails)."""
    parts: list[str] = []
    _gather_text(el, br, skip, parts)
    return "".join(parts)


def _gather_text(node, br: str, skip, parts: list[str]) -> None:
    # A module function, not a closure that calls itself: such a closure is a reference cycle
    # that holds the page's whole tree until the garbage collector runs.
    if node.tag == "br":
        parts.append(br)
    elif isinstance(node.tag, str):
        parts.append(node.text or "")
    for child in node:
        if child not in skip:
            _gather_text(child, br, skip, parts)
        parts.append(child.tail or "")

"""What a clutter rule is: a name, a family, a CSS selector or a whole-text pattern, and an
example that must go and one that must stay. The shared rules are in pipelines/clean/clutter.py;
a station profile builds its own from its file (crawler/stations).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from lxml.cssselect import CSSSelector

MAX_CLUTTER_CHARS = 400  # text longer than this is never a clutter line on its own


@dataclass(frozen=True)
class Rule:
    """One named clutter rule with its family and its two examples."""

    name: str
    family: str
    must_go: str
    must_stay: str
    css: str | None = None
    text: str | None = None
    tail: bool = False
    before_embed: bool = False
    max_chars: int | None = None

    @cached_property
    def selector(self) -> CSSSelector | None:
        """The compiled CSS selector of a node rule."""
        return CSSSelector(self.css) if self.css else None

    @cached_property
    def pattern(self) -> re.Pattern[str] | None:
        """The compiled full-text pattern of a text rule."""
        return re.compile(self.text, re.IGNORECASE) if self.text else None

"""SelectorIndex: cases beyond the node rules (test_extract_pool compares it with CSSSelector
on every fixture page)."""

from __future__ import annotations

from lxml import html
from lxml.cssselect import CSSSelector

from pipelines.clean.cssindex import SelectorIndex

PAGE = """<div class="card  big"><p class="card">x</p><script>y</script><p class="big card">z</p>
<span id="a" class="card" role="note">w</span></div>"""


def test_a_selector_naming_a_tag_or_class_twice_finds_each_element_once():
    css = ["p, p, script", "script, p", ".card, p.card, .card.big", "[role=note], #a, .card"]
    root = html.fromstring(PAGE)
    got = SelectorIndex(css).hits(root)
    for found, selector in zip(got, css, strict=True):
        assert found == CSSSelector(selector)(root), selector

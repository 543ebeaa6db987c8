"""pipelines.clean.trafxpath: each walk selects what trafilatura's XPath selects, in order."""

from __future__ import annotations

from copy import deepcopy

import pytest
import trafilatura
import trafilatura.main_extractor as main_extractor
from lxml import etree
from lxml.etree import XPath
from trafilatura.htmlprocessing import convert_tags, tree_cleaning
from trafilatura.settings import Extractor

from crawler.fixtures import all_fixtures
from pipelines.clean import parse_html, trafxpath
from pipelines.core.items import Page

NAMES = ("BODY_XPATH", "OVERALL_DISCARD_XPATH")
# The shapes an XPath and a walk could read differently: @id|@class takes whichever attribute
# comes first, [1] is the first match among siblings, a union comes in document order, an
# 'i' flag, translate(), attributes that are there but empty.
EDGES = """<html><body>
<div class="x" id="cookie-bar"><p>a</p></div><div id="x" class="cookie"><p>b</p></div>
<div class="cookie" id="x"><span id="cookie">c</span><span style="display:none">d</span></div>
<section><div class="post">e</div><div class="entry">f</div><div itemprop="articleBody">g</div>
<div><article class="entry-content">h</article></div></section><article>i</article>
<div class="FullText Main-Content">j</div><div id="mainframe" class="x">k</div><main>l</main>
<div role="Navigation" data-lp-replacement-content="">m</div><p class="reply-to">n</p>
<span id="reply-1" class="hide">o</span><div class="x ad-slot" style="">p</div><div class="">q</div>
<div id="" class="article">r</div><div id="hidden-box">s</div><div class="comments-title">t</div>
<div data-component="MostPopularStories" aria-hidden="true">u</div><div class="Page-Content">v</div>
</body></html>"""


def _trees(page: Page):
    """The raw tree, trafilatura's cleaned tree and its converted tree of one page."""
    root = parse_html(page)
    options = Extractor(output_format="txt", recall=True, comments=False, tables=True)
    cleaned = tree_cleaning(deepcopy(root), options)
    return [root, cleaned, convert_tags(deepcopy(cleaned), options, None)]


def _same(tree) -> None:
    for name in NAMES:
        for walk, xpath in zip(trafxpath._WALKS[name], getattr(main_extractor, name), strict=True):
            for context in (tree, *tree.iter("body", "article", "div")):
                assert walk(context) == xpath(context), (name, xpath.path)


def test_the_walks_are_used_with_the_trafilatura_version_they_follow():
    assert trafxpath._WALKS is not None
    assert trafxpath.extract_content is not main_extractor.extract_content


def test_each_walk_selects_what_its_xpath_selects_on_the_edge_shapes():
    for tree in _trees(Page(url="https://example.com/a/", body=EDGES.encode())):
        _same(tree)


@pytest.mark.parametrize("fixture", all_fixtures(), ids=lambda f: f.name)
def test_each_walk_selects_what_its_xpath_selects_on_every_fixture_page(fixture):
    for tree in _trees(fixture.page()):
        _same(tree)


def test_an_expression_that_reads_otherwise_keeps_the_xpaths(monkeypatch):
    changed = [*main_extractor.BODY_XPATH]
    changed[0] = XPath(".//article[@class='story'][1]")
    monkeypatch.setattr(main_extractor, "BODY_XPATH", changed)
    assert trafxpath._walks() is None


def test_trafilatura_itself_keeps_its_xpaths():
    assert all(isinstance(x, XPath) for x in main_extractor.BODY_XPATH)
    assert all(isinstance(x, XPath) for x in main_extractor.OVERALL_DISCARD_XPATH)
    assert main_extractor.extract_content.__globals__ is vars(main_extractor)


@pytest.mark.parametrize("fixture", all_fixtures(), ids=lambda f: f.name)
def test_bare_extraction_with_the_walks_gives_what_trafilatura_gives(fixture):
    # as the cleaner's baseline asks for it (body.baseline_paragraphs)
    page = fixture.page()
    args = {"url": page.url, "include_comments": False, "with_metadata": False}
    ours = trafxpath.bare_extraction(parse_html(page), output_format="txt", **args)
    theirs = trafilatura.bare_extraction(parse_html(page), output_format="txt", **args)
    assert (ours is None) == (theirs is None)
    if ours is not None:
        assert etree.tostring(ours.body) == etree.tostring(theirs.body)

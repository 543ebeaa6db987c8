"""pipelines.clean.body: the trafilatura call (recall_extraction gives what bare_extraction
gives) and the container search."""

from __future__ import annotations

import pytest
import trafilatura
from lxml import etree, html
from trafilatura.settings import Extractor

from crawler.fixtures import all_fixtures
from pipelines.clean import parse_html
from pipelines.clean.body import (
    _BODY_CLASS_WORDS,
    _BODY_CLASSES,
    _LEAF_BLOCKS,
    dom_headings,
    recall_extraction,
)
from pipelines.clean.text import text_content
from pipelines.core.items import Page

STORY = "".join(
    f"<p>Paragraph {n} of the story says the band will tour the country next winter.</p>"
    for n in range(8)
)
# Pages on which each of trafilatura's raw-tree prunes has something to prune, and a forum
# thread (whose comment-like containers are its posts and stay).
PRUNED = [
    f"<div id='comments'><p>{'A reader wrote a long comment here. ' * 5}</p></div>",
    f"<ul class='comment-list'><li>{'First! ' * 20}</li></ul><ol id='commentary'><li>x</li></ol>",
    "<section class='post-comments'><p>Nice one</p></section><div id='disqus_thread'></div>",
    f"<div class='infinite-scroll'><h2>Next story</h2>{STORY}</div>",
    f"<div id='mvp-post-add-box'><h1>Another</h1>{STORY}</div>",
    "<aside class='elementor-share-buttons'><a href='/x'>Share on Facebook</a></aside>",
    "<div class='Comment'><p>Capital comment</p></div><details class='comments'>x</details>",
]
FORUM = (
    '<script type="application/ld+json">{"@type": "DiscussionForumPosting"}</script>'
    f"<div class='comment'><p>{'The first post of the thread, at length. ' * 6}</p></div>"
)


def _page(extra: str) -> str:
    return f"<html><body><article><h1>Tour news</h1>{STORY}</article>{extra}</body></html>"


def _bare(tree, url: str, fast: bool):
    return trafilatura.bare_extraction(
        tree,
        url=url,
        fast=fast,
        include_comments=False,
        include_tables=True,
        with_metadata=False,
        favor_recall=True,
        output_format="txt",
    )


def _same(tree, url: str) -> None:
    before = etree.tostring(tree)
    for fast in (False, True):
        ours = recall_extraction(tree, url, fast)
        assert etree.tostring(tree) == before  # the caller's tree is left as it was
        theirs = _bare(tree, url, fast)
        assert (ours is None) == (theirs is None)
        if ours is not None:
            assert etree.tostring(ours.body) == etree.tostring(theirs.body)


@pytest.mark.parametrize("extra", [*PRUNED, FORUM, "", "<p>short</p>"])
def test_same_body_as_bare_extraction_where_trafilatura_prunes(extra):
    _same(_parsed(_page(extra)).find("body"), "https://radio.example/news/tour")


def test_same_body_as_bare_extraction_on_every_fixture_page():
    for fixture in all_fixtures():
        page = fixture.page()
        _same(parse_html(page).find("body"), page.url)


def test_an_empty_page_gives_none_as_bare_extraction_does():
    root = _parsed("<html><body><div><img src='a.png'></div></body></html>")
    assert recall_extraction(root.find("body"), None, False) is None
    assert _bare(root.find("body"), None, False) is None


def _parsed(markup: str):
    return parse_html(Page(url="https://radio.example/news/tour", body=markup.encode()))


def test_another_trafilatura_version_is_called_as_bare_extraction(monkeypatch):
    monkeypatch.setattr("pipelines.clean.body._TRAFILATURA", "2.3.2")
    _same(_parsed(_page(PRUNED[0])).find("body"), "https://radio.example/news/tour")


def test_every_body_class_holds_one_of_the_words_looked_for_first():
    for cls in _BODY_CLASSES[0] | _BODY_CLASSES[1]:
        assert any(word in cls for word in _BODY_CLASS_WORDS), cls


def test_the_options_are_those_bare_extraction_builds(monkeypatch):
    # (date_params holds the day the options were built: read only with metadata, not asked for)
    seen = []
    monkeypatch.setattr("pipelines.clean.body._TRAFILATURA", "2.3.2")
    monkeypatch.setattr(trafilatura, "bare_extraction", lambda tree, options: seen.append(options))
    tree = _parsed(_page("")).find("body")
    for fast in (False, True):
        for url in (None, "", "https://radio.example/news/tour"):
            recall_extraction(tree, url, fast)
            built = Extractor(
                output_format="txt", fast=fast, recall=True, comments=False, tables=True, url=url
            )
            for name in Extractor.__slots__:
                if name != "date_params":
                    assert getattr(seen[-1], name) == getattr(built, name), (fast, url, name)


def test_dom_headings_reads_the_innermost_blocks_only():
    markup = (
        "<div><ul><li><p>Item para</p></li><li>Plain item</li></ul><h2>Sub</h2>"
        "<blockquote><p>Quoted</p><p>Twice<br>broken</p></blockquote><table><tr><td>Cell</td>"
        "<td><h3>Cell head</h3><div><p>Deep</p></div></td></tr></table><p>Last</p></div>"
    )
    root = html.fromstring(markup)
    innermost = [
        el
        for el in root.iter(*_LEAF_BLOCKS)
        if not any(d.tag in _LEAF_BLOCKS for d in el.iterdescendants())
    ]
    assert [el for _, _, el in dom_headings(root)] == [
        el for el in innermost for _ in range(2 if el.text == "Twice" else 1)
    ]


def test_text_content_reads_what_lxml_reads_for_every_element_of_the_fixture_pages():
    for fixture in all_fixtures():
        root = parse_html(fixture.page())
        for el in root.iter(etree.Element):
            assert text_content(el) == el.text_content()

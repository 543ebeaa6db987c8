"""Rails of headline links inside the body go (clutter key `link-list`); lists of links that
are the article's own content stay."""

from __future__ import annotations

import pytest

from pipelines.clean import NotAnArticle, build_record
from pipelines.core.items import Page

URL = "https://www.example-radio.com/news/the-story"
ARTICLE = "".join(
    f"<p>Paragraph {n} of the story tells how the band recorded the album in one week.</p>"
    for n in range(6)
)


def _body(inner: str) -> list[str]:
    page = Page(url=URL, body=f"<html><body><main>{inner}</main></body></html>".encode())
    return build_record(page).body


def _rail(links: list[str], href: str = "/news/other-{n}") -> str:
    """The links one per line in one paragraph (trafilatura keeps these; it drops most <ul>s
    of links itself)."""
    return (
        "<p>"
        + "<br>".join(f'<a href="{href.format(n=n)}">{t}</a>' for n, t in enumerate(links))
        + "</p>"
    )


HEADLINES = [
    "Singer cancels the rest of her tour",
    "Five things we learnt at the festival",
    "Drive host to leave the station",
]


def test_a_rail_of_headlines_after_the_article_goes_with_its_label():
    tagged = [f"{t} <strong>[VIDEO]</strong>" for t in HEADLINES]
    body = _body(f"{ARTICLE}<p><strong>DON'T MISS</strong></p>{_rail(tagged)}")
    assert body == _body(ARTICLE)


def test_teaser_cards_go_headline_and_blurb_together():
    cards = "".join(
        f'<div><a href="/news/{n}">{t}</a> The full story of the day, told by our reporter.</div>'
        for n, t in enumerate(HEADLINES)
    )
    body = _body(f"{ARTICLE}{cards}")
    assert not any(h in p for p in body for h in HEADLINES)


def test_links_to_other_sites_stay():
    sources = ["The label's statement", "The festival's line-up page", "The band's tour dates"]
    body = _body(f"{ARTICLE}<p>Sources:</p>{_rail(sources, 'https://elsewhere.example/{n}')}")
    assert all(s in body for s in sources)


def test_a_table_of_contents_stays():
    body = _body(f"{_rail(HEADLINES, '#part-{n}')}{ARTICLE}")
    assert all(h in body for h in HEADLINES)


def test_linked_sentences_stay():
    sentences = [
        "Donald Trump took the stage in North Carolina to rally his supporters on Saturday.",
        "The former president appeared in Greensboro after winning the caucus in Missouri.",
        "Later on Saturday he won the Michigan caucuses, taking all the available delegates.",
    ]
    body = _body(f"<p>Key points:</p>{_rail(sentences)}{ARTICLE}")
    assert all(s in body for s in sentences)


def test_two_links_are_not_a_rail():
    body = _body(f"{ARTICLE}{_rail(HEADLINES[:2])}")
    assert all(h in body for h in HEADLINES[:2])


def test_a_page_made_of_links_is_a_listing_and_any_page_keeps_them():
    many = [f"Headline number {n} about the station" for n in range(12)]
    page = Page(url=URL, body=f"<html><body><main>{_rail(many)}</main></body></html>".encode())
    with pytest.raises(NotAnArticle):
        build_record(page)
    assert all(h in build_record(page, any_page=True).body for h in many)

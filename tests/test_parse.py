"""Parsing as a browser would: broken documents keep the text a browser shows."""

from __future__ import annotations

from pipelines.clean import build_record
from pipelines.core.items import Page

STORY = "".join(
    f"<p>Paragraph {n} of the story says the band will tour the country next winter.</p>"
    for n in range(5)
)


def test_text_after_a_stray_end_of_document_is_kept():
    # A CMS closed the document after its header, then printed the article (real: wcxb 0310).
    markup = (
        "<html><head><title>Tour news</title></head><body><header><nav>Home</nav></header>"
        f"</body></html><div class='blog-content'>{STORY}</div></body></html>"
    )
    record = build_record(Page(url="https://radio.example/news/tour", body=markup.encode()))
    assert len(record.body) == 5
    assert record.body[0].startswith("Paragraph 0 of the story")


def test_control_characters_and_noncharacters_are_dropped():
    # U+FFFE/U+FFFF and C0 controls are not XML characters: lxml refuses them, so they go,
    # whichever codec the page is read with (the bytes or the text are checked, not both).
    for encoding, extra in (("utf-8", "\ufffe\uffff\x0b"), ("utf-8", "\x7f"), ("cp1252", "\x1f")):
        markup = f"<html><body><article>{STORY.replace('tour', 'to' + extra + 'ur')}</article>"
        page = Page(
            url="https://radio.example/news/tour",
            body=(markup + "</body></html>").encode(encoding),
            headers={"content-type": f"text/html; charset={encoding}"},
        )
        record = build_record(page)
        assert (
            record.body[0]
            == "Paragraph 0 of the story says the band will tour the country next winter."
        )

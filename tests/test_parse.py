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

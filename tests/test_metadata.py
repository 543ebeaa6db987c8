"""Record fields other than the body: show, section, title, standfirst, author, canonical URL,
and the page-kind signal classify reads. Each page here is a few lines of markup shaped like a
station template; the fixtures hold the whole pages."""

from __future__ import annotations

import pytest
from lxml import html

from pipelines.clean import build_record
from pipelines.clean.body import locate_container
from pipelines.clean.metadata import clean_byline, extract_metadata
from pipelines.core.items import Page

STORY = "".join(
    f"<p>Paragraph {n} of the story, long enough to be body text that a reader reads on.</p>"
    for n in range(1, 5)
)


def meta_of(markup: str, url: str = "https://radio.example/news/story/", profile=None):
    root = html.document_fromstring(markup)
    return extract_metadata(root, locate_container(root)[0], url, profile)


def record_of(markup: str, url: str = "https://radio.example/news/story/", profile=None):
    return build_record(Page(url=url, body=markup.encode(), status=200), profile)


def page(head: str = "", body: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


NOW_PLAYING = (
    '<header class="site-header"><div class="now-playing"><span>On Air Now</span>'
    ' <a class="show-name" href="/shows/drive-with-sam/">Drive with Sam</a></div></header>'
)


# ---------------------------------------------------------------- show and section


def test_a_now_playing_widget_never_gives_the_show():
    markup = page(body=f"{NOW_PLAYING}<article><h1>Local band wins award</h1>{STORY}</article>")
    assert meta_of(markup).show is None


def test_an_on_air_block_without_a_widget_class_is_still_a_widget():
    widget = (
        '<div class="hdr"><span>On Air</span> <a class="show-link" href="/s/x">X Show</a></div>'
    )
    markup = page(body=f"{widget}<main><h1>Headline here</h1>{STORY}</main>")
    assert meta_of(markup).show is None


def test_the_breadcrumb_show_wins_over_the_widget():
    crumbs = (
        '<ol class="breadcrumbs"><li><a href="/">Home</a></li><li><a href="/shows/">Shows</a>'
        '</li><li><a href="/shows/the-morning-crew/">The Morning Crew</a></li></ol>'
    )
    markup = page(body=f"{NOW_PLAYING}{crumbs}<article><h1>Jo meets a llama</h1>{STORY}</article>")
    meta = meta_of(markup, "https://radio.example/shows/the-morning-crew/jo-meets-a-llama/")
    assert meta.show == "The Morning Crew"


def test_a_show_link_in_the_story_header_gives_the_show():
    markup = page(
        body=f'{NOW_PLAYING}<article><header><a class="article__show" href="/radio/breakfast/">'
        f"Breakfast</a><h1>Headline</h1></header>{STORY}</article>"
    )
    assert meta_of(markup).show == "Breakfast"


def test_json_ld_series_gives_the_show():
    ld = (
        '<script type="application/ld+json">{"@type": "PodcastEpisode", "name": "Ep 4",'
        ' "partOfSeries": {"@type": "PodcastSeries", "name": "The Couch"}}</script>'
    )
    markup = page(ld, f"{NOW_PLAYING}<article><h1>Ep 4</h1>{STORY}</article>")
    assert meta_of(markup).show == "The Couch"


def test_a_section_is_not_read_from_a_widget_link_row():
    row = '<div class="schedule"><a href="/">Home</a><a href="/shows/late/">Late Show</a></div>'
    markup = page(body=f"{row}<article><h1>Headline</h1>{STORY}</article>")
    assert meta_of(markup).section is None


# ---------------------------------------------------------------- canonical URL


def test_a_local_page_keeps_its_scheme_and_port():
    markup = page(body=f"<article><h1>A local story</h1>{STORY}</article>")
    record = record_of(markup, "http://127.0.0.1:8123/news/a-local-story/?utm_source=x")
    assert record.canonical_url == "http://127.0.0.1:8123/news/a-local-story/"


def test_a_relative_canonical_resolves_against_the_served_origin():
    head = '<link rel="canonical" href="/news/a-local-story/">'
    record = record_of(page(head, f"<article><h1>A story</h1>{STORY}</article>"),
                       "http://127.0.0.1:8123/news/a-local-story/?utm_source=x")  # fmt: skip
    assert record.canonical_url == "http://127.0.0.1:8123/news/a-local-story/"


def test_a_profile_host_is_normalised():
    from crawler.stations import registry

    profile = registry().get("jacaranda")
    head = '<link rel="canonical" href="http://jacarandafm.com/news/x/?utm_medium=s">'
    record = record_of(page(head, f"<article><h1>A story</h1>{STORY}</article>"),
                       "http://127.0.0.1:8123/news/x/", profile)  # fmt: skip
    assert record.canonical_url == "https://www.jacarandafm.com/news/x/"


# ---------------------------------------------------------------- standfirst


DESCRIPTION = '<meta name="description" content="A summary written for search engines only.">'


def test_an_intro_paragraph_inside_the_body_is_body_text():
    body = (
        '<article><h1>Headline</h1><div class="byline">By Ann Lee</div>'
        '<div class="article-body"><p class="intro">The first sentence of the story, which'
        f" the template styles larger.</p>{STORY}</div></article>"
    )
    record = record_of(page(DESCRIPTION, body))
    assert record.body[0].startswith("The first sentence of the story")
    assert record.standfirst == "A summary written for search engines only."


def test_an_intro_paragraph_followed_by_the_story_is_body_text_without_a_body_class():
    body = (
        '<article><h1>Headline</h1><p class="intro">The first sentence of the story, styled'
        f" larger by the template.</p>{STORY}</article>"
    )
    record = record_of(page(DESCRIPTION, body))
    assert record.body[0].startswith("The first sentence of the story")
    assert record.standfirst == "A summary written for search engines only."


def test_a_standfirst_above_the_body_is_taken_and_not_repeated():
    body = (
        '<article><header><h1>Headline</h1><p class="standfirst">The summary shown under the'
        ' headline.</p></header><div class="article-body"><p>The summary shown under the'
        f" headline.</p>{STORY}</div></article>"
    )
    record = record_of(page(DESCRIPTION, body))
    assert record.standfirst == "The summary shown under the headline."
    assert record.body[0].startswith("Paragraph 1")


def test_a_meta_description_equal_to_the_first_paragraph_leaves_the_body_whole():
    head = '<meta name="description" content="Paragraph 1 of the story, long enough to be body' \
        ' text that a reader reads on.">'  # fmt: skip
    record = record_of(page(head, f"<article><h1>Headline</h1>{STORY}</article>"))
    assert record.standfirst == record.body[0]
    assert len(record.body) == 4


@pytest.mark.parametrize(
    "node",
    [
        '<h2 class="subtitle">A sub-heading inside the story body text</h2>',
        '<figure><img src="/a.jpg"><figcaption class="summary">Ann Lee on stage at the'
        " festival.</figcaption></figure>",
        '<p class="description byline">By Ann Lee and the station newsroom team</p>',
    ],
)
def test_a_sub_heading_caption_or_byline_is_never_the_standfirst(node):
    body = f'<article><h1>Headline</h1><div class="story-body">{node}{STORY}</div></article>'
    assert meta_of(page(DESCRIPTION, body)).standfirst == (
        "A summary written for search engines only."
    )


@pytest.mark.parametrize(
    "shown",
    [
        '<p class="article__chapo">A summary written for search engines only.</p>',
        '<p class="detail__teaser"><strong>A summary written for search engines only.</strong></p>',
    ],
)
def test_a_meta_description_shown_under_the_headline_is_not_repeated_in_the_body(shown):
    body = (
        f'<article><h1>Headline</h1>{shown}<div class="meta">By Ann Lee</div>'
        f'<div class="article__body">{STORY}</div></article>'
    )
    record = record_of(page(DESCRIPTION, body))
    assert record.standfirst == "A summary written for search engines only."
    assert record.body[0].startswith("Paragraph 1")


@pytest.mark.parametrize(
    ("header", "standfirst"),
    [
        ('<h1>Headline</h1><p class="standfirst">{}</p>', True),
        ('<p class="standfirst">{}</p><h1>Headline</h1>', False),  # above the headline
        ('<h1>Headline <span class="standfirst">{}</span></h1>', False),  # inside it
    ],
)
def test_a_standfirst_comes_after_the_headline(header, standfirst):
    summary = "A summary of the story, shown with the headline."
    body = f"<article><header>{header.format(summary)}</header>{STORY}</article>"
    assert meta_of(page(body=body)).standfirst == (summary if standfirst else None)


def test_no_standfirst_and_no_description_is_null():
    assert meta_of(page(body=f"<article><h1>Headline</h1>{STORY}</article>")).standfirst is None


# ---------------------------------------------------------------- title


def test_a_kicker_glued_to_the_headline_is_not_title():
    head = '<meta property="og:title" content="Ann Lee cancels her tour | Radio X">'
    body = (
        '<article><h1><span class="kicker">Exclusive</span><span>Ann Lee cancels her tour'
        f"</span></h1>{STORY}</article>"
    )
    assert meta_of(page(head, body)).title == "Ann Lee cancels her tour"


def test_a_classless_kicker_span_goes_when_og_title_says_so():
    head = '<meta property="og:title" content="Ann Lee cancels her tour">'
    body = f"<article><h1><span>WATCH</span><span>Ann Lee cancels her tour</span></h1>{STORY}"
    assert meta_of(page(head, body + "</article>")).title == "Ann Lee cancels her tour"


def test_a_show_banner_above_the_story_is_not_the_title():
    head = '<meta property="og:title" content="Jo meets a llama on air">'
    body = (
        '<section class="show-banner"><h1>The Morning Crew</h1></section>'
        f'<article><h2 class="article-title">Jo meets a llama on air</h2>{STORY}</article>'
    )
    assert meta_of(page(head, body)).title == "Jo meets a llama on air"


def test_a_banner_naming_the_show_is_skipped_without_og_title():
    crumbs = (
        '<nav class="breadcrumb"><a href="/">Home</a> <a href="/shows/crew/">The Crew</a></nav>'
    )
    body = f"{crumbs}<h1>The Crew</h1><article><h1>Jo meets a llama</h1>{STORY}</article>"
    meta = meta_of(page(body=body), "https://radio.example/shows/crew/jo-meets-a-llama/")
    assert (meta.show, meta.title) == ("The Crew", "Jo meets a llama")


def test_entities_in_og_title_are_decoded():
    head = '<meta property="og:title" content="Rock &amp;#038; Roll night">'
    assert meta_of(page(head, f"<article>{STORY}</article>")).title == "Rock & Roll night"


def test_a_line_break_in_the_headline_is_a_space():
    body = f"<article><h1>Top picks of 2026<br>Our guide</h1>{STORY}</article>"
    assert meta_of(page(body=body)).title == "Top picks of 2026 Our guide"


# ---------------------------------------------------------------- author


@pytest.mark.parametrize(
    ("byline", "name"),
    [
        ("By Pieter van der Merwe | 12 Nov 2026", "Pieter van der Merwe"),
        ("By Anna de Wet and Jean du Plessis", "Anna de Wet and Jean du Plessis"),
        ("Words by Ludwig von Trapp", "Ludwig von Trapp"),
        ("BySummer Swann", "Summer Swann"),
        ("Written byAAA Travel Editor", "AAA Travel Editor"),
        ("Author: Isaiah Shelton", "Isaiah Shelton"),
        ("Von Max Müller", "Max Müller"),
        ("Von Miller", "Von Miller"),
        ("Door Jan de Vries", "Jan de Vries"),
        ("Submitted by jsmith on Mon, 11/16/2026 - 10:00", "jsmith"),
        ("By Reyan Perumal Published on July 18, 2025", "Reyan Perumal"),
        ("David Jackson - Editorial Team", "David Jackson"),
        ("By", None),
        ("The Author", None),
    ],
)
def test_bylines_are_cleaned_keeping_particles(byline, name):
    assert clean_byline(byline) == name


def test_a_byline_sentence_with_particles_is_found_in_the_text():
    body = f"<article><h1>Headline</h1><p>By Pieter van der Merwe</p>{STORY}</article>"
    assert meta_of(page(body=body)).author == "Pieter van der Merwe"


DRUPAL_BARTIK = """
<article role="article" about="/node/12" class="node node--type-article node--view-mode-full">
  <h2><span class="field field--name-title">Headline</span></h2>
  <footer class="node__meta">
    <article typeof="schema:Person" about="/user/7" class="profile"></article>
    <div class="node__submitted">Submitted by <span class="field field--name-uid
      field--type-entity-reference field--label-hidden"><span lang="" about="/user/7"
      typeof="schema:Person" property="schema:name" datatype="">Thandi Nkosi</span></span> on
      <span class="field field--name-created">Mon, 11/16/2026 - 10:00</span></div>
  </footer>
  <div class="node__content"><div class="field field--name-body">{story}</div></div>
</article>
"""
DRUPAL_OLIVERO = """
<article class="node node--type-article node--view-mode-full">
  <header><h1>Headline</h1>
  <div class="node__meta"><span>By <span class="field field--name-uid field--label-hidden">
    <span>Riaan van Zyl</span></span></span>, <span class="field--name-created">16 November
    2026</span></div></header>
  <div class="text-content clearfix field field--name-body">{story}</div>
</article>
"""
DRUPAL_FIELD = """
<article class="node node--type-news">
  <h1 class="page-title">Headline</h1>
  <div class="field field--name-field-author field--type-entity-reference field--label-above">
    <div class="field__label">Author</div>
    <div class="field__item"><a href="/taxonomy/term/5" hreflang="en">Lerato Molefe</a></div>
  </div>
  <div class="field field--name-body">{story}</div>
</article>
"""


@pytest.mark.parametrize(
    ("template", "name"),
    [(DRUPAL_BARTIK, "Thandi Nkosi"), (DRUPAL_OLIVERO, "Riaan van Zyl"),
     (DRUPAL_FIELD, "Lerato Molefe")],
)  # fmt: skip
def test_drupal_author_fields_are_read(template, name):
    assert meta_of(page(body=template.format(story=STORY))).author == name


@pytest.mark.parametrize(
    ("body", "author"),
    [
        (f'<article><h1>Headline</h1>{STORY}<footer><p class="byline">By Jane Doe</p></footer>'
         "</article>", "Jane Doe"),
        (f"<article><h1>Headline</h1>{STORY}</article>"
         '<footer><p class="byline">By Site Team</p></footer>', None),
    ],
)  # fmt: skip
def test_a_byline_in_the_articles_footer_counts_and_in_the_pages_does_not(body, author):
    assert meta_of(page(body=body)).author == author


def test_a_label_element_gives_the_name_after_it():
    body = (
        '<article><h1>Headline</h1><div class="meta"><p class="byline">Written by</p>'
        f"<p>Edzel Tabing</p></div>{STORY}</article>"
    )
    assert meta_of(page(body=body)).author == "Edzel Tabing"


def test_the_name_element_of_a_byline_block_comes_before_its_dates():
    body = (
        '<article><h1>Headline</h1><div class="author-block">By <span class="author-name">'
        f"Reyan Perumal</span><span>Published on July 18, 2025</span></div>{STORY}</article>"
    )
    assert meta_of(page(body=body)).author == "Reyan Perumal"


# ---------------------------------------------------------------- page kind


@pytest.mark.parametrize(
    ("url", "head", "kind"),
    [
        ("https://radio.example/shows/the-morning-crew/", '<meta property="og:type" '
         'content="website">', "show"),
        ("https://radio.example/about/", '<script type="application/ld+json">{"@type":'
         ' "RadioSeries", "name": "Crew"}</script>', "show"),
        ("https://radio.example/presenters/jo/", "", "presenter"),
        ("https://radio.example/x/", '<script type="application/ld+json">{"@type":'
         ' "CollectionPage"}</script>', "collection"),
        ("https://radio.example/shows/the-morning-crew/", '<meta property="og:type" '
         'content="article">', None),
        ("https://radio.example/news/story/", "", None),
    ],
)  # fmt: skip
def test_page_kind_says_what_the_metadata_says(url, head, kind):
    assert meta_of(page(head, f"<main><h1>Title</h1>{STORY}</main>"), url).page_kind == kind


SHIFT = "<p><strong>Weekdays 10am - 3pm</strong></p>"


@pytest.mark.parametrize(
    ("title", "classes", "shift", "kind"),
    [
        ("Ashley Tate", "page type-page", SHIFT, "presenter"),
        ("Ashley Tate", "page type-page", "<p>10:00 - 15:00 Uhr</p>", "presenter"),
        ("Ashley Tate", "post type-post", SHIFT, None),  # a dated post
        ("Ashley Tate", "page type-page", "", None),  # no on-air time slot
        ("Web Designs", "page type-page", SHIFT + "<p>Our web designs.</p>", None),  # common words
        ("Thanksgiving pie fail", "page type-page", SHIFT, None),  # not a name
    ],
)
def test_a_static_page_titled_with_a_name_and_a_time_slot_is_a_presenter_page(
    title, classes, shift, kind
):
    head = '<meta property="og:type" content="article">'
    body = f'<article class="{classes}"><h1>{title}</h1>{shift}{STORY}</article>'
    assert meta_of(page(head, body), "https://radio.example/ashley-tate/").page_kind == kind


def test_a_promoted_drupal_node_is_not_a_promo_card():
    template = DRUPAL_BARTIK.replace("node--view-mode-full", "node--promoted node--view-mode-full")
    assert meta_of(page(body=template.format(story=STORY))).author == "Thandi Nkosi"


def test_drupal_tags_field_gives_the_tags():
    tags = (
        '<div class="field field--name-field-tags"><div class="field__label">Tags</div>'
        '<div class="field__items"><div class="field__item"><a href="/taxonomy/term/1">Choirs'
        '</a></div><div class="field__item"><a href="/taxonomy/term/2">Mbombela</a></div>'
        "</div></div>"
    )
    body = f"<article><h1>Headline</h1>{STORY}{tags}</article>"
    assert meta_of(page(body=body)).tags == ["Choirs", "Mbombela"]


def test_a_page_wrapper_that_starts_with_listen_live_is_not_a_widget():
    body = (
        '<div class="layout"><header><a href="/listen-live">Listen Live</a></header>'
        '<nav class="breadcrumb"><a href="/">Home</a> <a href="/news/local/">Local News</a>'
        f"</nav><article><h1>Headline</h1>{STORY}</article></div>"
    )
    assert meta_of(page(body=body)).section == "Local News"


def test_a_written_by_label_without_a_byline_class_gives_the_name_after_it():
    body = (
        '<article><h1>Headline</h1><div class="meta"><p class="muted">Written by</p>'
        f'<p class="muted">Edzel Tabing</p></div>{STORY}</article>'
    )
    assert meta_of(page(body=body)).author == "Edzel Tabing"


def test_the_name_inside_an_author_block_with_a_bio():
    body = (
        '<article><h1>Headline</h1><div itemprop="author"><style>.a{color:red}</style>'
        '<div itemprop="name">Trevor Jackins</div><div itemprop="description">Trevor writes'
        f" about security for the blog.</div></div>{STORY}</article>"
    )
    assert meta_of(page(body=body)).author == "Trevor Jackins"


def test_a_json_ld_author_with_a_role_keeps_the_name():
    ld = (
        '<script type="application/ld+json">{"@type": "Article", "author": {"@type": "Person",'
        ' "name": "David Jackson - Editorial Team"}}</script>'
    )
    assert meta_of(page(ld, f"<article><h1>Headline</h1>{STORY}</article>")).author == (
        "David Jackson"
    )


def test_a_json_ld_headline_cut_short_gives_way_to_the_og_title():
    long = "Fix It Friday: how to arrange a living room when every wall has a door, a window " \
        "or a radiator on it (and one universal trick)"  # fmt: skip
    ld = f'<script type="application/ld+json">{{"@type": "Article", "headline": "{long[:108]}"}}'
    head = f'{ld}</script><meta property="og:title" content="{long} - Emily H">'
    assert meta_of(page(head, f"<article>{STORY}</article>")).title == long


# ---------------------------------------------------------------- image credit and tags


@pytest.mark.parametrize(
    ("figure", "caption", "credit"),
    [
        ("<figcaption>Ann Lee live in 2022. Foto: Getty Images</figcaption>",
         "Ann Lee live in 2022.", "Getty Images"),
        ("<figcaption>Ann Lee à Lyon. Crédit photo : Jeanne Roux / Radio X</figcaption>",
         "Ann Lee à Lyon.", "Jeanne Roux / Radio X"),
        ('<figcaption><span class="caption">Ann Lee in Freiburg.</span> <span class="copyright">'
         "Bildquelle: picture alliance/dpa</span></figcaption>",
         "Ann Lee in Freiburg.", "picture alliance/dpa"),
        ("<figcaption>Ann Lee in Nashville. (Photo by Terry Wyatt/Getty Images)</figcaption>",
         "Ann Lee in Nashville.", "Terry Wyatt/Getty Images"),
        ("<figcaption>Foto: TikTok / @annlee</figcaption>", None, "TikTok / @annlee"),
        ("<figcaption>Image source: Getty Images.</figcaption>", None, "Getty Images."),
        ("<figcaption>Picture this: a stadium full of people singing along.</figcaption>",
         "Picture this: a stadium full of people singing along.", None),
    ],
)  # fmt: skip
def test_credit_labels_in_several_languages_leave_the_caption(figure, caption, credit):
    body = f'<article><h1>Headline</h1><figure><img src="/a.jpg">{figure}</figure>{STORY}</article>'
    assert meta_of(page(body=body)).image == {
        "url": "https://radio.example/a.jpg",
        "caption": caption,
        "credit": credit,
    }


def test_a_credit_line_beside_the_image_without_a_colon_is_the_credit():
    body = (
        '<article><h1>Headline</h1><div class="x1"><img src="/a.jpg"><div class="x2">Photo credit'
        f" Chris Hollo/Grand Ole Opry</div></div>{STORY}</article>"
    )
    assert meta_of(page(body=body)).image["credit"] == "Chris Hollo/Grand Ole Opry"


def test_a_credit_line_is_found_in_any_case_and_across_inline_elements():
    body = (
        f'<article><h1>Headline</h1><img src="/a.jpg"><div><div>{STORY}'
        "<p>PHO<b>TO</b>: Jane Doe</p></div></div></article>"
    )
    assert meta_of(page(body=body)).image["credit"] == "Jane Doe"


@pytest.mark.parametrize(
    "row",
    [
        '<p>Filed Under: <a href="/tags/ann/">Ann Lee</a>, <a href="/tags/tours/">Tours</a></p>',
        '<div>Etiquetas: <a href="/tag/ann/">Ann Lee</a>, <a href="/tag/tours/">Tours</a></div>',
        '<div class="x3"><a href="/tags/ann-lee">Ann Lee</a><a href="/tags/tours">Tours</a></div>',
    ],
)
def test_a_row_of_links_to_tag_pages_gives_the_tags(row):
    body = f"<article><h1>Headline</h1>{STORY}{row}</article>"
    assert meta_of(page(body=body)).tags == ["Ann Lee", "Tours"]


def test_a_tag_link_inside_a_sentence_is_not_a_tag_row():
    body = (
        f"<article><h1>Headline</h1>{STORY}<p>More of our stories about the singer are on the"
        ' <a href="/tags/ann-lee/">Ann Lee</a> page, updated every week.</p></article>'
    )
    assert meta_of(page(body=body)).tags == []

"""Listing kinds told by what the page is built of (pipelines.clean.classify LISTING_SHAPES):
each with a page that must be refused and an article like it that must be kept."""

from __future__ import annotations

import pytest

from pipelines.clean import NotAnArticle, build_record, classify
from pipelines.clean.classify import LISTING_SHAPES
from pipelines.core.items import Page

PROSE = (
    "the singer told listeners on Friday morning that the new album had taken three years to"
    " finish, and that most of it was written on the road between shows in small towns."
)
DAYS = ("On Monday", "On Tuesday", "On Wednesday", "On Thursday", "On Friday")
OG_ARTICLE = "<meta property='og:type' content='article'>"
# a site's navigation: 60 links to its own pages, in several languages
NAV = "<nav><ul>{}</ul></nav>".format(
    "".join(
        f"<li><a href='/{slug}-{i}'>{label} {i}</a> <span>new this week</span></li>"
        for i, (slug, label) in enumerate(
            [("news", "Nachrichten"), ("music", "Musique"), ("shows", "Programma")] * 20
        )
    )
)


def paragraphs(n: int) -> str:
    """`n` different paragraphs of story prose."""
    return "".join(f"<p>{DAYS[i % 5]} ({i}) {PROSE}</p>" for i in range(n))


def page(body: str, path: str = "/news/story", head: str = "") -> Page:
    html = f"<html><head><title>T</title>{head}</head><body>{body}</body></html>"
    return Page(url=f"https://radio.example{path}", body=html.encode(), headers={})


def refused_kind(p: Page) -> str:
    with pytest.raises(NotAnArticle) as refused:
        build_record(p)
    return refused.value.kind


def refused_by(rule: str, p: Page, monkeypatch) -> bool:
    """Whether `p` is refused as a listing, and kept once the named rule is taken away."""
    kind = refused_kind(p)
    with monkeypatch.context() as m:
        m.setattr(classify, "LISTING_SHAPES", tuple(r for r in LISTING_SHAPES if r[0] != rule))
        kept = bool(build_record(p).body)
    return kind == "listing" and kept


def test_the_rules_are_named_once():
    names = [name for name, _ in LISTING_SHAPES]
    assert len(names) == len(set(names))
    assert {"card-teasers", "table-page", "thin-page"} <= set(names)


def issue(i: int) -> str:
    """An issue index's card: a headline link and a summary that is not a paragraph."""
    return (
        f"<div class='issue'><h2><a href='/issues/{i}'>Hotel deals of week {i}</a></h2>"
        f"<div class='dek'>Five hotels changed hands in week {i} for a total of 47 million,"
        " and three more projects broke ground, with openings due next spring.</div></div>"
    )


def test_an_index_of_headlines_with_summaries_and_no_paragraphs_is_a_listing(monkeypatch):
    cards = "".join(issue(i) for i in range(8))
    assert refused_by("card-teasers", page(f"<main><h1>Issues</h1>{cards}</main>"), monkeypatch)
    # og:type "article" (WordPress gives it to every page) does not save it
    with_og = page(f"<main><h1>Issues</h1>{cards}</main>", "/issues", OG_ARTICLE)
    assert refused_by("card-teasers", with_og, monkeypatch)
    # a story with the same cards in a rail beside it is one
    rail = "".join(issue(i) for i in range(8))
    story = f"<main><h1>Story</h1>{paragraphs(6)}</main><aside>{rail}</aside>"
    assert len(build_record(page(story)).body) == 6
    # and so is a story whose paragraphs are blocks of their own (no <p>) beside a rail of
    # headline links: its blocks hold no headline
    blocks = "".join(
        f"<div class='para'>{DAYS[i % 5]} <a href='/news/s{i}'>({i})</a> {PROSE}</div>"
        for i in range(6)
    )
    heads = "".join(f"<h3><a href='/news/other-{i}'>Other story {i}</a></h3>" for i in range(8))
    story = f"<main><h1>Story</h1>{blocks}</main><aside>{heads}</aside>"
    assert len(build_record(page(story)).body) == 6


def chart_row(i: int) -> str:
    return f"<tr><td>{i}</td><td>Artist {i}</td><td>Song title {i}</td><td>{i % 7 + 1}</td></tr>"


def test_a_chart_or_standings_table_is_a_listing_but_a_story_with_a_table_is_not(monkeypatch):
    rows = "".join(chart_row(i) for i in range(1, 31))
    chart = "<main><h1>Top 30</h1><table><tr><th>Pos</th><th>Artist</th><th>Song</th>"
    chart += f"<th>Weeks</th></tr>{rows}</table></main>"
    assert refused_by("table-page", page(chart, "/charts/top-30"), monkeypatch)
    few = "".join(chart_row(i) for i in range(1, 6))
    story = f"<main><h1>Chart news</h1>{paragraphs(5)}<table>{few}</table></main>"
    record = build_record(page(story, "/news/chart-news"))
    assert sum(1 for line in record.body if PROSE in line) == 5


def test_a_page_of_a_few_words_amid_a_sites_links_is_not_an_article(monkeypatch):
    # a shop or catalogue rendered by script: its own text is one line, the rest navigation
    line = "Our tried-and-true fan favourites, picked by our listeners this year."
    shell = f"{NAV}<main><h1>Bestsellers</h1><p>{line}</p></main>"
    assert refused_by("thin-page", page(shell, "/bestsellers"), monkeypatch)
    # a short story on the same site that says it is an article is kept
    brief = f"{NAV}<main><h1>Storm</h1><p>{DAYS[0]} {PROSE}</p></main>"
    assert build_record(page(brief, "/news/storm", OG_ARTICLE)).body == [f"{DAYS[0]} {PROSE}"]
    # and so is a short story on a small site (few links)
    small = f"<a href='/'>Home</a><main><h1>Storm</h1><p>{DAYS[0]} {PROSE}</p></main>"
    assert build_record(page(small, "/news/storm")).body == [f"{DAYS[0]} {PROSE}"]


def entry(i: int) -> str:
    """A directory's entry: a linked name and a sentence about it."""
    return (
        f"<div class='entry'><a href='/podcasts/show-{i}'>The tech show number {i}</a>"
        f"<div>Technology, {40 + i} min</div>"
        f"<p>A weekly show about gadgets, apps and the people who make them, episode {i} of"
        " many.</p>"
        "</div>"
    )


def test_a_directory_of_entries_with_a_sentence_each_is_a_listing(monkeypatch):
    directory = f"<main><h1>Technology</h1>{''.join(entry(i) for i in range(8))}</main>"
    assert refused_by("card-list", page(directory, "/directory/technology"), monkeypatch)
    # a story whose paragraphs each sit in a block of their own with a link is one
    blocks = "".join(
        f"<div class='para'><p>{DAYS[i % 5]} <a href='/news/s{i}'>({i})</a> {PROSE}</p></div>"
        for i in range(6)
    )
    assert len(build_record(page(f"<main><h1>Story</h1>{blocks}</main>")).body) == 6


def test_a_home_page_of_dated_headlines_is_a_front_page_in_several_languages(monkeypatch):
    dates = ("5 février 2026", "12. Januar 2026", "3 de marzo de 2026", "Dec 5, 2025")
    posts = "".join(
        f"<div><h2><a href='/blog/post-{i}'>Release notes {i}, {dates[i % 4]}</a></h2>"
        f"<p>{DAYS[i % 5]} ({i}) {PROSE}</p></div>"
        for i in range(8)
    )
    front = page(f"<main><h1>The blog</h1>{posts}</main>", "/")
    assert refused_kind(front) == "home"
    monkeypatch.setattr(classify, "FRONT_MIN_DATED_LINES", 9)  # its 8 dated headlines decide
    assert build_record(front).body
    # a story at a site's root with a few dated lines is kept
    few = "".join(f"<p>Release {i}, {dates[i % 4]}</p>" for i in range(4))
    story = page(f"<main><h1>Our radio</h1>{paragraphs(5)}{few}</main>", "/")
    assert len(build_record(story).body) == 9


def test_a_few_words_on_a_page_with_next_to_no_text_is_a_shell_not_an_article(monkeypatch):
    # a shop or catalogue its scripts fill in: the HTML as served holds a line and no more
    app = "<script>window.__STATE__ = {}</script><div id='app'><p>Fan favourites</p></div>"
    assert refused_by("bare-page", page(app, "/bestsellers"), monkeypatch)
    # a short story on a small site is kept: it has more words than a shell's line
    brief = f"<main><h1>Storm</h1><p>{DAYS[0]} {PROSE}</p></main>"
    assert build_record(page(brief, "/news/storm")).body == [f"{DAYS[0]} {PROSE}"]
    # and so is a one-line story whose JSON-LD says it is an article
    ld = '<script type=\'application/ld+json\'>{"@type": "NewsArticle"}</script>'
    line = "<main><h1>Storm</h1><p>Roads are closed in the north.</p></main>"
    assert build_record(page(line, "/news/storm", ld)).body == ["Roads are closed in the north."]


def promo(i: int) -> str:
    """A section front's card: a linked headline and a dek that is no sentence."""
    return (
        f"<div class='promo'><p><a href='/tech/story-{i}'>Phone {i} review</a> cheaper, tougher"
        " and longer-lasting than last year's model</p></div>"
    )


def test_a_short_body_of_card_lines_without_sentences_is_a_listing(monkeypatch):
    promos = "".join(promo(i) for i in range(8))
    # labels outside the cards: a quarter of its text or less (card-list takes a body nearly
    # all in cards)
    labels = "".join(
        f"<p>{label}</p>"
        for label in (
            "Spotlight on phones this week",
            "Paid content from our partners",
            "About this section of the site",
        )
    )
    front = f"<main><h1>Technology</h1>{labels}<div class='grid'>{promos}</div></main>"
    assert refused_by("card-lines", page(front, "/technology"), monkeypatch)
    # a story whose paragraphs sit in repeated blocks holding a link is one
    blocks = "".join(
        f"<div class='para'><p>{DAYS[i % 5]} <a href='/news/s{i}'>({i})</a> {PROSE}</p></div>"
        for i in range(6)
    )
    story = page(f"<main><h1>Story</h1>{labels}{blocks}</main>")
    assert sum(1 for line in build_record(story).body if PROSE in line) == 6


SORT = "<div class='sort'><span>Sort by: Relevance</span></div>"


def result(i: int) -> str:
    return f"<li>University number {i} of the world ranking | score {90 - i} of 100</li>"


def test_a_sorted_list_without_sentences_is_a_listing_in_several_languages(monkeypatch):
    results = "".join(result(i) for i in range(12))
    for control in ("Sort by: Relevance", "Sortieren nach: Relevanz", "Ordenar por: Relevancia"):
        ranking = f"<main><h1>Rankings</h1><span>{control}</span><ul>{results}</ul></main>"
        assert refused_by("sorted-list", page(ranking, "/rankings/computer-science"), monkeypatch)
    # a story with a comment section's sort control is one
    story = f"<main><h1>Story</h1>{paragraphs(5)}</main><section>{SORT}<p>No comments</p></section>"
    assert len(build_record(page(story)).body) >= 5


def test_a_short_body_on_a_page_of_many_prices_is_a_shop_not_an_article(monkeypatch):
    prices = "".join(f"<li>Festival cap {i} R{199 + i}.00</li>" for i in range(32))
    intro = "<p>Feeders, caps and add-ons for the season, shipped from our studio.</p>"
    shop = f"<main><h1>Shop</h1>{intro}</main><aside><ul class='deals'>{prices}</ul></aside>"
    assert refused_by("priced-page", page(shop, "/shop"), monkeypatch)
    # a story beside the same prices is one
    story = f"<main><h1>Tour</h1>{paragraphs(6)}</main><aside><ul>{prices}</ul></aside>"
    assert len(build_record(page(story, "/news/tour")).body) == 6
    # and so is a short story beside a few prices
    few = "".join(f"<li>Festival cap {i} R{199 + i}.00</li>" for i in range(8))
    brief = f"<main><h1>Tour</h1>{paragraphs(1)}</main><aside><ul>{few}</ul></aside>"
    assert build_record(page(brief, "/news/tour")).body[0].endswith(PROSE)


def test_the_first_page_of_an_archive_of_headlines_is_a_listing_whatever_its_intro(monkeypatch):
    heads = "".join(
        f"<h3><a href='/recipes/dish-{i}'>Air fryer dish {i}</a></h3>" for i in range(8)
    )
    intro = f"<p>{DAYS[0]} {PROSE}</p><p>{DAYS[1]} {PROSE}</p><p>{DAYS[2]} {PROSE}</p>"
    for more in ("/category/recipes/air-fryer/page/2/", "?page=2", "?seite=2"):
        front = f"<main><h1>Air fryer</h1>{intro}{heads}<a href='{more}'>Next</a></main>"
        paged = page(front, "/category/recipes/air-fryer/", OG_ARTICLE)
        assert refused_by("paged-teasers", paged, monkeypatch)
    # the same page without a further page of its own is kept (its intro reads as prose)
    front = f"<main><h1>Air fryer</h1>{intro}{heads}<a href='/recipes/page/2/'>Next</a></main>"
    assert len(build_record(page(front, "/category/recipes/air-fryer/", OG_ARTICLE)).body) >= 3
    # and so is a story paged in two, with as many headlines in a rail beside it
    story = f"<main><h1>Story</h1>{paragraphs(6)}<a href='?page=2'>Next page</a></main>"
    story += f"<aside>{heads}</aside>"
    assert sum(1 for line in build_record(page(story)).body if PROSE in line) == 6


def podcast(i: int) -> str:
    """A directory's entry of a sentence or two: a linked name and what the show is."""
    return (
        f"<div class='show'><a href='/shows/view/show-{i}'>Tech show {i}</a>"
        f"<p>{DAYS[i % 5]} ({i}) {PROSE}</p></div>"
    )


def test_the_first_page_of_a_directory_of_entries_is_a_listing_whatever_its_sentences(
    monkeypatch,
):
    shows = "".join(podcast(i) for i in range(8))
    for more in ("/directory/technology/page/2", "?pagina=2"):
        directory = f"<main><h1>Technology</h1>{shows}<a href='{more}'>2</a></main>"
        paged = page(directory, "/directory/technology")
        assert refused_by("paged-cards", paged, monkeypatch)
    # without a further page of its own, its entries read as prose: it is kept
    directory = f"<main><h1>Technology</h1>{shows}</main>"
    assert len(build_record(page(directory, "/directory/technology")).body) >= 8
    # and a story paged in two whose paragraphs are not in cards is one
    story = f"<main><h1>Story</h1>{paragraphs(6)}<a href='?page=2'>Next page</a></main>"
    assert len(build_record(page(story)).body) == 6


def test_the_first_page_of_a_category_of_priced_items_is_a_shop_whatever_its_text(monkeypatch):
    items = "".join(f"<span>{i:05d} Festival cap {i} from {12 + i},50 €</span>" for i in range(24))
    shop = f"<main><h1>Caps</h1>{paragraphs(5)}<div>{items}</div></main>"
    paged = page(f"{shop}<a href='/shop/caps/page/2/'>2</a>", "/shop/caps/")
    assert refused_by("paged-shop", paged, monkeypatch)
    # a story paged in two that names a few prices is one
    few = "".join(f"<p>Row {i}: tickets from R{150 + i}.</p>" for i in range(8))
    story = f"<main><h1>Tour</h1>{paragraphs(6)}{few}<a href='?page=2'>Next page</a></main>"
    assert sum(1 for line in build_record(page(story)).body if PROSE in line) == 6


def gadget(i: int) -> str:
    """An archive's item: a linked headline and a summary of a sentence or two."""
    return (
        f"<h3><a href='/magazine/gadget-{i}'>Build gadget number {i} at home</a></h3>"
        f"<p>{DAYS[i % 5]} ({i}) {PROSE}</p>"
    )


def test_an_archive_of_headlines_each_with_its_summary_is_a_listing(monkeypatch):
    items = "".join(gadget(i) for i in range(8))
    archive = page(f"<main><h1>Gadgets</h1>{items}</main>", "/category/gadgets/", OG_ARTICLE)
    assert refused_kind(archive) == "archive"
    with monkeypatch.context() as m:
        rules = tuple(r for r in LISTING_SHAPES if r[0] != "headline-summaries")
        m.setattr(classify, "LISTING_SHAPES", rules)
        assert len(build_record(archive).body) == 16
    # the same items at a story's address are a listicle: kept
    listicle = page(f"<main><h1>Eight gadgets</h1>{items}</main>", "/news/eight-gadgets")
    assert len(build_record(listicle).body) == 16


def test_a_menu_run_together_on_a_small_page_is_not_an_article(monkeypatch):
    # a shop its scripts fill in: what the HTML holds is its menu, read as one line
    menu = (
        "Skip to content Cart (0) Loading... Back Shop Trade In Repairs Stories Stores"
        " What are you looking for? Inicio Tienda Warenkorb Panier Winkelwagen Mandjie"
    )
    shell = f"<div id='app'><div>{menu}</div></div><script>window.__STATE__ = {{}}</script>"
    assert refused_by("menu-page", page(shell, "/collections/caps"), monkeypatch)
    # a short story on a small site is kept
    brief = f"<main><h1>Storm</h1><p>{DAYS[0]} {PROSE}</p></main>"
    assert build_record(page(brief, "/news/storm")).body == [f"{DAYS[0]} {PROSE}"]
    # and so is a brief whose sentences are all under 80 characters
    lines = [
        f"Line {n} of a short brief, long enough to be read as a line of prose." for n in range(4)
    ]
    short = "".join(f"<p>{line}</p>" for line in lines)
    assert build_record(page(f"<main><h1>Storm</h1>{short}</main>", "/news/storm")).body == lines
    # and so is a line without a sentence on a page that says it is an article
    assert build_record(page(shell, "/news/storm", OG_ARTICLE)).body == [menu]


def resource(i: int) -> str:
    """A directory's entry: a link to a site and, run on after it, what the site offers."""
    return (
        f"<p><a href='https://learn{i}.example/'>Language resource {i}</a>A database of sites"
        f" for learners at level {i}, with exercises, readings and recordings.</p>"
    )


def test_a_directory_of_links_each_saying_what_it_leads_to_is_a_listing(monkeypatch):
    guide = f"<main><h1>Spanish</h1>{''.join(resource(i) for i in range(10))}</main>"
    assert refused_by("link-directory", page(guide, "/guides/spanish"), monkeypatch)
    # a story some of whose paragraphs begin with a link is one
    linked = "".join(
        f"<p><a href='/artists/{i}'>Band {i}</a> {DAYS[i % 5]} ({i}) {PROSE}</p>" for i in range(4)
    )
    story = f"<main><h1>Festival</h1>{linked}{paragraphs(4)}</main>"
    assert sum(1 for line in build_record(page(story)).body if PROSE in line) == 8


def test_a_home_page_of_taglines_is_a_landing_page_not_an_article(monkeypatch):
    taglines = "".join(
        f"<h2>{title}</h2><p>{line}</p>"
        for title, line in (
            ("Plan", "Every show of the week in one place"),
            ("Schedule", "Drag, drop and the grid is done"),
            ("Publish", "Straight to every app and speaker"),
            ("Measure", "Know who listens, and for how long"),
            ("Nachrichten", "Immer aktuell, rund um die Uhr"),
            ("Musique", "Toute la journée, sans publicité"),
            ("Programma", "Elke dag een nieuwe ochtendshow"),
            ("Noticias", "Lo que pasa en tu ciudad, ahora"),
        )
    )
    # three sentence paragraphs: prose enough for a page that names no other kind
    landing = page(f"<main><h1>The radio planner</h1>{taglines}{paragraphs(3)}</main>", "/")
    assert refused_kind(landing) == "home"
    with monkeypatch.context() as m:
        rules = tuple(r for r in LISTING_SHAPES if r[0] != "landing-home")
        m.setattr(classify, "LISTING_SHAPES", rules)
        assert build_record(landing).body
    # a site's root that shows one post, a few headings among its paragraphs, is kept
    post = f"<main><h1>Our radio</h1><h2>Why</h2>{paragraphs(3)}<h2>How</h2>{paragraphs(3)}</main>"
    assert sum(1 for line in build_record(page(post, "/")).body if PROSE in line) == 6

"""Articles versus the other pages of a station site, and the cleaner's do-no-harm guards."""

from __future__ import annotations

import pytest

from pipelines.clean import NotAnArticle, build_record
from pipelines.clean.classify import CART, PRICE, PRICE_TAG, url_kind
from pipelines.core.items import Page
from pipelines.core.refusals import REFUSAL_KINDS

PROSE = (
    "the singer told listeners on Friday morning that the new album had taken three years to"
    " finish, and that most of it was written on the road between shows in small towns."
)
DAYS = ("On Monday", "On Tuesday", "On Wednesday", "On Thursday", "On Friday")


def paragraphs(n: int) -> str:
    """`n` different paragraphs of story prose."""
    return "".join(f"<p>{day} {PROSE}</p>" for day in DAYS[:n])


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/listen-live/", "player"),
        ("/luister-live", "player"),
        ("/search?q=legend", "search"),
        ("/recherche/", "search"),
        ("/schedule", "schedule"),
        ("/sendeplan/", "schedule"),
        ("/news", "section"),
        ("/en/blog/", "section"),
        ("/nieuws/", "section"),
        ("/nuus", "section"),
        ("/category/news/page/3/", "archive"),
        ("/hub/science", "archive"),
        ("/tag/camille-ardent/", "archive"),
        ("/news/music?page=4", "archive"),
        ("/2024/05/12/", "archive"),
        ("/rubrique/musique/", "archive"),
        ("/author/jess-harlan/", "author"),
        ("/people/ruth-okafor", "author"),
        ("/presenters/john-maytham", "presenter"),
        ("/programm/moderatoren/jan-behrend-100.html", "presenter"),
        ("/shows/fitzy-and-wippa", "show"),
        ("/emissions/la-matinale/", "show"),
        ("/podcasts/lester-kiewit", "podcast"),
        ("/programmas/ochtendshow/afleveringen", "podcast"),
        ("/competitions/win-a-trip/", "competition"),
        ("/gewinnen/new-pop-tickets-100.html", "competition"),
        ("/eventos/baile-de-fin-de-ano-2026/", "event"),
        ("/contact/", "contact"),
        ("/kontakt", "contact"),
        ("/", "home"),
    ],
)
def test_url_kinds_in_several_languages(path, kind):
    assert url_kind(f"https://radio.example{path}") == kind
    assert kind in REFUSAL_KINDS


@pytest.mark.parametrize(
    "path",
    [
        "/2024/05/12/singer-announces-tour/",
        "/shows/breakfast/singer-announces-tour",
        "/news/entertainment/win-tickets-to-see-her-live",
        "/entertainment/lize-marie-nuwe-album",
        "/articles/the-best-events-of-2025",
        "/contact-lens-care-tips",
        "/news-roundup-the-week-in-music",
        "/blog/2025/12/singer-announces-tour",
        "/en/news/singer-announces-tour",
    ],
)
def test_story_urls_name_no_kind(path):
    assert url_kind(f"https://radio.example{path}") is None


def page(body: str, path: str = "/news/story", head: str = "") -> Page:
    html = f"<html><head><title>T</title>{head}</head><body>{body}</body></html>"
    return Page(url=f"https://radio.example{path}", body=html.encode(), headers={})


def test_a_show_page_with_little_prose_is_refused_and_one_with_a_story_is_not():
    short = "<main><h1>The Breakfast Crew</h1><p>Weekdays 6 to 9.</p></main>"
    with pytest.raises(NotAnArticle) as refused:
        build_record(page(short, "/shows/the-breakfast-crew"))
    assert refused.value.kind == "show"
    story = f"<main><h1>The Breakfast Crew</h1>{paragraphs(4)}</main>"
    assert len(build_record(page(story, "/shows/the-breakfast-crew")).body) == 4


def test_a_page_of_headline_links_is_a_listing_but_an_article_with_a_busy_sidebar_is_not():
    cards = "".join(
        f"<h3><a href='/news/s{i}'>Story number {i} headline</a></h3>" for i in range(9)
    )
    with pytest.raises(NotAnArticle) as refused:
        build_record(page(f"<main><h1>News</h1>{cards}</main>", "/music"))
    assert refused.value.kind == "listing"
    article = f"<main><h1>Story</h1>{paragraphs(5)}</main><div class='side'>{cards}</div>"
    assert len(build_record(page(article, "/news/the-story")).body) == 5


def test_a_clutter_selector_never_removes_the_node_holding_the_article():
    # "body > header" is site chrome, but here the header element wraps the whole story
    story = f"<header><h1>Story</h1>{paragraphs(5)}</header><footer>© Radio</footer>"
    record = build_record(page(story))
    assert record.body == [f"{day} {PROSE}" for day in DAYS]
    assert record.clutter.get("site-chrome/spared") == 1


def test_any_page_gives_the_text_of_a_page_that_is_not_an_article():
    short = "<main><h1>The Breakfast Crew</h1><p>Weekdays 6 to 9 with Thabo.</p></main>"
    record = build_record(page(short, "/shows/the-breakfast-crew"), any_page=True)
    assert record.body == ["Weekdays 6 to 9 with Thabo."]


def card(i: int, price: str = "") -> str:
    """A shop or teaser card: a linked title, a one-line blurb, a price and a button."""
    return (
        f"<div class='card'><a href='/p/{i}'><img src='/i/{i}.jpg'>Item number {i}, soft"
        f" cotton</a>{price}<button>Add to cart</button></div>"
    )


SHOP_PROSE = (
    "<p>Our range of festival merchandise is made by local makers and printed on organic"
    " cotton, and every order supports the station's community fund this year.</p>"
)


def test_a_shop_grid_is_a_listing_whatever_prose_it_has():
    cards = "".join(card(i, f"<span>R{299 + i}.00</span>") for i in range(40))
    shop = page(f"<main><h1>Merch</h1>{SHOP_PROSE}<div class='grid'>{cards}</div></main>", "/s")
    with pytest.raises(NotAnArticle) as refused:
        build_record(shop)
    assert refused.value.kind == "listing"
    assert build_record(shop, any_page=True).body  # --any-page still gives its text


def test_a_body_of_headline_links_on_a_teaser_page_is_a_listing():
    teasers = "".join(
        f"<div class='teaser'><h3><a href='/news/s{i}'>{day} the band played a secret"
        f" show number {i}</a></h3><p>Short teaser.</p></div>"
        for i, day in enumerate(DAYS * 2)
    )
    with pytest.raises(NotAnArticle) as refused:
        build_record(page(f"<main><h1>Latest</h1>{teasers}</main>", "/music"))
    assert refused.value.kind == "listing"


def test_an_article_that_names_ticket_prices_is_not_a_listing():
    prices = "".join(f"<p>{day}: tickets R{350 + i}.</p>" for i, day in enumerate(DAYS))
    story = f"<main><h1>Tour</h1>{paragraphs(5)}{prices}</main>"
    assert len(build_record(page(story, "/news/tour-dates")).body) == 10


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("$129.99", True),
        ("R299", True),
        ("12,50 €", True),
        ("45 zł", True),
        ("In den Warenkorb", True),
        ("Ajouter au panier", True),
        ("Voeg by mandjie", True),
        ("Añadir al carrito", True),
        ("in 2024 she sold 300 copies", False),
        ("Rumours at 9", False),
    ],
)
def test_prices_and_cart_buttons_in_several_languages(text, found):
    assert bool(PRICE.search(text) or CART.search(text)) is found


def blurb(i: int) -> str:
    """A section front's teaser: a headline link to one of the site's stories and a blurb."""
    return (
        f"<div class='teaser'><a href='/news/story-{i}'>Band number {i} plays a secret show</a>"
        f"<p>{DAYS[i % 5]} the band number {i} surprised fans with a set that ran late into"
        " the night, the station's listeners said.</p></div>"
    )


def test_a_section_front_of_teaser_blurbs_is_a_listing_however_much_prose_they_hold():
    grid = "".join(blurb(i) for i in range(14))
    with pytest.raises(NotAnArticle) as refused:
        build_record(page(f"<main><h1>Music news</h1><div class='grid'>{grid}</div></main>"))
    assert refused.value.kind == "listing"
    # the same teasers as a rail beside a story, and too few of them to be a grid, do not
    story = f"<main><h1>Story</h1>{paragraphs(5)}</main><aside>{grid}</aside>"
    assert len(build_record(page(story)).body) == 5
    few = "".join(blurb(i) for i in range(8))
    assert build_record(page(f"<main><h1>Music news</h1><div>{few}</div></main>")).body


def test_a_shop_page_by_its_metadata_or_its_sort_control_is_a_listing():
    shop = f"<main><h1>Merch</h1>{SHOP_PROSE}{paragraphs(5)}</main>"
    group = "<meta property='og:type' content='product.group'>"
    with pytest.raises(NotAnArticle) as refused:
        build_record(page(shop, "/merch", group))
    assert refused.value.kind == "listing"
    items = "".join(f"<li><a href='/p/{i}'>Cap {i}</a> R{199 + i}.00</li>" for i in range(10))
    sorted_shop = f"{shop}<div><span>Sort by:</span><select><option>Price</option></select>"
    with pytest.raises(NotAnArticle):
        build_record(page(f"{sorted_shop}<ul>{items}</ul></div>", "/merch"))
    # a story that names ten ticket prices and says how a chart is sorted by votes is one
    prices = "".join(f"<p>{day}: tickets R{350 + i}.</p>" for i, day in enumerate(DAYS * 2))
    story = f"<main><h1>Tour</h1>{paragraphs(5)}<p>The chart is sorted by votes.</p>{prices}"
    assert len(build_record(page(f"{story}</main>", "/news/tour")).body) == 16


def summary(i: int, dated: bool = True) -> str:
    """A news front's card: a headline link to one of the site's stories, a date and a
    summary of several sentences."""
    when = f"<time datetime='2026-11-{i + 1:02d}'>Nov {i + 1}</time>" if dated else ""
    return (
        f"<div class='card'><h3><a href='/news/story-{i}'>Band number {i} plays a secret show"
        f"</a></h3>{when}<p>{DAYS[i % 5]} {PROSE}</p><p>It was the band's {i} show.</p></div>"
    )


def test_a_news_front_of_dated_summaries_is_a_listing_but_undated_sections_are_not():
    front = "".join(summary(i) for i in range(7))
    with pytest.raises(NotAnArticle) as refused:
        build_record(page(f"<main><h1>Latest news</h1><div>{front}</div></main>", "/music"))
    assert refused.value.kind == "listing"
    sections = "".join(summary(i, dated=False) for i in range(7))
    assert build_record(page(f"<main><h1>Seven bands</h1><div>{sections}</div></main>")).body


def tile(i: int, price: str) -> str:
    """A product tile: a picture, a linked name and a price shown on its own."""
    return (
        f"<div class='tile'><a href='/shop/cap-{i}'><img src='/i/{i}.jpg'>Festival cap {i}"
        f"</a><span class='price'>{price}</span></div>"
    )


def test_a_grid_of_product_tiles_is_a_listing_whatever_prose_surrounds_it():
    tiles = "".join(tile(i, f"R{199 + i}.00") for i in range(12))
    shop = f"<main><h1>Caps</h1>{SHOP_PROSE}{paragraphs(5)}<div class='grid'>{tiles}</div></main>"
    with pytest.raises(NotAnArticle) as refused:
        build_record(page(shop, "/shop/caps"))
    assert refused.value.kind == "listing"
    # a story with a rail of fewer tiles (a product page's "you may also like") is one
    rail = "".join(tile(i, f"{12 + i},50 €") for i in range(8))
    story = f"<main><h1>Tour</h1>{paragraphs(5)}</main><div class='rail'>{rail}</div>"
    assert len(build_record(page(story, "/news/tour")).body) == 5
    # nor does a dozen ticket cards whose prices are in a sentence
    cards = "".join(
        f"<div class='gig'><a href='/events/gig-{i}'><img src='/i/{i}.jpg'>Gig {i}</a>"
        f"<p>Tickets from R{150 + i} at the door.</p></div>"
        for i in range(12)
    )
    story = f"<main><h1>Tour</h1>{paragraphs(5)}</main><div class='gigs'>{cards}</div>"
    assert len(build_record(page(story, "/news/tour")).body) == 5


def item_list(urls: list[str]) -> str:
    """A JSON-LD ItemList naming `urls`."""
    items = ",".join(
        f'{{"@type": "ListItem", "position": {i}, "url": "{url}"}}' for i, url in enumerate(urls)
    )
    return (
        '<script type="application/ld+json">{"@context": "https://schema.org",'
        f' "@type": "ItemList", "itemListElement": [{items}]}}</script>'
    )


def test_an_undated_page_whose_json_ld_lists_its_own_pages_is_a_listing():
    own = item_list([f"https://radio.example/recipes/dish-{i}" for i in range(8)])
    intro = f"<main><h1>Dinner recipes</h1>{paragraphs(5)}</main>"
    with pytest.raises(NotAnArticle) as refused:
        build_record(page(intro, "/recipes/dinner", own))
    assert refused.value.kind == "listing"
    # a dated page, or a list of other sites' pages, is not refused for its list
    dated = intro.replace("</h1>", "</h1><time datetime='2026-11-30'>30 November</time>")
    assert len(build_record(page(dated, "/recipes/dinner", own)).body) == 5
    others = item_list([f"https://shop{i}.example/cap" for i in range(8)])
    assert len(build_record(page(intro, "/recipes/dinner", others)).body) == 5


def test_an_index_of_links_is_a_listing_whatever_its_json_ld_says():
    article_ld = '<script type="application/ld+json">{"@type": "Article"}</script>'

    def names(n: int) -> str:  # linked names, one in eight with a note after its link
        return "".join(
            f"<li><a href='/wiki/lang-{i}'>Language {i}</a>{' (Synergy)' * (i % 8 == 0)}</li>"
            for i in range(n)
        )

    intro = f"<main><h1>List of languages</h1><p>{DAYS[0]} {PROSE}</p>"
    with pytest.raises(NotAnArticle) as refused:
        build_record(page(f"{intro}<ul>{names(30)}</ul></main>", "/wiki/languages", article_ld))
    assert refused.value.kind == "listing"
    # asked for any page, its text
    index = page(f"{intro}<ul>{names(30)}</ul></main>", "/wiki/languages", article_ld)
    assert len(build_record(index, any_page=True).body) == 31
    # an article with a list of linked names among its prose stays one
    story = f"{intro}<ul>{names(15)}</ul>{paragraphs(5)}</main>"
    body = build_record(page(story, "/wiki/languages", article_ld)).body
    assert sum(PROSE in p for p in body) == 6


def test_a_hub_of_many_headlines_at_an_archive_address_is_refused_however_long_its_summaries():
    summaries = "".join(
        f"<div class='card'><h3><a href='/article/s{i}'>Story {i} of the week</a></h3>"
        f"<p>{DAYS[i % 5]} {PROSE}</p></div>"
        for i in range(24)
    )
    hub = f"<main><h1>Science</h1>{summaries}</main>"
    with pytest.raises(NotAnArticle) as refused:
        build_record(page(hub, "/hub/science"))
    assert refused.value.kind == "archive"
    # the same headlines beside a story at a story's address: an article
    story = f"<main><h1>Story</h1>{paragraphs(5)}</main><aside>{summaries}</aside>"
    assert len(build_record(page(story, "/science/the-story")).body) == 5


def test_a_home_page_of_a_score_of_dated_posts_is_refused_however_long_they_are():
    posts = "".join(
        f"<article class='post'><h2><a href='/story/{i}'>Story {i}</a></h2>"
        f"<span>Posted Nov {i % 28 + 1}, 2026</span>{paragraphs(5) * 2}</article>"
        for i in range(20)
    )
    with pytest.raises(NotAnArticle) as refused:
        build_record(page(f"<main>{posts}</main>", "/"))
    assert refused.value.kind == "home"
    # a home page with a few dated news items among its prose is not refused for them
    news = "".join(f"<li>Nov {i + 1}, 2026: version {i} released</li>" for i in range(5))
    home = page(f"<main><h1>Radio app</h1>{paragraphs(5)}<ul>{news}</ul></main>", "/")
    assert len(build_record(home).body) >= 5


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("$49.99", True),
        ("$599+", True),
        ("R299", True),
        ("12,50 €", True),
        ("лв872,08 - лв1182,81", True),
        ("1 299 Kč", True),
        ("R$ 89,90", True),
        ("2024", False),
        ("2024 - 2025", False),
        ("Tickets from R150 at the door.", False),
    ],
)
def test_a_price_shown_on_its_own_in_several_currencies(text, tag):
    assert bool(PRICE_TAG.fullmatch(text)) is tag


def test_a_home_page_is_judged_whatever_type_its_json_ld_gives_it():
    # a theme gives the home page the type of its posts
    ld = '<script type="application/ld+json">{"@type": "BlogPosting", "headline": "Home"}</script>'
    posts = "".join(
        f"<article class='post'><h2><a href='/story/{i}'>Story {i}</a></h2>"
        f"<span>Posted Nov {i % 28 + 1}, 2026</span>{paragraphs(5)}</article>"
        for i in range(20)
    )
    with pytest.raises(NotAnArticle) as refused:
        build_record(page(f"<main>{posts}</main>", "/", ld))
    assert refused.value.kind == "home"
    # at a story's address the same JSON-LD makes it an article, whatever it is built of
    assert len(build_record(page(f"<main>{posts}</main>", "/news/story", ld)).body) >= 100

"""Tell article pages from the other pages of a station site, naming what each one is.

Two steps. Before extraction, `page_kind_reason` refuses players, searches, schedules and a
section's front at its bare address (/news) by their URL. Every other kind (archive, author,
show, presenter, podcast, competition, event, contact, home: the URL words are data below, in
several languages; or what the metadata says) is a candidate that `listing_reason` decides on
after extraction. First by what the page is built of (LISTING_SHAPES: prices and cart buttons,
link density, a body of short lines, of headline links, of table rows or of its repeated cards,
a grid of product tiles, a JSON-LD index of its own pages, a few words amid a site's links or on
a page of next to no text, a "Sort by" control, the first page of an archive, headline links
each with its summary, a hub of many headlines at an archive's address, a directory of links, a
menu run together, a landing page at a site's root), whatever prose it has, and a home page by
the dates it shows; then by the prose extraction found: a page whose body reads as an article is
one, whatever its URL. A page whose JSON-LD says it is an article is never refused on structure
(but for a site's home page, which a theme may give its posts' type, and a body that is an index
of links); one whose og:type says so (WordPress gives it to every page) only by LISTING_SHAPES.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from itertools import pairwise
from statistics import median_high
from urllib.parse import parse_qs, urljoin, urlsplit

from lxml import etree, html

from pipelines.clean.metadata import ARTICLE_TYPES, Metadata
from pipelines.clean.text import squash

# The kinds of page a crawl refuses, by the words of their URL path, in several languages. Each
# entry: the kind and a pattern searched in the lower-cased path; its comment lists paths that
# must match (tests/test_classify.py holds them, and article paths that must not).
_SLUG = r"[^/]+"
# fmt: off
_URL_KIND_PATTERNS = (
    # /listen-live/, /player, /player/capital-coast, /listen/hd-stream, /luister-live, /en-vivo
    ("player", r"/(?:listen-?live|listen|live|player|radio-player|stream|live-stream|luister-live|livestream|direct|en-vivo|en-directo)/?$|/(?:listen|player|radio-player|livestream|stream)/[^/]+/?$"),  # noqa: E501
    # /search?q=..., /search-results, /suche, /recherche, /zoeken, /buscar
    ("search", r"/(?:search|suche|recherche|zoeken|buscar)(?:/|$)|/search-results"),
    # /schedule, /program-guide, /sendeplan, /grille-des-programmes, /programmering, /programacion
    ("schedule", r"/(?:schedule|show-schedule|programme|programmes|program-guide|line-?up|sendeplan|programmschema|grille(?:-des-programmes)?|programmering|programacion|programación|guia)/?$"),  # noqa: E501
    # a section's front at its bare address: /news, /blog/, /en/news, /nieuws, /nachrichten, /nuus
    ("section", r"^(?:/[a-z]{2}(?:[-_][a-z]{2})?)?/(?:news|blogs?|latest|latest-news|articles|stories|nieuws|nachrichten|aktuelles|actualites|actualités|noticias|notícias|nuus|berigte)/?$"),  # noqa: E501
    # /category/news/page/3/, /tag/x/, /topics/x, /hub/science, /archive/2024/, /2024/05/12/
    ("archive", rf"/(?:category|categories|tag|tags|topic|topics|hub|archive|archives|rubrique|rubriques|thema|themen|categorie|categoria|categoría|etiqueta|trefwoord)/{_SLUG}(?:/page/\d+)?/?$|/page/\d+/?$|/\d{{4}}/(?:\d{{2}}/){{0,2}}$|/\d{{4}}-\d{{2}}-\d{{2}}/?$"),  # noqa: E501
    # /author/jess/, /authors/x, /auteur/x, /autor/x, /people/ruth-okafor, /staff/x
    ("author", rf"/(?:author|authors|auteur|auteurs|autor|autoren|autores|people|staff)/{_SLUG}/?$"),  # noqa: E501
    # /presenters/x, /djs/x, /hosts/x, /moderatoren/x, /animateurs/x, /presentatoren/x, /locutores/x
    ("presenter", rf"/(?:presenters?|djs?|hosts?|on-air-team|personalities|moderatoren|moderator|animateurs?|animatrices?|presentatoren|presentator|locutores|locutor)/{_SLUG}/?$"),  # noqa: E501
    # /shows/x, /emissions/x, /sendungen/x, /programmas/x (a show's root page), /radio/shows/ (hub)
    ("show", rf"^/(?:{_SLUG}/)?(?:shows?|emissions?|sendungen|sendung|programmas|programma|programas|programa)/{_SLUG}/?$|/(?:shows|all-shows|emissions|sendungen|programmas|programas)/?$"),  # noqa: E501
    # /podcasts/x, /x/episodes, /afleveringen, /folgen, /episodios
    ("podcast", rf"^/(?:{_SLUG}/)?podcasts?/{_SLUG}/?$|/(?:episodes|afleveringen|folgen|episodios)/?$"),  # noqa: E501
    # /competitions/x, /contests/x, /win/x, /gewinnen/x, /gewinnspiel, /concours/x, /winactie/x
    ("competition", rf"/(?:competitions?|contests?|win|giveaways?|gewinnen|gewinnspiele?|concours|jeux-concours|winacties?|prijsvragen|concursos?|sorteos?)(?:/{_SLUG})?/?$"),  # noqa: E501
    # one named event: /events/summer-jam-2026, /eventos/baile-de-fin-de-ano, /agenda/x-y
    ("event", r"/(?:events?|eventos?|evenementen|veranstaltungen|evenements|événements|agenda)/[^/]+-[^/]+/?$"),  # noqa: E501
    # /contact, /contact-us, /kontakt, /contacto, /contactez-nous, /impressum
    ("contact", r"/(?:contact|contact-us|kontakt|contacto|contactez-nous|contacteer-ons|impressum)/?$"),  # noqa: E501
)
# fmt: on
URL_KINDS = tuple((kind, re.compile(pattern)) for kind, pattern in _URL_KIND_PATTERNS)
# never articles, whatever they say (a section's front: no story lives at its bare address)
HARD_KINDS = frozenset(["player", "search", "schedule", "section"])
# Pages about one thing that is not a story: their prose describes it, so it does not count.
SINGLE_PAGE_KINDS = frozenset(["competition", "contact", "event"])
_QUERY_KINDS = {"search": {"s", "q", "query", "search"}, "archive": {"page", "pagina", "seite"}}
_METADATA_KINDS = {"show": "show", "presenter": "presenter", "collection": "listing"}
# (a union of the three tags: twice as fast as testing every element's tag)
_HEADLINE_LINKS = etree.XPath("(//h2|//h3|//h4)[.//a][not(ancestor::nav or ancestor::footer)]")
_PROSE = etree.XPath(
    "//p[not(ancestor::a) and not(.//a) and not(ancestor::nav or ancestor::footer)]"
)
_DATED = etree.XPath("//time | //meta[@property='article:published_time']")
_NO_TEXT = frozenset(["script", "style", "noscript", "template"])
# A price: a currency sign or code beside a number ($129.99, € 12, 12,50 €, R299, 45 zł, 99 kr)
PRICE = re.compile(
    r"(?:[$€£¥₹]|\b(?:USD|EUR|GBP|ZAR|CHF|R)) ?\d|\d(?:[\d.,]*\d)? ?(?:€|zł|kr\b|Kč|EUR\b|CHF\b)"
)
# A shop's buttons, in several languages (English, German, French, Dutch, Spanish, Portuguese,
# Afrikaans): "Add to cart", "In den Warenkorb", "Ajouter au panier", "In winkelwagen",
# "Añadir al carrito", "Adicionar ao carrinho", "Voeg by mandjie"
CART = re.compile(
    r"\b(?:add to (?:cart|bag|basket)|in den (?:warenkorb|einkaufswagen)|ajouter au panier"
    r"|in (?:de )?winkel(?:wagen|mandje)|añadir al carrito|agregar al carrito"
    r"|adicionar ao carrinho|voeg by (?:mandjie|trollie))\b",
    re.I,
)
# A listing's sort control, in several languages: "Sort by", "Sortieren nach", "Trier par",
# "Ordenar por", "Sorteer op", "Sorteer volgens" (Afrikaans), "Classificar por": a short text
# run of its own, never a word in a sentence
SORT_CONTROL = re.compile(
    r"(?:sort(?:ed)? by|sortieren nach|sortiert nach|trier par|tri par|ordenar por"
    r"|sorteer (?:op|volgens)|classificar por)\b[\s:]*\w*(?:[\s:]+\w+)?",
    re.I,
)
SORT_CONTROL_CHARS = 40
_INLINE = frozenset(["p", "a", "span", "b", "i", "em", "strong", "br", "script", "style"])
_ROWS = frozenset(["li", "article", "tr"])
SHORT_LINE = 60  # characters: a body line shorter than this is a title, label or price
# A thin page (LISTING_SHAPES "thin-page"), measured on every corpus: the listing pages it
# refuses give 19 to 70 words and 65 or more links; no article page that does not say it is
# one gives fewer than 75 words, and the one with 75 has 49 links.
THIN_MAX_WORDS = 80
THIN_MIN_LINKS = 50
THIN_MAX_SHARE = 0.12
LISTING_MIN_TEASERS = 6
LISTING_MAX_PROSE_CHARS = 600
# A bare page (LISTING_SHAPES "bare-page"): a shell its scripts fill in, a few words of body on
# a page of under BARE_MAX_TEXT characters of text (measured on every corpus: the shop shells
# of wcxb-dev give 4 and 9 words on 34 and 249 characters; no article page gives fewer than
# 18 words, and the one with 18 shows 1,574 characters).
BARE_MAX_WORDS = 20
BARE_MAX_TEXT = 500
# A short body on a page showing this many prices (LISTING_SHAPES "priced-page": a shop's
# front or category; no article page of under 300 words shows more than 5).
PRICED_PAGE_MIN_PRICES = 30
PRICED_PAGE_MAX_WORDS = 150
# The first page of an archive showing this many prices is a shop's category (LISTING_SHAPES
# "paged-shop"; no article page of any corpus links to a further page of itself).
PAGED_SHOP_MIN_PRICES = 20
# A menu run together (LISTING_SHAPES "menu-page"), measured on every corpus: the pages it
# refuses give 42 and 260 words on 1,218 and 2,780 characters of text; the one article page
# that does not say it is one and has a body without a sentence gives 559 words on 3,791.
MENU_PAGE_MAX_WORDS = 300
MENU_PAGE_MAX_TEXT = 3000
# An archive by its address showing this many headline links is a topic or hub front
# (LISTING_SHAPES "archive-front"; measured on every corpus: the article pages at an archive's
# address show none, wcxb-dev's hub front 71, forum threads at /topic/ addresses up to 27).
ARCHIVE_FRONT_MIN_TEASERS = 24
# An index of links (_link_index): a body of this many lines or more, this share of them the
# text of a link and fewer than this share ending a sentence (measured on every corpus: no
# article's body is over 0.68 link lines; the indexes it refuses 0.81 to 0.99, with at most
# 0.01 of their lines ending a sentence).
LINK_INDEX_MIN_LINES = 20
LINK_INDEX_MIN_LINKS = 0.75
LINK_INDEX_MAX_ENDED = 0.25
# A line that begins with a link's text of this many characters or more (LISTING_SHAPES
# "link-directory")
LINK_LEAD_CHARS = 8
# A site's home page showing this many dates is a front page of dated posts (measured on
# wcxb-dev: news and blog fronts show 20 to 107; product and service home pages at most 10,
# a blog's home that shows one post 5).
FRONT_MIN_DATES = 20
# ... or whose body holds this many dated headlines (short lines holding a date: "Go 1.26 is
# released, 10 February 2026"; no other home page of wcxb-dev's 66 shows more than 5).
FRONT_MIN_DATED_LINES = 6
DATED_LINE_MAX_CHARS = 100
# After extraction: prose that makes a page an article whatever its structure.
ARTICLE_MIN_SENTENCE_PARAGRAPHS = 3  # paragraphs of >= 80 characters ending a sentence
ARTICLE_MIN_WORDS = 400
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)]*$")


def url_kind(url: str) -> str | None:
    """The kind of non-article page the URL names (see URL_KINDS), or None."""
    parts = urlsplit(url)
    path = parts.path.lower()
    if path in ("", "/"):
        return "home"
    for kind, pattern in URL_KINDS:
        if pattern.search(path):
            return kind
    query = set(parse_qs(parts.query))
    return next((kind for kind, keys in _QUERY_KINDS.items() if keys & query), None)


def says_article(meta: Metadata) -> bool:
    """Whether the page's own metadata says it is an article (og:type or JSON-LD type)."""
    return (meta.og_type or "").lower() == "article" or bool(meta.ld_types & ARTICLE_TYPES)


def page_kind_reason(url: str, meta: Metadata) -> str | None:
    """Before extraction: players, searches and schedules, refused whatever the page says."""
    if "SearchResultsPage" in meta.ld_types:
        return "search"
    kind = url_kind(url)
    return kind if kind in HARD_KINDS else None


def _ld_article(url: str, meta: Metadata) -> bool:
    """Whether the page's JSON-LD says it is an article, on a page other than the site's home
    (a theme gives the home page the type of its posts: there it counts as og:type does)."""
    return bool(meta.ld_types & ARTICLE_TYPES) and url_kind(url) != "home"


def candidate_kind(url: str, meta: Metadata) -> str | None:
    """The kind of non-article page the URL or metadata names, unless JSON-LD says "article"
    (og:type "article" does not count: WordPress gives it to every page). listing_reason
    decides on it after extraction."""
    if _ld_article(url, meta):
        return None
    if "Event" in meta.ld_types:
        return "event"
    return url_kind(url) or _METADATA_KINDS.get(meta.page_kind or "")


@dataclass(frozen=True)
class PageShape:
    """What the page is built of, read before any clutter is removed (see teaser_structure)."""

    teasers: int  # headline links (h2-h4 holding a link) outside nav and footer
    prose: int  # characters of unlinked paragraph text outside nav and footer
    link_density: float  # share of the page's text that is link text
    links: int  # links (<a href>) on the page
    text_chars: int  # characters of the page's text runs
    text: str  # the page's text runs, joined (see `prices`)
    claims_article: bool  # og:type "article": WordPress gives it to every page
    cards: str  # the texts of repeated teaser cards (see _card_groups), one a line
    headed_cards: str  # the texts of those that hold a headline link (h2-h4), one a line
    shop_type: bool  # og:type "product" or "product.group": a shop's page
    sort_controls: int  # "Sort by" controls (SORT_CONTROL)
    grid: str  # the texts of its largest grid of teasers for its own pages (_teaser_grid)
    product_tiles: int  # cards in its largest grid of product tiles (_product_tiles)
    listed_pages: int  # distinct own pages its JSON-LD ItemLists name (Metadata.listed_urls)
    dated: bool  # with listed pages: it shows a date (<time>, article:published_time)
    dates: int  # on a site's home page only: its text runs holding a date (TEASER_DATE)
    hrefs: tuple[str | None, ...]  # the href of every link, in order (see `paged`)
    url: str  # the page's address

    @cached_property
    def paged(self) -> bool:
        """It links to a further page of itself as an archive does (see _paged; read when a
        rule asks)."""
        return _paged(self.hrefs, self.url)

    @cached_property
    def prices(self) -> int:
        """Prices and "add to cart" buttons in the page's text (read when a rule asks)."""
        return len(PRICE.findall(self.text)) + len(CART.findall(self.text))


@dataclass(frozen=True)
class BodyShape:
    """What the extracted body is made of (see body_shape)."""

    words: int
    chars: int
    short: float  # share of its lines shorter than SHORT_LINE: titles, labels, prices
    links: float  # share of its lines that are the text of a link: headlines of other pages
    priced: float  # share of its lines that carry a price
    sentences: float  # share of its text in sentence paragraphs (80+ characters) that are not links
    in_cards: float  # share of its text found inside repeated teaser cards
    in_headed_cards: float  # share of its text found inside cards that hold a headline link
    in_grid: float  # share of its text found inside the page's grid of teasers
    table: float  # share of its text in table rows (cells joined by " | ")
    after_links: float  # share of its lines that are not link texts and follow one: summaries
    lines: int  # its lines (paragraphs)
    link_led: float  # share of its lines that begin with a link's text and go on past it
    ended: float  # share of its lines that end a sentence, whatever their length


# Pages that are listings by what they are built of, whatever prose they have: one named line
# each, measured on wcxb-dev (bench/quality.py), where none of them matches an article page.
LISTING_SHAPES: tuple[tuple[str, Callable[[PageShape, BodyShape], bool]], ...] = (
    # a shop's grid: prices and "add to cart" all over a link-heavy page, little sentence prose
    ("shop-grid", lambda p, b: p.link_density >= 0.35 and b.sentences < 0.6 and p.prices >= 45),
    # three quarters of the page's text is link text and it has little paragraph prose
    ("link-page", lambda p, b: p.link_density >= 0.75 and p.prose <= 1500 and b.sentences < 0.5),
    # a body of short lines (titles, labels, prices) with almost no sentences
    ("line-list", lambda p, b: b.short >= 0.75 and b.sentences <= 0.2 and p.link_density >= 0.3),
    # a short body where one line in five or more carries a price
    ("price-list", lambda p, b: b.priced >= 0.2 and b.words <= 600 and b.sentences <= 0.25),
    # a body of headline links on a page of headline teasers
    ("headline-list", lambda p, b: b.links >= 0.4 and p.teasers >= 6 and b.sentences < 0.5),
    # a short body found almost all inside repeated teaser cards (result rows, posts, tiles,
    # a directory's entries), not mostly sentence prose (a lesson page keeps its cards' intro
    # paragraph: wcxb 2157, 87% sentences)
    ("card-list", lambda p, b: b.in_cards >= 0.9 and b.words <= 500 and b.sentences < 0.7),
    # six or more headline links and next to no paragraph prose beside them, the body found in
    # repeated cards that hold them: an index of issues, reviews or courses (a summary under
    # each headline; a forum thread's posts hold none)
    (
        "card-teasers",
        lambda p, b: (
            p.teasers >= LISTING_MIN_TEASERS
            and p.prose < LISTING_MAX_PROSE_CHARS * p.teasers / 6
            and b.in_headed_cards >= 0.8
        ),
    ),
    # a body of table rows with next to no sentences: standings, results, charts
    ("table-page", lambda p, b: b.table >= 0.6 and b.sentences < 0.2),
    # a page that does not say it is an article, whose body is a few lines (a shop or catalogue
    # rendered by script, a landing page) amid a site's worth of links: under THIN_MAX_WORDS
    # words, a tenth of the page's text or less, THIN_MIN_LINKS links or more
    (
        "thin-page",
        lambda p, b: (
            not p.claims_article
            and b.words < THIN_MAX_WORDS
            and p.links >= THIN_MIN_LINKS
            and b.chars <= THIN_MAX_SHARE * p.text_chars
        ),
    ),
    # a shop's page by its own metadata (og:type product or product.group)
    ("shop-page", lambda p, b: p.shop_type),
    # a page of priced items with a "Sort by" control: a shop's category
    ("sorted-shop", lambda p, b: p.sort_controls >= 1 and p.prices >= 10),
    # a body a quarter or more the cards of a grid of teasers for the site's own pages (a
    # section front, a topic page: see _teaser_grid; no article's body is a ninth of one)
    ("teaser-grid", lambda p, b: b.in_grid >= 0.25),
    # a grid of a dozen or more product tiles, whatever prose the page has around it (a shop's
    # category page with an SEO text: see _product_tiles)
    ("product-grid", lambda p, b: p.product_tiles >= GRID_MIN_CARDS),
    # an undated page whose own JSON-LD is an index of the site's pages (an ItemList of
    # ListItem urls: a topic, category or recipe collection), whatever prose it has
    ("item-list", lambda p, b: p.listed_pages >= LISTING_MIN_TEASERS and not p.dated),
    # the first page of an archive (it links to its own /page/2 or ?page=2: no article page
    # of any corpus does, whatever JSON-LD does not call an article) of six or more headline
    # links with little paragraph prose for them: a category or topic front with an intro,
    # whatever its og:type says
    (
        "paged-teasers",
        lambda p, b: (
            p.teasers >= LISTING_MIN_TEASERS
            and p.prose < LISTING_MAX_PROSE_CHARS * p.teasers / 6
            and p.paged
        ),
    ),
    # the first page of an archive whose body is found in its repeated cards: a directory's
    # entries of a sentence or two each (a forum thread's first page of posts too)
    ("paged-cards", lambda p, b: b.in_cards >= 0.9 and p.paged),
    # a few words of body on a page with next to no text at all: a shell its scripts fill in
    # (see BARE_MAX_TEXT)
    ("bare-page", lambda p, b: b.words < BARE_MAX_WORDS and p.text_chars < BARE_MAX_TEXT),
    # a short body three quarters in repeated cards with next to no sentences (a front of
    # headlines and labels); see card-list for one nearly all in cards
    ("card-lines", lambda p, b: b.in_cards >= 0.75 and b.words <= 500 and b.sentences < 0.2),
    # a "Sort by" control and next to no sentence prose: a list of results (the one article
    # of wcxb-dev with such a control has 98% sentences)
    ("sorted-list", lambda p, b: p.sort_controls >= 1 and b.sentences < 0.3),
    # a short body on a page showing many prices: a shop's front or category page (see
    # PRICED_PAGE_MIN_PRICES)
    (
        "priced-page",
        lambda p, b: b.words < PRICED_PAGE_MAX_WORDS and p.prices >= PRICED_PAGE_MIN_PRICES,
    ),
    # the first page of an archive (see paged-teasers) showing PAGED_SHOP_MIN_PRICES prices or
    # more: a shop's category, whatever its text about them
    ("paged-shop", lambda p, b: p.prices >= PAGED_SHOP_MIN_PRICES and p.paged),
    # an archive by its address (URL_KINDS; a home page is a front page by its dates) whose
    # body is its headline links (six or more h2-h4), each followed by its summary and next to
    # nothing else (a listicle's items hold more than one paragraph each, and its address
    # names no archive)
    (
        "headline-summaries",
        lambda p, b: (
            p.teasers >= LISTING_MIN_TEASERS
            and b.links >= 0.4
            and b.after_links >= 0.75
            and url_kind(p.url) not in (None, "home")
        ),
    ),
    # an archive by its address (URL_KINDS: a topic or hub front) showing
    # ARCHIVE_FRONT_MIN_TEASERS headline links or more, whatever prose their summaries give
    (
        "archive-front",
        lambda p, b: p.teasers >= ARCHIVE_FRONT_MIN_TEASERS and url_kind(p.url) == "archive",
    ),
    # a body of eight lines or more nearly all of which begin with the text of a link and go
    # on to say what it leads to: a directory of links (a library guide, a resource page);
    # an article's paragraphs seldom begin with a link (measured on every corpus: at most 3 of 5
    # lines, 7 of 13)
    ("link-directory", lambda p, b: b.lines >= 8 and b.link_led >= 0.9),
    # a site's home page whose body is mostly short lines (headings, taglines, buttons) and
    # little sentence prose: a landing page (the articles of every corpus at a site's root read
    # as prose: 81% sentences or more)
    (
        "landing-home",
        lambda p, b: b.short >= 0.5 and b.sentences < 0.7 and url_kind(p.url) == "home",
    ),
    # a body of long lines of which not one ends a sentence, on a small page that does not say
    # it is an article: a site's menu or cart run together, its content drawn by script (see
    # MENU_PAGE_MAX_TEXT); a brief of sentences under 80 characters ends them, so it stays
    (
        "menu-page",
        lambda p, b: (
            b.ended == 0
            and b.short == 0
            and BARE_MAX_WORDS <= b.words < MENU_PAGE_MAX_WORDS
            and p.text_chars < MENU_PAGE_MAX_TEXT
            and not p.claims_article
        ),
    ),
)


def teaser_structure(root: html.HtmlElement, meta: Metadata, url: str) -> PageShape | None:
    """The page's shape, or None when its JSON-LD says it is an article (never refused on
    structure; see _ld_article). `url`: the page's address (whose links are its own)."""
    if _ld_article(url, meta):
        return None
    texts, anchors, repeated = _walk(root)
    text = " ".join(texts)
    text_chars = sum(map(len, texts))
    linked = sum(len(t.strip()) for a in anchors for t in a.itertext())
    hrefs = tuple(a.get("href") for a in anchors)
    groups = [(cards, [squash(c.text_content()) for c in cards]) for cards in repeated]
    headlines = _HEADLINE_LINKS(root)
    holders = {el for heading in headlines for el in heading.iterancestors()}
    return PageShape(
        teasers=len(headlines),
        prose=sum(len(squash(p.text_content())) for p in _PROSE(root)),
        link_density=linked / max(1, text_chars),
        links=sum(1 for href in hrefs if href),
        text_chars=text_chars,
        text=text,
        claims_article=says_article(meta),
        cards="\n".join(card for _, card_texts in groups for card in card_texts),
        headed_cards="\n".join(
            text
            for cards, card_texts in groups
            for card, text in zip(cards, card_texts, strict=True)
            if card in holders
        ),
        shop_type=(meta.og_type or "").lower() in ("product", "product.group"),
        sort_controls=sum(
            1 for t in texts if len(t) <= SORT_CONTROL_CHARS and SORT_CONTROL.fullmatch(t)
        ),
        grid=max((_teaser_grid(*group, url) for group in groups), key=len, default=""),
        product_tiles=max((_product_tiles(*group, url) for group in groups), default=0),
        listed_pages=(listed := _own_pages(meta.listed_urls, url)),
        dated=listed > 0 and bool(_DATED(root)),
        dates=sum(1 for t in texts if TEASER_DATE.search(t)) if url_kind(url) == "home" else 0,
        hrefs=hrefs,
        url=url,
    )


# a link that may lead to a further page: "page" or an archive query word of _QUERY_KINDS
_PAGE_HREF = re.compile(r"page|pagina|seite", re.I)
_PAGE_PATH = re.compile(r"/page/\d+")


def _paged(hrefs: Iterable[str | None], url: str) -> bool:
    """Whether a link leads to a further page of this one as an archive's do: its own path
    followed by /page/2, or with ?page=2 (the archive query words of _QUERY_KINDS)."""
    here = urlsplit(url).path.rstrip("/")
    for href in hrefs:
        if not href or not _PAGE_HREF.search(href):
            continue
        try:
            link = urlsplit(urljoin(url, href.strip()))
        except ValueError:  # a malformed URL names no page
            continue
        path = link.path.rstrip("/")
        if path.startswith(f"{here}/page/") and _PAGE_PATH.fullmatch(path[len(here) :]):
            return True
        if path == here and set(parse_qs(link.query)) & _QUERY_KINDS["archive"]:
            return True
    return False


def listing_reason(
    root: html.HtmlElement,
    meta: Metadata,
    body: list[str],
    candidate: str | None,
    structure: PageShape | None,
) -> str | None:
    """After extraction: why the page is not an article, or None. A competition, contact or
    event page never is; a page built of teasers (`structure`, from teaser_structure; None
    for pages whose JSON-LD says "article") is a listing whatever prose it has, and a home
    page showing FRONT_MIN_DATES dates (or FRONT_MIN_DATED_LINES dated headlines in its
    body) a front page; any other page whose extracted body
    reads as an article is one; otherwise the `candidate` kind
    (from candidate_kind), or 'listing' when it is built of headline links."""
    if candidate in SINGLE_PAGE_KINDS:
        return candidate
    links = cache(lambda: _link_texts(root))  # one walk of the page's links, when needed
    if _link_index(body, links):
        return candidate or "listing"  # whatever its metadata says
    if structure is None and candidate is None:
        return None  # nothing names another kind: an article, whatever its length
    if structure is not None and _built_of_teasers(body, structure, links()):
        return candidate or "listing"
    if structure is not None and structure.claims_article and candidate is None:
        return None
    if candidate == "home" and structure is not None and _front_page(body, structure):
        return candidate  # a front page of dated posts, however long their summaries
    if _has_prose(body, links):
        return None
    if candidate is not None or structure is None:
        return candidate
    if meta.ld_types & {"CollectionPage", "ItemList"} or (
        structure.teasers >= LISTING_MIN_TEASERS
        and structure.prose < LISTING_MAX_PROSE_CHARS * structure.teasers / 6
    ):
        return "listing"
    if not body:
        return "listing" if structure.teasers else None  # headlines of other pages only
    teasers_text = links() | _card_texts(root)
    if sum(len(p) for p in body if p in teasers_text) * 2 >= sum(map(len, body)):
        return "listing"  # what little text it has is mostly headlines and teasers of others
    return None


def _link_index(body: list[str], links: Callable[[], set[str]]) -> bool:
    """Whether the body is an index of links (a "List of" page, a chart, a site map): many
    lines, nearly all the text of a link (`links()` gives the page's link texts), next to none
    ending a sentence (see LINK_INDEX_MIN_LINES)."""
    lines = len(body)
    if lines < LINK_INDEX_MIN_LINES:
        return False
    if sum(1 for p in body if _SENTENCE_END.search(p)) >= LINK_INDEX_MAX_ENDED * lines:
        return False
    texts = links()
    return sum(1 for p in body if p in texts) >= LINK_INDEX_MIN_LINKS * lines


def _front_page(body: list[str], page: PageShape) -> bool:
    """Whether a home page shows a front page of dated posts (see FRONT_MIN_DATES)."""
    if page.dates >= FRONT_MIN_DATES:
        return True
    dated = (p for p in body if len(p) <= DATED_LINE_MAX_CHARS and TEASER_DATE.search(p))
    return sum(1 for _ in dated) >= FRONT_MIN_DATED_LINES


def _built_of_teasers(body: list[str], page: PageShape, links: set[str]) -> bool:
    """Whether the page is a listing by what it is built of, whatever prose it has."""
    if not body:
        return False
    shape = body_shape(body, links, page.cards, page.grid, page.headed_cards)
    return any(rule(page, shape) for _, rule in LISTING_SHAPES)


def _has_prose(body: list[str], links: Callable[[], set[str]]) -> bool:
    """Whether the extracted body reads as an article: enough words, or several sentence
    paragraphs that are not the text of a link (a teaser headline; `links()` gives the page's
    link texts)."""
    if sum(len(p.split()) for p in body) >= ARTICLE_MIN_WORDS:
        return True
    candidates = [p for p in body if len(p) >= 80 and _SENTENCE_END.search(p)]
    if len(candidates) < ARTICLE_MIN_SENTENCE_PARAGRAPHS:
        return False
    texts = links()
    return sum(1 for p in candidates if p not in texts) >= ARTICLE_MIN_SENTENCE_PARAGRAPHS


def _link_texts(root: html.HtmlElement) -> set[str]:
    return {squash(a.text_content()) for a in root.iter("a")}


def _card_texts(root: html.HtmlElement) -> set[str]:
    """The paragraphs of teaser cards: blocks beside a headline link in the same element."""
    return {
        squash(p.text_content())
        for heading in _HEADLINE_LINKS(root)
        if (card := heading.getparent()) is not None
        for p in card.iter("p", "div", "span")
        if p is not heading
    }


def _walk(
    root: html.HtmlElement,
) -> tuple[list[str], list[html.HtmlElement], list[list[html.HtmlElement]]]:
    """One walk of the tree: its text runs (stripped; no scripts and styles), its links (<a>)
    and its groups of repeated teaser cards (see _card_groups)."""
    texts: list[str] = []
    anchors = []
    cards = []
    for el in root.iter():
        tag = el.tag
        if el.text and tag not in _NO_TEXT and (text := el.text.strip()):
            texts.append(text)
        if el.tail and (tail := el.tail.strip()):
            texts.append(tail)
        if tag == "a":
            anchors.append(el)
        if len(el) >= 4:
            cards.extend(_card_groups(el))
    return texts, anchors, cards


def body_shape(
    body: list[str], links: set[str], cards: str = "", grid: str = "", headed: str = ""
) -> BodyShape:
    """How the extracted body reads (`links`: the page's link texts; `cards`: the texts of
    its repeated teaser cards; `grid`: those of its grid of teasers; `headed`: those of its
    cards that hold a headline link)."""
    total = sum(map(len, body))
    count, chars = max(1, len(body)), max(1, total)
    sentences = [p for p in body if len(p) >= 80 and _SENTENCE_END.search(p) and p not in links]
    return BodyShape(
        words=sum(len(p.split()) for p in body),
        chars=total,
        short=sum(1 for p in body if len(p) < SHORT_LINE) / count,
        links=sum(1 for p in body if p in links) / count,
        priced=sum(1 for p in body if PRICE.search(p)) / count,
        sentences=sum(map(len, sentences)) / chars,
        in_cards=sum(len(p) for p in body if cards and p in cards) / chars,
        in_headed_cards=sum(len(p) for p in body if headed and p in headed) / chars,
        in_grid=sum(len(p) for p in body if grid and p in grid) / chars,
        table=sum(len(p) for p in body if p.count(" | ") >= 2) / chars,
        after_links=_after_links(body, links),
        lines=len(body),
        link_led=_link_led(body, links),
        ended=sum(1 for p in body if _SENTENCE_END.search(p)) / count,
    )


def _link_led(body: list[str], links: set[str]) -> float:
    """The share of the body's lines that begin with the text of a link (of LINK_LEAD_CHARS or
    more) and go on past it: a directory's entries, a name and what it is."""
    heads: dict[str, list[str]] = defaultdict(list)
    for text in links:
        if len(text) >= LINK_LEAD_CHARS:
            heads[text[:LINK_LEAD_CHARS]].append(text)
    led = sum(
        1
        for p in body
        if any(len(p) > len(t) and p.startswith(t) for t in heads.get(p[:LINK_LEAD_CHARS], ()))
    )
    return led / max(1, len(body))


def _after_links(body: list[str], links: set[str]) -> float:
    """The share of the body's lines that are not the text of a link, found right after one
    that is (a headline link and its summary)."""
    linked = [p in links for p in body]
    own = sum(1 for is_link in linked if not is_link)
    follow = sum(1 for before, is_link in pairwise(linked) if before and not is_link)
    return follow / max(1, own)


def _card_groups(parent: html.HtmlElement) -> Iterable[list[html.HtmlElement]]:
    """Groups of repeated teaser cards among the children of `parent`: four or more sibling
    blocks of one tag and class (or list items, articles, table rows), three quarters of them
    holding a link (each group: its linked blocks)."""
    groups: dict[tuple, list] = defaultdict(list)
    for child in parent:
        tag = child.tag
        if isinstance(tag, str) and tag not in _INLINE and (child.get("class") or tag in _ROWS):
            groups[(tag, child.get("class"))].append(child)
    for blocks in groups.values():
        if len(blocks) < 4:
            continue
        linked = [b for b in blocks if _first_link(b) is not None]
        if len(linked) >= 0.75 * len(blocks):
            yield linked


def _first_link(block: html.HtmlElement) -> html.HtmlElement | None:
    """The first link (<a href>) inside `block` (what `.//a[@href]` finds)."""
    return next((a for a in block.iterdescendants("a") if a.get("href") is not None), None)


# A grid of teasers (measured on wcxb-dev, AEB and fundus-eval, where no article has one
# that holds half its body): cards of which three quarters lead to distinct own pages, and
# either a dozen or more whose median text is a headline and a blurb, a fifth of it or more
# link text, or six or more, most of them dated, whose median text is a longer summary.
GRID_MIN_CARDS = 12
TEASER_MAX_CHARS = 500
TEASER_MIN_LINK_SHARE = 0.2
DATED_GRID_MIN_CARDS = 6
DATED_TEASER_MAX_CHARS = 1000
_MONTH_WORDS = (  # English, German, French, Dutch, Spanish, Portuguese (Afrikaans: Dutch's)
    "january february march april may june july august september october november december"
    " januar februar märz juni juli oktober dezember janvier février mars avril mai juin"
    " juillet août septembre octobre novembre décembre januari februari maart mei augustus"
    " enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre"
    " diciembre janeiro fevereiro março maio junho julho setembro outubro novembro dezembro"
)
_MONTHS = {*_MONTH_WORDS.split(), *(rf"{m[:3]}\.?" for m in _MONTH_WORDS.split())}
_MONTH = "(?:{})".format("|".join(sorted(_MONTHS, key=len, reverse=True)))
# A teaser's date: "Dec 5", "5 décembre 2025", "12/05/2025", "2025-12-05", "3 hours ago"
TEASER_DATE = re.compile(
    rf"\b(?:{_MONTH} \d{{1,2}}\b|\d{{1,2}}\.? (?:de )?{_MONTH}(?!\w)"
    r"|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b|\d{4}-\d{2}-\d{2}\b"
    r"|\d+ (?:minutes?|hours?|days?|weeks?) ago\b)",
    re.I,
)


def _teaser_grid(cards: list[html.HtmlElement], texts: list[str], url: str) -> str:
    """The `texts` of `cards` (one a line) when they are a grid of teasers for the site's own
    pages (see GRID_MIN_CARDS), else ""."""
    if len(cards) < DATED_GRID_MIN_CARDS:
        return ""
    if not (_short_teasers(cards, texts) or _dated_teasers(cards, texts)):
        return ""
    return "\n".join(texts) if _own_targets(cards, url) >= 0.75 * len(cards) else ""


def _own_targets(cards: list[html.HtmlElement], url: str) -> int:
    """How many distinct pages of the site of `url` the cards' first links lead to."""
    return _own_pages((_first_link(card).get("href", "") for card in cards), url)


def _own_pages(hrefs: Iterable[str], url: str) -> int:
    """How many distinct pages of the site of `url` (other than its home) `hrefs` name."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    targets = set()
    for href in hrefs:
        try:
            link = urlsplit(urljoin(url, href.strip()))
            own = (link.hostname or "").removeprefix("www.") == host
        except ValueError:  # a malformed URL names no page
            continue
        if own and link.path.strip("/"):
            targets.add((link.path, link.query))
    return len(targets)


def _short_teasers(cards: list[html.HtmlElement], texts: list[str]) -> bool:
    """A dozen cards or more of a headline and a blurb (see GRID_MIN_CARDS)."""
    if len(cards) < GRID_MIN_CARDS or median_high(len(t) for t in texts) > TEASER_MAX_CHARS:
        return False
    linked = [sum(len(squash(a.text_content())) for a in card.iter("a")) for card in cards]
    shares = (n / max(1, len(t)) for n, t in zip(linked, texts, strict=True))
    return median_high(shares) >= TEASER_MIN_LINK_SHARE


def _dated_teasers(cards: list[html.HtmlElement], texts: list[str]) -> bool:
    """Cards of a summary each, most of them dated (see DATED_GRID_MIN_CARDS)."""
    if median_high(len(t) for t in texts) > DATED_TEASER_MAX_CHARS:
        return False
    dated = sum(
        1
        for card, text in zip(cards, texts, strict=True)
        if next(card.iterdescendants("time"), None) is not None or TEASER_DATE.search(text)
    )
    return dated >= 0.5 * len(cards)


# A grid of product tiles (measured on every corpus: no article, product, forum, service or
# documentation page has one): GRID_MIN_CARDS or more cards whose median text is a name and a
# few labels, nine in ten of them with a picture and a price shown as a text of its own, three
# quarters leading to distinct own pages. A review or a listing of services is longer.
TILE_MAX_CHARS = 300
# A price shown on its own, "from" prices and ranges too: "$49.99", "$599+", "R299", "€ 12",
# "12,50 €", "45 zł", "CHF 120", "лв872,08 - лв1182,81", "1 299 Kč", "R$ 89,90"
_CURRENCY = r"[$€£¥₹₽₺₩]|R\$|USD|EUR|GBP|ZAR|CHF|AUD|CAD|SEK|NOK|DKK|PLN|CZK|R|лв|zł|kr|Kč|Ft|lei"
_AMOUNT = rf"(?:(?:{_CURRENCY}) ?\d[\d., ]*|\d[\d., ]* ?(?:{_CURRENCY}))"
PRICE_TAG = re.compile(rf"{_AMOUNT}(?: ?[-–] ?{_AMOUNT})?\+?")


def _product_tiles(cards: list[html.HtmlElement], texts: list[str], url: str) -> int:
    """len(cards) when they are a grid of product tiles (see TILE_MAX_CHARS), else 0."""
    if len(cards) < GRID_MIN_CARDS or median_high(len(t) for t in texts) > TILE_MAX_CHARS:
        return 0
    tiles = sum(
        1
        for card in cards
        if next(card.iter("img", "picture"), None) is not None
        and any(PRICE_TAG.fullmatch(t.strip()) for t in card.itertext())
    )
    if tiles < 0.9 * len(cards) or _own_targets(cards, url) < 0.75 * len(cards):
        return 0
    return len(cards)

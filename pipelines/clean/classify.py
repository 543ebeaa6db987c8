"""Tell article pages from the other pages of a station site, naming what each one is.

Two steps. Before extraction, `page_kind_reason` refuses players, searches and schedules by
their URL. Every other kind (archive, author, show, presenter, podcast, competition, event,
contact, home: the URL words are data below, in several languages; or what the metadata
says) is a candidate that `listing_reason` decides on after extraction, weighing it and the
page's teaser structure against the prose extraction found: a page whose body reads as an
article is one, whatever its URL. A page that says it is an article (og:type, JSON-LD) is
never refused on structure alone.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

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
    # /category/news/page/3/, /tag/x/, /topics/x, /archive/2024/, /2024/05/12/, /2024-05-12
    ("archive", rf"/(?:category|categories|tag|tags|topic|topics|archive|archives|rubrique|rubriques|thema|themen|categorie|categoria|categoría|etiqueta|trefwoord)/{_SLUG}(?:/page/\d+)?/?$|/page/\d+/?$|/\d{{4}}/(?:\d{{2}}/){{0,2}}$|/\d{{4}}-\d{{2}}-\d{{2}}/?$"),  # noqa: E501
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
HARD_KINDS = frozenset(["player", "search", "schedule"])  # never articles, whatever they say
# Pages about one thing that is not a story: their prose describes it, so it does not count.
SINGLE_PAGE_KINDS = frozenset(["competition", "contact", "event"])
_QUERY_KINDS = {"search": {"s", "q", "query", "search"}, "archive": {"page", "pagina", "seite"}}
_METADATA_KINDS = {"show": "show", "presenter": "presenter", "collection": "listing"}
_HEADLINE_LINKS = etree.XPath(
    "//*[self::h2 or self::h3 or self::h4][.//a][not(ancestor::nav or ancestor::footer)]"
)
_PROSE = etree.XPath(
    "//p[not(ancestor::a) and not(.//a) and not(ancestor::nav or ancestor::footer)]"
)
LISTING_MIN_TEASERS = 6
LISTING_MAX_PROSE_CHARS = 600
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


def candidate_kind(url: str, meta: Metadata) -> str | None:
    """The kind of non-article page the URL or metadata names, unless JSON-LD says "article"
    (og:type "article" does not count: WordPress gives it to every page). listing_reason
    decides on it after extraction."""
    if meta.ld_types & ARTICLE_TYPES:
        return None
    if "Event" in meta.ld_types:
        return "event"
    return url_kind(url) or _METADATA_KINDS.get(meta.page_kind or "")


def teaser_structure(root: html.HtmlElement) -> tuple[int, int]:
    """(headline links, characters of unlinked paragraph text) outside nav and footer, read
    before any clutter is removed."""
    teasers = len(_HEADLINE_LINKS(root))
    return teasers, sum(len(squash(p.text_content())) for p in _PROSE(root))


def listing_reason(
    root: html.HtmlElement,
    meta: Metadata,
    body: list[str],
    candidate: str | None,
    structure: tuple[int, int] | None,
) -> str | None:
    """After extraction: why the page is not an article, or None. A competition, contact or
    event page never is; any other page whose extracted body reads as an article is;
    otherwise the `candidate` kind (from candidate_kind), or
    'listing' when it is built of headline links (`structure`, from teaser_structure; None
    for pages whose metadata says "article")."""
    if candidate in SINGLE_PAGE_KINDS:
        return candidate
    if candidate is None and structure is None:
        return None  # nothing names another kind: an article, whatever its length
    if _has_prose(root, body):
        return None
    if candidate is not None or structure is None:
        return candidate
    teasers, prose = structure
    if meta.ld_types & {"CollectionPage", "ItemList"} or (
        teasers >= LISTING_MIN_TEASERS and prose < LISTING_MAX_PROSE_CHARS * teasers / 6
    ):
        return "listing"
    if not body:
        return "listing" if teasers else None  # headlines of other pages and nothing else
    teasers_text = _link_texts(root) | _card_texts(root)
    if sum(len(p) for p in body if p in teasers_text) * 2 >= sum(map(len, body)):
        return "listing"  # what little text it has is mostly headlines and teasers of others
    return None


def _has_prose(root: html.HtmlElement, body: list[str]) -> bool:
    """Whether the extracted body reads as an article: enough words, or several sentence
    paragraphs that are not the text of a link (a teaser headline)."""
    if sum(len(p.split()) for p in body) >= ARTICLE_MIN_WORDS:
        return True
    candidates = [p for p in body if len(p) >= 80 and _SENTENCE_END.search(p)]
    if len(candidates) < ARTICLE_MIN_SENTENCE_PARAGRAPHS:
        return False
    links = _link_texts(root)
    return sum(1 for p in candidates if p not in links) >= ARTICLE_MIN_SENTENCE_PARAGRAPHS


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

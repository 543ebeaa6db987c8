"""Article metadata from the page: profile selectors first, then JSON-LD, og:/meta tags and
generic markup, with trafilatura's date finder as the last resort."""

from __future__ import annotations

import json
import re
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher
from html import unescape
from itertools import chain
from string import ascii_lowercase, ascii_uppercase

from lxml import etree, html

from pipelines.clean.clutter import required_strings, rule_by_name
from pipelines.clean.text import fold, squash, text_content, text_with_breaks
from pipelines.core.dates import parse_date
from pipelines.core.urls import absolute_url, url_path

ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "BlogPosting",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "Report",
        "SocialMediaPosting",
        "LiveBlogPosting",
        "TechArticle",
        "PodcastEpisode",
    }
)
# Chrome and cards, tested on an element's ancestors in Python: an XPath per element costs
# more than walking them (lxml sets up a context for each).


def _in_chrome(el: etree._Element) -> bool:
    """Whether `el` is inside a nav, footer or aside."""
    return next(el.iterancestors("nav", "footer", "aside"), None) is not None


def _in_page_chrome(el: etree._Element) -> bool:
    """Whether `el` is inside a nav, an aside or the page's footer (one outside any article:
    an article's own footer, Drupal's node__meta, may hold its byline and tags)."""
    footer = False  # a footer below this ancestor, with no article between
    for a in el.iterancestors():
        if a.tag in ("nav", "aside"):
            return True
        if a.tag == "footer":
            footer = True
        elif a.tag == "article":
            footer = False
    return footer


def _in_card(el: etree._Element) -> bool:
    """Whether `el` or an ancestor has a card, teaser, related or promo (not promoted) class
    (case-sensitive)."""
    for a in chain((el,), el.iterancestors()):
        cls = a.get("class")
        if cls and (
            "card" in cls
            or "teaser" in cls
            or "related" in cls
            or ("promo" in cls and "promoted" not in cls)
        ):
            return True
    return False


def _outside_chrome_and_cards(el: etree._Element) -> bool:
    return not _in_chrome(el) and not _in_card(el)


_ASCII_LOWER = str.maketrans(ascii_uppercase, ascii_lowercase)


def _class_words(el: etree._Element) -> str:
    """The element's class attribute ('' without one) with its ASCII letters in lower case
    (other letters as they are). Class words are tested in Python: an XPath test of every
    element's class (translate(@class, ...)) costs more."""
    cls = el.get("class") or ""
    return cls.lower() if cls.isascii() else cls.translate(_ASCII_LOWER)


_CREDIT_WORDS = ("credit", "copyright", "source", "photographer", "attribution")
_CAPTION_CREDIT_WORDS = tuple(w for w in _CREDIT_WORDS if w != "source")


# A standfirst: a p/div/h2/span/h3 with a summary-like class, after the h1, outside chrome and
# cards. The class test runs in Python (as an XPath regex it costs a callback per element),
# the structural tests only on the few elements whose class passes it.
_STANDFIRST_TAGS = ("p", "div", "h2", "span", "h3")
_STANDFIRST_CLASS = re.compile(
    r"(^|[\s_-])(standfirst|dek|deck|sub-?title|subhead(line)?|summary|excerpt|intro|lede"
    r"|strapline|description|synopsis)([\s_-]|$)",
    re.I,
)
_SITE_CLASS = re.compile("site-|tagline", re.I)


def _standfirst_place(el: etree._Element) -> bool:
    """Whether a standfirst-classed element stands where a standfirst does: after an h1,
    outside chrome and cards, without a site- or tagline class."""
    return (
        not _SITE_CLASS.search(el.get("class") or "")
        and _outside_chrome_and_cards(el)
        and _after_h1(el)
    )


def _after_h1(el: etree._Element) -> bool:
    """Whether an h1 comes before `el` in the page, not around it (XPath's preceding::h1)."""
    for a in chain((el,), el.iterancestors()):
        for before in a.itersiblings(preceding=True):
            if next(before.iter("h1"), None) is not None:
                return True
    return False


# What may follow a paragraph beside the headline that is not the start of running text.
_RUNNING_TEXT = frozenset({"p", "ul", "ol", "blockquote", "table", "dl"})
_XML_SPACES = re.compile("[ \t\r\n]*")  # what XPath's normalize-space() strips


def _standfirst_shown_places(root: html.HtmlElement):
    """The paragraphs beside a headline (later siblings of an h1) outside chrome, that are not
    the start of running text: the next sibling with text is not a paragraph, list, quote or
    table (one beside two headlines comes twice)."""
    for h1 in root.iter("h1"):
        for p in h1.itersiblings("p"):
            following = next(
                (
                    s
                    for s in p.itersiblings()
                    if isinstance(s.tag, str) and _first_char(s, _XML_SPACES)
                ),
                None,
            )
            if (following is None or following.tag not in _RUNNING_TEXT) and not _in_chrome(p):
                yield p


# A byline node: rel/itemprop "author" or a byline/author class, outside chrome and cards
# (the class test in Python, as for the standfirst).
# Drupal names the author field `field--name-uid` (the user who wrote it) or
# `field--name-field-author`/`-byline`, inside `node__meta`/`node__submitted` ("Submitted by X
# on DATE"); RDFa marks it schema:author, dc:creator or sioc:has_creator.
_BYLINE_CLASS = re.compile(r"byline|author|field-?-name-uid|(?:^|[\s_-])submitted", re.I)
_BYLINE_PROPERTIES = frozenset(
    {"author", "schema:author", "schema:creator", "dc:creator", "sioc:has_creator", "creator"}
)
_NAME_PROP = etree.XPath(
    ".//*[@itemprop='name' or @property='schema:name' or @property='foaf:name' or @property='name']"
)
# Tag links: rel="tag" (not "category"), or in Drupal's tags field (field--name-field-tags >
# field__items > field__item > a) or under a tags-classed parent or grandparent; outside nav,
# aside and the page's footer. The class tests run in Python: as XPath, on every link's
# ancestors, they cost four times as much.
_TAG_FIELDS = ("field--name-field-tags", "field-name-field-tags")
_TAG_CLASS = re.compile(r"(^|[\s_-])tags?([\s_-]|$)|tag-?list|post-tags|entry-tags", re.I)
# A row of tag links shown without a tag class ("Filed Under: <a>", "Etiquetas: <a>, <a>", bare
# chips): links to tag pages, by the words of their path in several languages, whose parent
# holds no other text than a short label and separators.
_TAG_PATH = re.compile(
    r"^(?:/[^/]+)?/(?:tags?|etiquetas?|schlagworte?|stichworte?|mots?-cles?|trefwoorden?"
    r"|tagged)/[^/]+/?$",
    re.I,
)
_TAG_ROW_MAX_LABEL = 40
# The words (lower case) a tag path holds: an ASCII link without any, and without the tabs and
# line breaks urlsplit drops, is no tag link (cheaper than parsing every link's URL).
_TAG_PATH_WORDS = re.compile("tag|etiqueta|schlagwort|stichwort|-cle|trefwoord")
# Text blocks that may hold a byline, outside chrome: not those whose text (after spaces)
# starts with a printable ASCII character that no byline (_BYLINE_TEXT) or byline label
# (_LABEL) starts with, in either case (the first letter of its squashed text too: the
# characters before it are XML spaces, and a letter composed with the marks after it is not
# ASCII). The card test (every ancestor's class) is the costly part, so it runs only on the
# rare block whose text reads like a byline.
_OTHER_INITIALS = "".join(c for c in map(chr, range(0x21, 0x7F)) if c not in "uUpPwWsSbBaArRtT")


def _short_blocks(root: html.HtmlElement):
    """The div, p and span elements outside chrome whose text may start a byline (see
    _OTHER_INITIALS), in document order."""
    for node in root.iter("div", "p", "span"):
        if _first_char(node, _XML_SPACES) not in _OTHER_INITIALS and not _in_chrome(node):
            yield node


# The breadcrumb trail: the first element (document order) whose class or aria-label says
# "breadcrumb", or that holds only links, at least two, the first to "/" (outside <nav>).
# (Found from its first link: counting every element's links costs more.)
_BREADCRUMB_WORD = re.compile("breadcrumb", re.I)
# A show link: a link with a show class (tested in Python: an XPath class test on every link
# costs more), outside chrome and cards.
_SHOW_CLASS = re.compile(
    r"(^|[\s_-])(show|episode-show|show-name|show-link|show-title)([\s_-]|$)|__show|--show", re.I
)
_UPDATE_MARK = re.compile(r"updat|modif", re.I)
_BY_PREFIX = re.compile(r"^(?:.*(?:\||\s))?(?:written |words |story |report )?by\s+", re.I)
# The labels a credit line starts with, in several languages (lower case): "Label: Name",
# and the compound labels that also stand without a colon ("Photo credit Jane Doe").
# fmt: off
_CREDIT_LABELS = (
    "pictures", "picture", "images", "image", "photos", "photo", "photograph", "credits",
    "credit", "source",  # en
    "bildquelle", "bildnachweis", "bildrechte", "fotos", "foto", "bild", "quelle",  # de
    "crédits photo", "crédit photo", "crédits", "crédit", "photographie",  # fr
    "beeld", "bron", "fotograaf",  # nl
    "créditos", "crédito", "fuente", "imagen", "fotografía", "imagem", "fonte",  # es, pt
)
_COMPOUND_CREDIT_LABELS = (
    "photo credit", "image credit", "picture credit", "photo credits", "image credits",
    "image source", "photo source", "picture source",
    "bildquelle", "bildnachweis", "crédit photo", "crédits photo", "foto crédito",
)
# fmt: on
_CREDIT_LABEL_WORDS = "|".join(
    re.escape(w) for w in sorted({*_CREDIT_LABELS, *_COMPOUND_CREDIT_LABELS}, key=len)[::-1]
)
_COMPOUND = "|".join(re.escape(w) for w in sorted(_COMPOUND_CREDIT_LABELS, key=len)[::-1])
_CREDIT_PREFIX = re.compile(
    rf"^(?:(?:{_CREDIT_LABEL_WORDS})\s*:\s*|(?:{_COMPOUND})\s+"
    r"|(?:image|photo|picture)s? (?:courtesy|supplied|via)(?: of)?:?\s*"
    r"|(?:photos?|pictures?|images?) by\s+)",
    re.I,
)
_CREDIT_IN_CAPTION = re.compile(
    rf"\s*\(?(?<!\w)((?:{_CREDIT_LABEL_WORDS})\s*:\s*[^)]+|(?:{_COMPOUND})\s+[^)]+"
    r"|(?:photos?|pictures?) by [^)]+)\)?\s*$",
    re.I,
)
# A name: capitalised words, with the lower-case particles names keep (van der, de, du, da...).
_PARTICLES = r"(?-i:van|von|de|der|den|du|da|das|dos|di|del|della|le|la|ter|ten|bin|ibn|al|el)"
_NAME = (
    r"(?-i:[A-ZÀ-Ý])[\w'’.-]*"
    rf"(?:\s+(?:{_PARTICLES}\s+){{0,2}}(?-i:[A-ZÀ-Ý])[\w'’.-]*){{0,3}}"
)
_FULL_NAME = re.compile(_NAME)
_BYLINE_TEXT = re.compile(
    rf"^(?:(?:updated|published)\b[^|]{{0,40}}\|\s*)?(?:written |words |story )?by\s+"
    rf"({_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*)\s*(?:\||$)",
    re.I,
)
_TITLE_SPLIT = re.compile(r"\s+[|–—-]\s+")
# The clutter rules' credit lines: photo-credit (first) and agency-credit.
_CREDIT_LINE_PATTERNS = tuple(rule_by_name(n).pattern for n in ("photo-credit", "agency-credit"))
# Strings (lower case, UTF-8) one of which every photo-credit line holds in `text.lower()`
# (the clutter rules' guard; b"" when the rule has none). They are ASCII without i, k or s, so
# its text's UTF-8 with only the ASCII letters in lower case holds one too (cheaper to make).
_PHOTO_CREDIT_NEEDS = tuple(
    s.encode() for s in required_strings(rule_by_name("photo-credit").text) or [""]
)
# Leading blanks: what squash() drops at the start of a text (whitespace, zero-width spaces).
_BLANKS = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]*")


def _utf8_text(node: etree._Element) -> bytes:
    """text_content(node) in UTF-8."""
    return etree.tostring(node, method="text", encoding="utf-8", with_tail=False)


def _first_char(node: etree._Element, blanks: re.Pattern = _BLANKS) -> str:
    """The first character of the node's text (text_content()) after `blanks` ('' when none),
    read without joining all of its text. After _BLANKS: the first of its squashed text too,
    unless Unicode normalisation composes it with the marks after it (into a letter that is
    not ASCII) or it is one of the three that normalise to ASCII (U+037E, U+1FEF, U+212A)."""
    for text in node.itertext():
        if (start := blanks.match(text).end()) < len(text):
            return text[start]
    return ""


# What one walk over the page's elements looks for, as bits: a byline, standfirst, breadcrumb,
# Drupal tags field or tags-classed element (by its class, or by its rel/itemprop/property or
# aria-label attribute).
_MARK_BYLINE, _MARK_STANDFIRST, _MARK_CRUMB, _MARK_TAG_FIELD, _MARK_TAG_CLASS = 1, 2, 4, 8, 16
# The words (lower case) one of those class tests needs: an ASCII class without any, most of
# them, is passed over without the tests (case-insensitive regex scans are slow; for ASCII text
# they ignore case exactly as lower() does).
_MARK_WORDS = re.compile(
    "byline|author|field|submitted|standfirst|dek|deck|sub|summary|excerpt|intro|lede"
    "|strapline|description|synopsis|breadcrumb|tag"
)


def _class_marks(cls: str) -> int:
    """The marks (see _MARK_BYLINE...) a class attribute gives its element."""
    if cls.isascii() and not _MARK_WORDS.search(cls.lower()):
        return 0
    marks = _MARK_BYLINE if _BYLINE_CLASS.search(cls) else 0
    if _STANDFIRST_CLASS.search(cls):
        marks |= _MARK_STANDFIRST
    if _BREADCRUMB_WORD.search(cls):
        marks |= _MARK_CRUMB
    if any(f in cls for f in _TAG_FIELDS):
        marks |= _MARK_TAG_FIELD
    if "tag" in cls.lower() and _TAG_CLASS.search(cls):
        marks |= _MARK_TAG_CLASS
    return marks


_RARE_MARKS = frozenset(["rel", "itemprop", "property", "aria-label"])  # attributes (_marked)
# The marks of each class attribute seen (a station's pages share them), emptied when it holds
# _CACHE_MAX (so is _WIDGET_MARKS).
_CLASS_MARKS: dict[str, int] = {}
_CACHE_MAX = 10_000


@dataclass
class _Marked:
    """The page's elements that some field looks for, found in one walk, in document order."""

    bylines: list = field(default_factory=list)  # byline attribute or class (any tag)
    standfirsts: list = field(default_factory=list)  # p/div/h2/span/h3, standfirst class
    crumb: etree._Element | None = None  # the first breadcrumb-marked element (or link row)
    tag_fields: set = field(default_factory=set)  # Drupal tags fields
    tag_classes: set = field(default_factory=set)  # tags-classed elements (see _TAG_CLASS)


def _marked(root: html.HtmlElement, row: etree._Element | None) -> _Marked:
    """Walk the page once for the elements marked as bylines, standfirsts, breadcrumbs or
    tags; `row` (the breadcrumb-shaped link row) counts as a breadcrumb mark."""
    found = _Marked()
    for el in root.iter(etree.Element):  # elements only
        # the attributes looked for but the class are rare: asked for only when there
        keys = el.keys()
        if not keys and el is not row:  # most elements have no attribute
            continue
        marks = 0
        if (
            "class" in keys
            and (cls := el.get("class"))
            and (marks := _CLASS_MARKS.get(cls, -1)) < 0
        ):
            if len(_CLASS_MARKS) >= _CACHE_MAX:
                _CLASS_MARKS.clear()
            marks = _CLASS_MARKS[cls] = _class_marks(cls)
        if not _RARE_MARKS.isdisjoint(keys):
            if (
                el.get("rel") in _BYLINE_PROPERTIES
                or el.get("itemprop") == "author"
                or el.get("property") in _BYLINE_PROPERTIES
            ):
                marks |= _MARK_BYLINE
            if (
                found.crumb is None
                and (label := el.get("aria-label"))
                and _BREADCRUMB_WORD.search(label)
            ):
                marks |= _MARK_CRUMB
        if found.crumb is None and el is row:
            marks |= _MARK_CRUMB
        if not marks:
            continue
        if marks & _MARK_BYLINE:
            found.bylines.append(el)
        if marks & _MARK_STANDFIRST and el.tag in _STANDFIRST_TAGS:
            found.standfirsts.append(el)
        if marks & _MARK_CRUMB and found.crumb is None:
            found.crumb = el
        if marks & _MARK_TAG_FIELD:
            found.tag_fields.add(el)
        if marks & _MARK_TAG_CLASS:
            found.tag_classes.add(el)
    return found


@dataclass
class Metadata:
    """Everything about an article except its body."""

    title: str | None = None
    standfirst: str | None = None
    author: str | None = None
    published: str | None = None
    updated: str | None = None
    section: str | None = None
    show: str | None = None
    tags: list[str] = field(default_factory=list)
    image: dict[str, str | None] | None = None
    language: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    og_type: str | None = None
    ld_types: set[str] = field(default_factory=set)
    # True when `standfirst` is shown on the page (above the body); False when it is the meta
    # description of a page that shows none (so a body paragraph equal to it is not a repeat).
    standfirst_shown: bool = False
    # What the page's own metadata says it is when that is not an article: "show" (a show,
    # series or presenter page), "collection" (a hub, listing or profile page), else None.
    page_kind: str | None = None
    # The URLs its JSON-LD ItemLists name (ListItem "url"): a listing's index of its items.
    listed_urls: list[str] = field(default_factory=list)


def _ld_objects(root: html.HtmlElement) -> list[dict]:
    objects: list[dict] = []
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads((script.text or "").strip(), strict=False)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                objects.append(item)
                if isinstance(item.get("@graph"), list):
                    stack.extend(reversed(item["@graph"]))
    return objects


def _types(obj: dict) -> set[str]:
    t = obj.get("@type", ())
    return {t} if isinstance(t, str) else {x for x in t if isinstance(x, str)}


def _meta_tags(root: html.HtmlElement) -> dict[str, list[str]]:
    tags: dict[str, list[str]] = {}
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        content = squash(meta.get("content"))
        if key and content:
            tags.setdefault(key, []).append(content)
    return tags


def _first(*values):
    return next((v for v in values if v), None)


def _selected_text(profile, name: str, root) -> str | None:
    selector = profile.selectors.get(name) if profile else None
    if selector is None:
        return None
    return next((t for t in (squash(text_content(n)) for n in selector(root)) if t), None)


def _ld_name(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        if "Organization" in _types(value) or "NewsMediaOrganization" in _types(value):
            return []
        return [value["name"]] if isinstance(value.get("name"), str) else []
    if isinstance(value, list):
        return [n for v in value for n in _ld_name(v)]
    return []


def join_names(names: list[str]) -> str | None:
    """'A', 'A and B', 'A, B and C' (duplicates dropped)."""
    unique = list(dict.fromkeys(squash(n) for n in names if squash(n)))
    if len(unique) <= 1:
        return unique[0] if unique else None
    return ", ".join(unique[:-1]) + " and " + unique[-1]


# "By" glued to the name ("BySummer Swann", "Written byAAA"), labels before a name, and the
# words for "by" in other languages (only before a name of two words or more: "Von Miller"
# is a name, "Von Max Müller" a German byline).
_GLUED_BY = re.compile(r"^(?i:written\s*|posted\s*|submitted\s*)?(?:by|By|BY)(?=[A-ZÀ-Ý])")
_LABEL = re.compile(
    r"^(?:authors?|author\(s\)|written by|posted by|submitted by|reporter|words|text"
    r"|photos? and words)\s*[:|]?\s+",
    re.I,
)
_FOREIGN_BY = re.compile(r"^(?:von|door|deur|par|por|av|af|di|da)\s+(?=(?-i:[A-ZÀ-Ý]))", re.I)
_DATE_AFTER = re.compile(
    r"(?:^|\s+)(?:(?:last\s+)?updated|published|posted)(?:\s+on)?\b.*"
    r"|\s+(?:on|updated|published|posted)\s+(?=\S*\d|(?:mon|tue|wed|thu|fri|sat|sun|jan|feb|mar"
    r"|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b)",
    re.I,
)
# What follows a name in a byline: a role, a desk or a category ("Jane Doe - Staff Writer",
# "By X in Woodworking").
_AFTER_NAME = re.compile(r"\s+[-–—]\s+|\s+in\s+(?=(?-i:[A-Z]))")
_NOT_A_NAME = frozenset(
    {"by", "author", "authors", "theauthor", "writtenby", "postedby", "abouttheauthor"}
    | {"aboutauthor", "staff", "admin", "anonymous", "unknown", "guest"}
)


def clean_byline(text: str) -> str | None:
    """A byline's name: without 'By' (or a label, or 'by' in another language), timestamps,
    roles or trailing separators; None when nothing name-like is left."""
    text = _GLUED_BY.sub("", squash(text))
    had_by = bool(_BY_PREFIX.match(text))
    text = squash(_BY_PREFIX.sub("", text))
    text = _LABEL.sub("", text)
    if not had_by and (m := _FOREIGN_BY.match(text)) and len(text[m.end() :].split()) >= 2:
        text = text[m.end() :]
    text = re.split(r"\s*[|•·]\s*", text, maxsplit=1)[0]
    text = _DATE_AFTER.split(text, maxsplit=1)[0]
    text = _AFTER_NAME.split(text, maxsplit=1)[0]
    text = text.strip(" ,;:-")
    if (
        not text
        or len(text) > 80
        or any(ch.isdigit() for ch in text)
        or fold(text) in _NOT_A_NAME
        or not text[0].isalpha()
    ):
        return None
    return text


def iso(dt: datetime | None) -> str | None:
    """ISO 8601 to the second, with the zone offset."""
    return dt.isoformat(timespec="seconds") if dt else None


# A kicker, label or screen-reader prefix inside the headline element: not headline text.
_KICKER_CLASS = re.compile(
    r"kicker|eyebrow|overline|topline|dachzeile|roofline|super-?title|pre-?title|pre-?head"
    r"|surtitre|antetitulo|label|badge|flag|rubric|category|(?:^|[\s_-])tag(?:[\s_-]|$)"
    r"|sr-only|visually-hidden|screen-reader",
    re.I,
)
_HEADLINE_TAGS = ("h1", "h2", "h3", "p", "div", "span")
_SIMILAR = 0.5  # below this the h1 is not the headline og:title/JSON-LD name


def _text_skipping(el, skip=()) -> str:
    """The element's text with <br> as a space, leaving out the subtrees in `skip`."""
    return squash(text_with_breaks(el, " ", skip))


def _headline_variants(h1, whole: str) -> list[str]:
    """What an h1 may say: its `whole` text, and its text without a kicker glued in front (a
    kicker-classed child, or a short first element child followed by the rest)."""
    kids = [c for c in h1 if isinstance(c.tag, str) and c.tag != "br"]
    kickers = [c for c in kids if _KICKER_CLASS.search(c.get("class") or "")]
    if not kickers and len(kids) >= 2 and not squash(h1.text) and not squash(kids[0].tail):
        first = squash(text_content(kids[0]))
        if first and len(first.split()) <= 6 and len(first) < len(whole) / 2:
            kickers = [kids[0]]
    variants = [whole]
    if kickers and (rest := _text_skipping(h1, set(kickers))) and rest != whole:
        variants.insert(0, rest)  # preferred when nothing else decides
    return variants


def _shown_as(root, headline: str) -> str | None:
    """`headline` as the page shows it, when an element outside chrome, breadcrumbs and
    widgets holds exactly that text (a headline styled as a <div> under a banner h1)."""
    key = fold(headline)
    body = root.find("body")
    headline_like = (  # title- or headline-classed, outside chrome
        el
        for el in root.iter(*_HEADLINE_TAGS)
        if ("title" in (words := _class_words(el)) or "headline" in words) and not _in_chrome(el)
    )
    same_text = (
        el
        for el in (body.iter() if body is not None else ())
        if isinstance(el.tag, str) and el.text and fold(el.text) == key
    )
    for node in chain(headline_like, same_text):
        text = _text_skipping(node)
        if (
            text
            and fold(text) == key
            and not in_widget(node)
            and not _in_chrome(node)
            and not any("breadcrumb" in (a.get("class") or "") for a in node.iterancestors())
        ):
            return text
    return None


def _most_similar(variants: list[str], reference: str) -> tuple[str, float]:
    """The first of `variants` most similar to `reference` (difflib's ratio of their folded
    texts), and that ratio. A variant equal to it once folded has ratio 1.0, the highest; a
    variant whose length alone bounds its ratio to at most the best so far cannot beat it."""
    key = fold(reference)
    if (same := next((v for v in variants if fold(v) == key), None)) is not None:
        return same, 1.0
    matcher = SequenceMatcher(None, "", key)
    best, best_ratio = variants[0], -1.0
    for variant in variants:
        matcher.set_seq1(fold(variant))
        if matcher.real_quick_ratio() > best_ratio and (ratio := matcher.ratio()) > best_ratio:
            best, best_ratio = variant, ratio
    return best, best_ratio


def _without_site_name(text: str | None, site_names: list[str | None]) -> str | None:
    """A title-like string without a leading or trailing ' | Site' part naming the site."""
    if not text:
        return None
    names = {fold(s) for s in site_names if s}
    parts = _TITLE_SPLIT.split(text)
    if len(parts) > 1 and fold(parts[-1]) in names:
        return _without_site_name(text[: text.rfind(parts[-1])].rstrip(" |–—-"), site_names)
    if len(parts) > 1 and fold(parts[0]) in names:
        return text[len(parts[0]) :].lstrip(" |–—-")
    return text


def _longest_part(text: str, site_names: list[str | None]) -> str:
    """The longest ' | '-separated part of a title-like string that is not the site name."""
    names = {fold(s) for s in site_names if s}
    parts = [p for p in _TITLE_SPLIT.split(text) if fold(p) not in names]
    return max(parts, key=len) if parts else text


def _title(
    root, profile, ld: dict, meta: dict, site_names: list, banners: list, h1_nodes: list
) -> str | None:
    """The headline: the h1 (of `h1_nodes`, the page's outside chrome) that og:title/JSON-LD
    headline (else <title>) confirm, without a kicker glued to it; never a show or section
    banner shown above the story, nor the site name; the headline those name when the page
    shows it and no h1 matches."""
    if chosen := _selected_text(profile, "title", root):
        return chosen
    named = [
        squash(unescape(v))
        for v in (ld.get("headline"), *meta.get("og:title", []), *meta.get("twitter:title", []))
        if isinstance(v, str) and squash(v)
    ]
    strong = _without_site_name(named[0], site_names) if named else None
    for other in named[1:]:  # a JSON-LD headline cut at ~110 characters: the og:title it begins
        other = _without_site_name(other, site_names) or ""
        if (
            strong
            and len(strong) >= 100
            and len(other) > len(strong)
            and fold(other).startswith(fold(strong))
        ):
            strong = other
    page_title = _without_site_name(squash(root.findtext(".//title")), site_names)
    reference = strong or page_title
    skip = {fold(s) for s in (*site_names, *banners) if s}
    h1s = [(h, text) for h in h1_nodes if (text := _text_skipping(h)) and not in_widget(h)]
    stories = [(h, text) for h, text in h1s if fold(text) not in skip]
    if h1s and not stories and not strong:
        return h1s[0][1]  # nothing says the banner is not the headline
    if stories:
        variants = [v for h, text in stories for v in _headline_variants(h, text)]
        if not reference:
            return variants[0]
        best, ratio = _most_similar(variants, reference)  # reference is strong when strong
        if not strong or ratio >= _SIMILAR:
            return best
    if strong:
        # no h1 matches what og:title/headline name: is that headline shown on the page?
        if (shown := _shown_as(root, strong)) is not None:
            return shown
        if stories:
            return best  # the variant most similar to strong
        return _longest_part(strong, site_names)
    return _longest_part(page_title, site_names) if page_title else None


# Where a standfirst never is: captions, credits, bylines and other meta lines.
_NOT_STANDFIRST_CLASS = re.compile(
    r"caption|credit|byline|author|dateline|timestamp|(?:^|[\s_-])meta(?:[\s_-]|$)", re.I
)
_BROAD_CONTAINERS = frozenset({"article", "main", "body", "html", "section"})


def _standfirst(root, profile, title: str | None, container, meta: dict, ld: dict, marked: _Marked):
    """(standfirst, shown): the summary the page shows above the body, else its meta
    description (shown False). A paragraph inside the body is body text, whatever its class,
    and a sub-heading, caption or byline is never a standfirst."""
    if chosen := _selected_text(profile, "standfirst", root):
        return chosen, True
    for node in marked.standfirsts:
        if not _standfirst_place(node):
            continue
        text = squash(text_content(node))
        if (
            20 <= len(text) <= 500
            and fold(text) != fold(title or "")
            and not _BYLINE_TEXT.match(text)
            and not _caption_or_byline(node)
            and not in_widget(node)
            and not in_body(node, container)
        ):
            return text, True
    description = _description(meta, ld, title)
    return description, description is not None and _shown_above_body(root, description, container)


def _shown_above_body(root, description: str, container) -> bool:
    """Whether the page shows its meta description in a paragraph beside the headline (a
    later sibling of the h1), outside the body, whatever its class (a chapô, a teaser, a
    strong lead line): then it is the standfirst shown, and the body does not repeat it. The
    first paragraph of a body wrapper is body text even when the description repeats it."""
    key = fold(description)
    for node in _standfirst_shown_places(root):
        if (
            fold(squash(text_content(node))) == key
            and not _caption_or_byline(node)
            and not in_widget(node)
            and not in_body(node, container)
        ):
            return True
    return False


def _caption_or_byline(node) -> bool:
    """Whether `node` is (or sits in) a caption, credit, byline or other meta line."""
    for el in (node, *node.iterancestors()):
        if el.tag in ("figure", "figcaption"):
            return True
        cls = el.get("class")
        if cls and _NOT_STANDFIRST_CLASS.search(cls):
            return True
        if el.tag in ("header", "article", "main", "body"):
            return False
    return False


def in_body(node, container) -> bool:
    """Whether `node` is part of the article body: inside the body container (when that is a
    real body container, not the whole <article>), or followed right away by the body's
    paragraphs."""
    if container is not None and container.tag not in _BROAD_CONTAINERS:
        for el in node.iterancestors():
            if el is container:
                return True
            if el.tag == "header":
                break
    sibling = node.getnext()
    while sibling is not None and (
        not isinstance(sibling.tag, str)
        or sibling.tag in ("script", "style", "template")
        or not squash(text_content(sibling))
    ):
        sibling = sibling.getnext()
    return (
        sibling is not None
        and sibling.tag == "p"
        and len(squash(text_content(sibling))) >= 60
        and not _BYLINE_TEXT.match(squash(text_content(sibling)))
    )


def _description(meta: dict, ld: dict, title: str | None) -> str | None:
    """The page's meta description (description, og:, twitter:, JSON-LD), when it is a
    summary: not empty, not the title again."""
    value = _first(
        *meta.get("description", []),
        *meta.get("og:description", []),
        *meta.get("twitter:description", []),
        ld.get("description") if isinstance(ld.get("description"), str) else None,
    )
    text = squash(unescape(value)) if value else ""
    if len(text) < 20 or fold(text) == fold(title or ""):
        return None
    return text


_NOT_TEXT = frozenset({"script", "style", "noscript", "template", "svg"})


def spaced_text(node, skip=()) -> str:
    """The node's visible text, with a space where two elements' words would otherwise be
    glued together ('Reyan Perumal' + 'Published on...'); script and style text left out."""
    out: list[str] = []
    _gather_spaced(node, skip, out)
    text = "".join(out)
    text = re.sub(r"(?<=\w)\0+(?=\w)", " ", text).replace("\0", "")
    return squash(text)


def _gather_spaced(el, skip, out: list[str]) -> None:
    """Append an element's visible text and its children's to `out` (spaced_text), with "\0"
    around each child element. A module function, not a closure that calls itself (a reference
    cycle that would hold the page's tree until the garbage collector ran; so is _name_in)."""
    if el.tag in _NOT_TEXT or el in skip:
        return
    if el.text:
        out.append(el.text)
    for child in el:
        if isinstance(child.tag, str):
            out.append("\0")
            _gather_spaced(child, skip, out)
            out.append("\0")
        if child.tail:
            out.append(child.tail)


def _byline_text(node) -> str:
    """A byline node's text without field labels ('Author', 'Written by' in their own
    element); a node that holds only such a label gives the text of the element after it."""
    if (named := next(iter(_NAME_PROP(node)), None)) is not None and (text := spaced_text(named)):
        return text  # itemprop/RDFa "name" inside an author block: the name, not the bio
    labels = {n for n in node.iterdescendants(etree.Element) if "label" in _class_words(n)}
    text = spaced_text(node, labels)
    if fold(_LABEL.sub("", text + " ")) in _NOT_A_NAME or fold(text) in _NOT_A_NAME:
        following = node.getnext()
        while following is not None and not isinstance(following.tag, str):
            following = following.getnext()
        return spaced_text(following) if following is not None else ""
    return text


def _author(root, profile, ld: dict, meta: dict, marked: _Marked) -> str | None:
    if chosen := _selected_text(profile, "author", root):
        return clean_byline(chosen)
    if names := [n for n in _ld_name(ld.get("author")) if squash(n)[:1].isalpha()]:
        return join_names([clean_byline(n) or n for n in names])
    for name in meta.get("author", []) + meta.get("article:author", []):
        if not name.startswith("http") and (cleaned := clean_byline(name)):
            return cleaned
    # in page order, but inside a byline block its name element first, then the block with
    # its dates and roles
    # byline candidates: rel/itemprop/RDFa author, or a byline, author or Drupal author-field
    # class, outside the page's chrome and cards
    nodes = [
        n
        for n in marked.bylines
        if n.tag not in ("meta", "link") and not _in_page_chrome(n) and not _in_card(n)
    ]
    inner: dict = {}
    tops = []
    chosen = set(nodes)
    for node in nodes:
        holder = next((a for a in node.iterancestors() if a in chosen), None)
        (inner.setdefault(holder, []) if holder is not None else tops).append(node)

    for node in tops:
        if found := _name_in(node, inner):
            return found
    for node in _short_blocks(root):
        raw = text_content(node)
        # 101 or more words squash to 201 characters or more: too long (squash only splits)
        if len(raw) >= 200 and len(raw.split(None, 100)) == 101:
            continue
        text = squash(raw)
        if len(text) < 200 and (m := _BYLINE_TEXT.match(text)) and not _in_card(node):
            return clean_byline(m.group(1))
        if text and len(text) < 20 and _LABEL.match(text + " ") and not _LABEL.sub("", text + " "):
            # a "Written by" label with the name in the element after it
            following = node.getnext()
            name = squash(text_content(following)) if following is not None else ""
            if _FULL_NAME.fullmatch(name) and not _in_card(node):
                return clean_byline(name)
    return None


def _name_in(node, inner: dict) -> str | None:
    """The name of a byline block: that of the first byline inside it (`inner`: the byline
    nodes inside each) that has one, else its own."""
    for child in inner.get(node, ()):
        if found := _name_in(child, inner):
            return found
    return clean_byline(_byline_text(node))


def _first_date(values, tz) -> datetime | None:
    """The first of `values` that parses as a date."""
    for value in values:
        if (
            isinstance(value, str)
            and (dt := parse_date(squash(value), tz, written=True)) is not None
        ):
            return dt
    return None


def _dates(root, profile, ld: dict, meta: dict, tz, objects=()) -> tuple[str | None, str | None]:
    """(published, updated): the profile's selectors, the article's JSON-LD, article:/date
    meta tags, other JSON-LD objects of the page (its WebPage), <time> elements, and last
    htmldate's original-date search."""
    others = [o for o in objects if o is not ld]
    first_time, updated_time = _page_times(root)
    pub = _first_date(
        [
            _selected_text(profile, "published", root),
            ld.get("datePublished"),
            *meta.get("article:published_time", []),
            *meta.get("datepublished", []),
            *meta.get("date", []),
            *(o.get("datePublished") for o in others),
            first_time,
        ],
        tz,
    )
    upd = _first_date(
        [
            _selected_text(profile, "updated", root),
            ld.get("dateModified"),
            *meta.get("article:modified_time", []),
            *meta.get("og:updated_time", []),
            *meta.get("datemodified", []),
            updated_time,
        ],
        tz,
    )
    if pub is None:
        pub = _trafilatura_date(root, tz)
    if upd is not None and pub is not None and upd == pub:
        upd = None
    return iso(pub), iso(upd)


def _page_times(root) -> tuple[str | None, str | None]:
    """The datetime of the page's first <time> outside chrome and cards, and of the first
    such one that its class, itemprop or parent's text marks as an update (None: none)."""
    first = None
    for node in root.iter("time"):
        if node.get("datetime") is None:
            continue
        marked = _UPDATE_MARK.search(
            " ".join(
                (
                    node.get("class") or "",
                    node.get("itemprop") or "",
                    squash(node.getparent().text or ""),
                )
            )
        )
        if (first is None or marked) and _outside_chrome_and_cards(node):
            first = first or node.get("datetime")
            if marked:
                return first, node.get("datetime")
    return first, None


def _trafilatura_date(root, tz) -> datetime | None:
    from htmldate import find_date

    found = find_date(
        root, extensive_search=True, original_date=True, outputformat="%Y-%m-%dT%H:%M:%S"
    )
    return parse_date(squash(found), tz, written=True) if found else None


def _tags(root, profile, ld: dict, meta: dict, marked: _Marked) -> list[str]:
    selector = profile.selectors.get("tags") if profile else None
    nodes = selector(root) if selector is not None else (_tag_links(root, marked) or _tag_row(root))
    visible = [squash(text_content(n)) for n in nodes]
    keywords = ld.get("keywords")
    if isinstance(keywords, str):
        keywords = keywords.split(",")
    for source in (
        visible,
        meta.get("article:tag", []),
        keywords if isinstance(keywords, list) else [],
        (meta.get("keywords") or [""])[0].split(","),
        (meta.get("news_keywords") or [""])[0].split(","),
    ):
        tags = [squash(t).lstrip("#") for t in source if isinstance(t, str) and squash(t)]
        if tags:
            return list(dict.fromkeys(tags))
    return []


def _tag_links(root, marked: _Marked) -> list:
    """The tag links of the page, in document order: rel="tag", or under a tags field (parent,
    grandparent or great-grandparent) or a tags-classed parent or grandparent."""
    holders = marked.tag_fields | marked.tag_classes
    out = []
    for link in root.iter("a"):
        rel = link.get("rel")
        found = bool(rel) and " tag " in f" {rel} " and "category" not in rel
        if not found and holders:
            parent = link.getparent()
            grandparent = parent.getparent() if parent is not None else None
            found = parent in holders or grandparent in holders
            if not found and grandparent is not None:
                found = grandparent.getparent() in marked.tag_fields
        if found and not _in_page_chrome(link):
            out.append(link)
    return out


def _tag_row(root) -> list:
    """The links of the first row of tag links (see _TAG_PATH) outside chrome and cards."""
    for link in root.iter("a"):
        href = link.get("href")
        if (
            href is None
            or (href.isascii() and href.isprintable() and not _TAG_PATH_WORDS.search(href.lower()))
            or not _TAG_PATH.match(url_path(href))
            or _in_chrome(link)
        ):
            continue
        row = link.getparent()
        links = [a for a in row.iter("a") if a.get("href")]
        label = squash(text_content(row))
        for a in links:
            label = label.replace(squash(text_content(a)), "", 1)
        if (
            all(_TAG_PATH.match(url_path(a.get("href"))) for a in links)
            and len(label.strip(" ,;|·•/")) <= _TAG_ROW_MAX_LABEL
            and not _in_card(row)
        ):
            return links
    return []


def _stem(url: str) -> str:
    name = url_path(url).rsplit("/", 1)[-1]
    return name.split(".", 1)[0].lower()


def split_credit(text: str) -> tuple[str | None, str | None]:
    """Split caption text into (caption, credit): 'X. Picture: Getty' -> ('X.', 'Getty')."""
    text = squash(text)
    if not text:
        return None, None
    if _CREDIT_PREFIX.match(text):
        return None, squash(_CREDIT_PREFIX.sub("", text))
    if m := _CREDIT_IN_CAPTION.search(text):
        caption = squash(text[: m.start()]).rstrip(" (")
        return caption or None, squash(_CREDIT_PREFIX.sub("", m.group(1)))
    return text, None


def _is_credit_text(text: str) -> bool:
    """Whether a caption's child reads as its credit: a credit label, or a credit line."""
    if len(text) < 120 and _CREDIT_PREFIX.match(text):
        return True
    return any(p.fullmatch(text) for p in _CREDIT_LINE_PATTERNS)


def _caption_and_credit(holder: etree._Element) -> tuple[str | None, str | None]:
    """Caption and credit shown with an image: credit from a credit-classed node or a
    credit-shaped child of the caption, caption from the rest of the caption's text."""
    credit_nodes = [n for n in _credit_nodes(holder) if squash(text_content(n))]
    cap = next(_caption_nodes(holder), None)
    if cap is not None:
        credit_nodes += [
            c
            for c in cap.iterdescendants()
            if isinstance(c.tag, str)
            and c not in credit_nodes
            and _is_credit_text(squash(text_content(c)))
        ]
    credit = (
        squash(_CREDIT_PREFIX.sub("", squash(text_content(credit_nodes[0]))))
        if credit_nodes
        else None
    )
    if cap is None:
        return None, credit
    cap = deepcopy(cap)
    for node in [*_credit_nodes(cap)] + [
        c
        for c in cap.iterdescendants()
        if isinstance(c.tag, str) and _is_credit_text(squash(text_content(c)))
    ]:
        if node.getparent() is not None:
            node.drop_tree()
    caption, inline_credit = split_credit(" ".join(cap.itertext()))
    return caption, credit or inline_credit


def _caption_nodes(holder: etree._Element):
    """The captions under `holder`, in order: figcaptions and caption-classed elements, unless
    their class names a credit (a "source" class aside)."""
    for el in holder.iterdescendants(etree.Element):
        words = _class_words(el)
        if (el.tag == "figcaption" or "caption" in words) and not any(
            w in words for w in _CAPTION_CREDIT_WORDS
        ):
            yield el


def _credit_nodes(holder: etree._Element):
    """The elements under `holder` whose class names a credit (see _CREDIT_WORDS), in order."""
    for el in holder.iterdescendants(etree.Element):
        words = _class_words(el)
        if any(w in words for w in _CREDIT_WORDS):
            yield el


def _image_holder(img: etree._Element) -> etree._Element | None:
    """The figure (or figure-like wrapper) around an image that holds its caption and credit."""
    node = img
    for _ in range(3):
        node = node.getparent()
        if node is None:
            return None
        if (
            node.tag == "figure"
            or next(_caption_nodes(node), None) is not None
            or next(_credit_nodes(node), None) is not None
        ):
            return node
    return None


def _image(root, container, profile, ld: dict, meta: dict, base: str) -> dict | None:
    selector = profile.selectors.get("image") if profile else None
    chosen = selector(root) if selector is not None else []
    ld_image = ld.get("image")
    if isinstance(ld_image, list):
        ld_image = ld_image[0] if ld_image else None
    if isinstance(ld_image, dict):
        ld_image = ld_image.get("url")
    url = _first(
        chosen[0].get("src") if chosen else None,
        *meta.get("og:image", []),
        *meta.get("og:image:url", []),
        ld_image if isinstance(ld_image, str) else None,
        *meta.get("twitter:image", []),
    )
    img = None
    if url:  # the first image outside chrome and cards with the file name of `url`
        stem = _stem(url)
        img = next(
            (
                i
                for i in root.iter("img")
                if (src := i.get("src")) is not None
                # an ASCII URL without control characters (that urlsplit drops) holds its stem
                # as it is: one without `stem` is passed over before it is parsed
                and (stem in src.lower() or not (src.isascii() and src.isprintable()))
                and _stem(src) == stem
                and _outside_chrome_and_cards(i)
            ),
            None,
        )
    if img is None and not url:
        img = next(
            (
                i
                for i in container.iterdescendants("img")
                if i.get("src") is not None and _outside_chrome_and_cards(i)
            ),
            None,
        )
        url = img.get("src") if img is not None else None
    if not url:
        return None
    holder = _image_holder(img) if img is not None else None
    caption = credit = None
    if holder is not None:
        caption, credit = _caption_and_credit(holder)
    if credit is None and img is not None:
        credit = _credit_beside(img)
    if credit is None:
        credit = _credit_line(container)
    url = absolute_url(base, url)
    return {"url": url, "caption": caption, "credit": credit} if url else None


def _credit_beside(img: etree._Element) -> str | None:
    """The credit on a labelled line right after the image, when no figure or caption holds
    it ("Photo credit Jane Doe", "Foto: ANP")."""
    sibling = img.getnext()
    if sibling is None or not isinstance(sibling.tag, str):
        return None
    text = squash(text_content(sibling))
    if text and len(text) < 120 and _CREDIT_PREFIX.match(text):
        return squash(_CREDIT_PREFIX.sub("", text)) or None
    return None


def _credit_line(container) -> str | None:
    """The first photo-credit line (a p, div, span, em or small) in `container`, without its
    label."""
    photo_credit = _CREDIT_LINE_PATTERNS[0]
    walk = etree.iterwalk(container, events=("start",), tag=("p", "div", "span", "em", "small"))
    for _, node in walk:
        data = _utf8_text(node)
        lower = data.lower()
        if not any(s in lower for s in _PHOTO_CREDIT_NEEDS):
            walk.skip_subtree()  # no credit line in it: nor in the nodes under it
            continue
        raw = data.decode()
        # 61 or more words squash to 121 characters or more: too long (squash only splits)
        if len(raw) >= 120 and len(raw.split(None, 60)) == 61:
            continue
        text = squash(raw)
        if text and len(text) < 120 and photo_credit.fullmatch(text):
            return squash(_CREDIT_PREFIX.sub("", text))
    return None


def _language(root, meta: dict, profile) -> str | None:
    lang = _first(
        root.get("lang"),
        root.get("xml:lang"),
        *meta.get("content-language", []),
        *meta.get("og:locale", []),
    )
    if lang:
        return re.split(r"[-_]", lang.strip())[0].lower() or None
    return profile.language if profile else None


def extract_metadata(root: html.HtmlElement, container, url: str, profile=None) -> Metadata:
    """Read every metadata field of an article page, `root` its root element (the tree is
    not modified)."""
    objects = _ld_objects(root)
    ld = next((o for o in objects if _types(o) & ARTICLE_TYPES), {})
    meta = _meta_tags(root)
    tz = profile.timezone if profile else None
    site_name = _first(*meta.get("og:site_name", []), profile.name if profile else None)
    published, updated = _dates(root, profile, ld, meta, tz, objects)
    row = _link_row(root)
    marked = _marked(root, row)
    crumbs = _breadcrumb_links(marked, row, url)
    h1s = [h for h in root.iter("h1") if not _in_chrome(h)]
    show = _show(root, profile, url, ld, crumbs, h1s)
    section = _first(
        _selected_text(profile, "section", root),
        ld.get("articleSection")[0]
        if isinstance(ld.get("articleSection"), list) and ld.get("articleSection")
        else ld.get("articleSection"),
        *meta.get("article:section", []),
        _breadcrumb_section(crumbs, url),
    )
    title = _title(
        root,
        profile,
        ld,
        meta,
        [site_name, profile.name if profile else None],
        [section, show],
        h1s,
    )
    canonical = next(
        (
            link.get("href")
            for link in root.iter("link")
            if "canonical" in (link.get("rel") or "").lower().split() and link.get("href")
        ),
        None,
    )
    standfirst, standfirst_shown = _standfirst(root, profile, title, container, meta, ld, marked)
    author = _author(root, profile, ld, meta, marked)
    ld_types = set().union(*(_types(o) for o in objects)) if objects else set()
    og_type = (meta.get("og:type") or [None])[0]
    return Metadata(
        title=title,
        standfirst=standfirst,
        standfirst_shown=standfirst_shown,
        author=author,
        published=published,
        updated=updated,
        section=squash(section) or None,
        show=show,
        tags=_tags(root, profile, ld, meta, marked),
        image=_image(root, container, profile, ld, meta, url),
        language=_language(root, meta, profile),
        canonical_url=absolute_url(url, _first(canonical, *meta.get("og:url", []))) or url,
        site_name=site_name,
        og_type=og_type,
        ld_types=ld_types,
        page_kind=page_kind(url, ld_types, og_type, bool(ld), _person_page(root, title, author)),
        listed_urls=[
            item["url"]
            for obj in objects
            if "ItemList" in _types(obj) and isinstance(obj.get("itemListElement"), list)
            for item in obj["itemListElement"]
            if isinstance(item, dict) and isinstance(item.get("url"), str)
        ],
    )


_SHOW_ROOT = re.compile(r"^/(?:shows?|programmes?|programs?|podcasts?)/[^/]+/?$", re.I)
_PRESENTER_ROOT = re.compile(
    r"^/(?:presenters?|djs?|hosts?|personalities|on-air-staff|on-air-team)/[^/]+/?$", re.I
)
_PRESENTER_TYPES = frozenset({"ProfilePage"})
# A CMS's static page (WordPress post_class "type-page", Drupal "node--type-page"), as opposed
# to a dated post or news node.
_STATIC_PAGE = etree.XPath(
    "//*[self::article or self::main or self::div][contains(concat(' ', @class, ' '),"
    " ' type-page ') or contains(concat(' ', @class, ' '), ' node--type-page ')]"
)


# A time slot: "10am - 3pm", "6-9 a.m.", "10:00 - 15:00", "10h-15h", "10.00 – 15.00 Uhr".
_TIME_SLOT = re.compile(
    r"(?<![\w:.])\d{1,2}(?:(?::\d{2})?\s*[ap]\.?m\.?|[:.h]\d{2}|h)?\s*[-–—]\s*\d{1,2}"
    r"(?:(?::\d{2})?\s*[ap]\.?m\.?|[:.h]\d{2}(?:\s*uhr)?|h)(?![\w:])",
    re.I,
)


def _person_page(root, title: str | None, author: str | None) -> bool:
    """Whether the page is a presenter's profile: a static page (not a dated post) that names
    no author, whose title is only a person's name (two to four capitalised words, none of
    which the page ever writes in lower case, as it would a common word) and that states an
    on-air time slot ("Weekdays 10am - 3pm", "10:00 - 15:00 Uhr")."""
    if not (
        title
        and author is None
        and " " in title
        and _FULL_NAME.fullmatch(title)
        and _STATIC_PAGE(root)
    ):
        return False
    text = " ".join(root.itertext())
    return _TIME_SLOT.search(text) is not None and not any(
        re.search(rf"(?<!\w){re.escape(word.lower())}(?!\w)", text)
        for word in title.split()
        if word != word.lower()
    )


_COLLECTION_TYPES = frozenset({"CollectionPage", "ItemList"})


def page_kind(
    url: str, types: set[str], og_type: str | None, article: bool, person_page: bool = False
) -> str | None:
    """What the page's own metadata says it is when it does not say "article": "show" (a
    show, series or podcast page: JSON-LD RadioSeries/PodcastSeries..., og:type
    video.tv_show, or a show's root URL), "presenter" (ProfilePage, og:type profile,
    a presenter's root URL, or a `person_page`: see _person_page), "collection"
    (CollectionPage/ItemList), else None."""
    og = (og_type or "").lower()
    if article:
        return None
    if person_page:  # og:type "article" does not count: WordPress gives it to every page
        return "presenter"
    if og == "article":
        return None
    path = url_path(url)
    if types & SERIES_TYPES or og in ("video.tv_show", "music.playlist") or _SHOW_ROOT.match(path):
        return "show"
    if types & _PRESENTER_TYPES or og == "profile" or _PRESENTER_ROOT.match(path):
        return "presenter"
    if types & _COLLECTION_TYPES:
        return "collection"
    return None


def _link_row(root) -> etree._Element | None:
    """The first element that holds only links, at least two, the first to "/", outside
    <nav> (see _marked: a breadcrumb trail without a breadcrumb class)."""
    for link in root.iter("a"):
        if link.get("href") != "/":
            continue
        before = link.getprevious()
        while before is not None and not isinstance(before.tag, str):
            before = before.getprevious()
        if before is not None:
            continue  # not the row's first element
        row = link.getparent()
        children = [c for c in row if isinstance(c.tag, str)]
        if (
            len(children) >= 2
            and all(c.tag == "a" for c in children)
            and next(row.iterancestors("nav"), None) is None
        ):
            return row
    return None


def _breadcrumb_links(marked: _Marked, row, url: str) -> list[tuple[str, str]]:
    """(path without its last "/", text) of each link (with href) under the breadcrumb trail,
    in order; [] when there is none. The trail is the first element (see _marked) whose class
    or aria-label says "breadcrumb", or the link `row` when it comes first."""
    trail = marked.crumb
    if trail is None or in_widget(trail) or (trail is row and len(row) > 6):
        return []
    return [
        (url_path(absolute_url(url, a.get("href"))).rstrip("/"), squash(text_content(a)))
        for a in trail.iterdescendants("a")
        if a.get("href") is not None
    ]


def _breadcrumb_section(crumbs: list[tuple[str, str]], url: str) -> str | None:
    """The last breadcrumb link above the page that is neither Home nor a show page."""
    page = url_path(url).rstrip("/")
    names = [
        text
        for path, text in crumbs
        if path and text and not _SHOW_PATH.search(path) and path != page
    ]
    return names[-1] if names else None


# Station chrome that names shows other than the story's: now-playing, on-air and schedule
# widgets, players, sidebars. A show (or section) is never read from inside one.
_WIDGET_CLASS = re.compile(
    r"now[-_]?playing|on[-_]?air|onair|up[-_]?next|next[-_]?show|current[-_]?show"
    r"|coming[-_]?up|listen[-_]?live|live[-_]?(?:player|bar|radio|stream|now)|player"
    r"|schedule|timeline|playlist|^np(?:[-_]|$)",
    re.I,
)
_WIDGET_TOKENS = frozenset({"sidebar", "widget-area", "site-sidebar", "widget"})
_WIDGET_LABEL = re.compile(
    r"^(?:on[ -]?air(?: now)?|now playing|now on air|live now|listen live|up next|next show"
    r"|coming up|currently playing|playing now)\b",
    re.I,
)
_WIDGET_LABEL_INITIALS = frozenset("oOnNlLuUcCpP")  # what a widget label starts with
_SHOW_PATH = re.compile(r"/(?:shows?|programmes?|programs?|podcasts?)/[^/]+/?$", re.I)
_SHOW_URL = re.compile(r"^(.*/(?:shows?|programmes?|programs?|podcasts?)/[^/]+/)[^/]+", re.I)
SERIES_TYPES = frozenset(
    {"RadioSeries", "PodcastSeries", "CreativeWorkSeries", "TVSeries", "RadioProgram"}
)


# Whether a class word or id names a widget, for each seen (pages share them), emptied when full.
_WIDGET_MARKS: dict[str, bool] = {}


def _widget_mark(mark: str) -> bool:
    """Whether a class word or id names station chrome (see _WIDGET_CLASS)."""
    if (found := _WIDGET_MARKS.get(mark)) is None:
        if len(_WIDGET_MARKS) >= _CACHE_MAX:
            _WIDGET_MARKS.clear()
        found = _WIDGET_MARKS[mark] = (
            mark.lower() in _WIDGET_TOKENS or _WIDGET_CLASS.search(mark) is not None
        )
    return found


def in_widget(node) -> bool:
    """Whether `node` sits in station chrome that is about the station, not the story: a
    now-playing, on-air, schedule or player widget, a sidebar, or a block labelled "On Air".
    Looks at the five nearest ancestors, not past the story's <article> or <main>."""
    for depth, el in enumerate(node.iterancestors()):
        if el.tag in ("body", "html", "article", "main") or depth >= 5:
            return False
        if el.tag == "aside":
            return True
        for mark in [*(el.get("class") or "").split(), el.get("id") or ""]:
            if mark and _widget_mark(mark):
                return True
        if (
            depth < 2
            and _first_char(el) in _WIDGET_LABEL_INITIALS
            and _WIDGET_LABEL.match(text := squash(text_content(el)))
        ):
            return len(text) < 200  # a labelled widget is small; a page wrapper is not
    return False


def _story_root(h1s: list):
    """The element that holds the story (the <article> or <main> around the first of the
    page's headlines `h1s`), or None when the page has no such element."""
    if not h1s:
        return None
    return next((a for a in h1s[0].iterancestors() if a.tag in ("article", "main")), None)


def _ld_series(ld: dict) -> str | None:
    """The show a JSON-LD article or episode says it belongs to (partOfSeries/isPartOf)."""
    for key in ("partOfSeries", "isPartOf"):
        for value in ld.get(key) if isinstance(ld.get(key), list) else [ld.get(key)]:
            name = value.get("name") if isinstance(value, dict) else None
            if isinstance(name, str) and squash(name) and _types(value) & SERIES_TYPES:
                return squash(name)
    return None


def _breadcrumb_show(crumbs: list[tuple[str, str]], url: str) -> str | None:
    """The show a breadcrumb trail files the page under: a crumb linking to a show's page."""
    page = url_path(url).rstrip("/")
    for path, text in reversed(crumbs):
        if path != page and _SHOW_PATH.search(path) and text:
            return text
    return None


def _show_links(root):
    """The links with a show class (see _SHOW_CLASS) outside chrome and cards, in order."""
    for link in root.iter("a"):
        cls = link.get("class")
        if (
            cls
            and "show" in _class_words(link)
            and _SHOW_CLASS.search(cls)
            and _outside_chrome_and_cards(link)
        ):
            yield link


def _show(
    root, profile, url: str, ld: dict, crumbs: list[tuple[str, str]], h1s: list
) -> str | None:
    """The show the story belongs to, from the story's own context (profile selector, a show
    link in the story, JSON-LD series, breadcrumb, URL path), never from station widgets;
    None when the page names no show."""
    if chosen := _selected_text(profile, "show", root):
        return chosen
    story = _story_root(h1s)
    for node in _show_links(root):
        if in_widget(node) or (story is not None and story not in node.iterancestors()):
            continue
        if text := squash(text_content(node)):
            return text
    if name := _ld_series(ld) or _breadcrumb_show(crumbs, url):
        return name
    m = _SHOW_URL.search(url_path(url))
    if m is None:
        return None
    if profile and (name := profile.shows.get(m.group(1).rstrip("/").rsplit("/", 1)[-1])):
        return name
    show_path = m.group(1).rstrip("/")
    for link in root.iter("a"):
        if link.get("href") is None or _in_chrome(link):
            continue
        same = url_path(absolute_url(url, link.get("href"))).rstrip("/") == show_path
        if same and (text := squash(text_content(link))):
            return text
    return None

"""Article metadata from the page: profile selectors first, then JSON-LD, og:/meta tags and
generic markup, with trafilatura's date finder as the last resort."""

from __future__ import annotations

import json
import re
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from difflib import SequenceMatcher
from string import ascii_lowercase, ascii_uppercase

from lxml import etree, html

from pipelines.clean.clutter import rule_by_name
from pipelines.clean.text import fold, squash
from pipelines.clean.urls import absolute_url, url_path

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
_CHROME = "ancestor::nav or ancestor::footer or ancestor::aside"
_CARD = (
    "ancestor-or-self::*[contains(@class, 'card') or contains(@class, 'teaser')"
    " or contains(@class, 'related') or contains(@class, 'promo')]"
)


def _class_has(word: str) -> str:
    """XPath: the class attribute contains `word` (lower case), ignoring ASCII case. Native
    XPath, unlike an EXSLT re:test, which calls back into Python for every element."""
    return f"contains(translate(@class, '{ascii_uppercase}', '{ascii_lowercase}'), '{word}')"


_CREDIT_WORDS = ("credit", "copyright", "source", "photographer", "attribution")


_H1 = etree.XPath(f"//h1[not({_CHROME})]")
# A standfirst: a p/div/h2/span/h3 with a summary-like class, after the h1, outside chrome and
# cards. The class test runs in Python (as an XPath regex it costs a callback per element),
# the structural tests only on the few elements whose class passes it.
_STANDFIRST_TAGS = ("p", "div", "h2", "span", "h3")
_STANDFIRST_CLASS = re.compile(
    r"(^|[\s_-])(standfirst|dek|deck|sub-?title|subhead(line)?|summary|excerpt|intro|lede"
    r"|strapline|description|synopsis)([\s_-]|$)",
    re.I,
)
_STANDFIRST_PLACE = etree.XPath(
    f"not({_CHROME}) and not({_CARD}) and preceding::h1"
    " and not(re:test(@class, 'site-|tagline', 'i'))",
    namespaces={"re": "http://exslt.org/regular-expressions"},
)
# A byline node: rel/itemprop "author" or a byline/author class, outside chrome and cards
# (the class test in Python, as for the standfirst).
_BYLINE_CLASS = re.compile("byline|author", re.I)
_OUTSIDE_CHROME_AND_CARDS = etree.XPath(f"not({_CHROME}) and not({_CARD})")
_TAG_LINKS = etree.XPath(
    "//a[(contains(concat(' ', @rel, ' '), ' tag ') and not(contains(@rel, 'category')))"
    " or ancestor::*[position() <= 2]"
    f"[{_class_has('tag')} and re:test(@class,"
    " '(^|[\\s_-])tags?([\\s_-]|$)|tag-?list|post-tags|entry-tags', 'i')]]"
    "[not(ancestor::nav or ancestor::aside or ancestor::footer[not(ancestor::article)])]",
    namespaces={"re": "http://exslt.org/regular-expressions"},
)
# Byline-shaped text blocks outside chrome and cards: the card test (every ancestor's class)
# is the costly part, so it runs only on the rare block whose text reads like a byline.
_SHORT_BLOCKS = etree.XPath(f"//*[self::div or self::p or self::span][not({_CHROME})]")
_NOT_IN_CARD = etree.XPath(f"not({_CARD})")
# The breadcrumb trail: the first element (document order) whose class or aria-label says
# "breadcrumb", or that holds only links, at least two, the first to "/" (outside <nav>).
_LINK_ROW = etree.XPath(
    "(//*[count(a) >= 2 and count(*) = count(a) and a[1][@href = '/']][not(ancestor::nav)])[1]"
)
_BREADCRUMB_WORD = re.compile("breadcrumb", re.I)
_SHOW_NODE = etree.XPath(
    f"//a[{_class_has('show')} and re:test(@class,"
    " '(^|[\\s_-])(show|episode-show|show-name|show-link|show-title)([\\s_-]|$)|__show|--show',"
    " 'i')]"
    f"[not({_CHROME})][not({_CARD})]",
    namespaces={"re": "http://exslt.org/regular-expressions"},
)
_SHOW_LINKS = etree.XPath(f"//a[@href][not({_CHROME})]")
_TIME = etree.XPath(f"//time[@datetime][not({_CHROME})][not({_CARD})]")
_IMAGES = etree.XPath(f".//img[@src][not({_CHROME})][not({_CARD})]")
_CAPTION_NODE = etree.XPath(
    f".//*[self::figcaption or {_class_has('caption')}]"
    "[not(" + " or ".join(_class_has(w) for w in _CREDIT_WORDS if w != "source") + ")]",
    namespaces={"re": "http://exslt.org/regular-expressions"},
)
_CREDIT_NODE = etree.XPath(".//*[" + " or ".join(_class_has(w) for w in _CREDIT_WORDS) + "]")
_BY_PREFIX = re.compile(r"^(?:.*(?:\||\s))?(?:written |words |story |report )?by\s+", re.I)
_CREDIT_PREFIX = re.compile(
    r"^(?:(?:pictures?|images?|photos?|photograph|credits?|source)\s*:\s*"
    r"|(?:image|photo|picture)s? (?:courtesy|supplied|via)(?: of)?:?\s*)",
    re.I,
)
_CREDIT_IN_CAPTION = re.compile(
    r"\s*\(?\b((?:pictures?|images?|photos?|credits?)\s*:\s*[^)]+|(?:photos?|pictures?) by [^)]+)"
    r"\)?\s*$",
    re.I,
)
_NAME = r"(?-i:[A-ZÀ-Ý])[\w'’.-]*(?:\s+(?-i:[A-ZÀ-Ý])[\w'’.-]*){0,3}"
_BYLINE_TEXT = re.compile(
    rf"^(?:(?:updated|published)\b[^|]{{0,40}}\|\s*)?(?:written |words |story )?by\s+"
    rf"({_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*)\s*(?:\||$)",
    re.I,
)
_TITLE_SPLIT = re.compile(r"\s+[|–—-]\s+")
_DATE_FORMATS = (
    "%d %B %Y, %H:%M",
    "%d %B %Y %H:%M",
    "%d %B %Y",
    "%B %d, %Y %I:%M %p",
    "%B %d, %Y",
    "%Y/%m/%d %H:%M",
    "%d/%m/%Y %H:%M",
)


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
    return next((t for t in (squash(n.text_content()) for n in selector(root)) if t), None)


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


def clean_byline(text: str) -> str | None:
    """A byline's name: without 'By', timestamps or trailing separators."""
    text = squash(_BY_PREFIX.sub("", squash(text)))
    text = re.split(r"\s*[|•·]\s*|\s+(?:on|updated|published)\s+\d", text, maxsplit=1)[0]
    text = text.strip(" ,;:-")
    if not text or len(text) > 80 or any(ch.isdigit() for ch in text):
        return None
    return text


def parse_date(value: str | None, tz: tzinfo | None) -> datetime | None:
    """Parse an ISO 8601 (or common written) date; a naive time is read in `tz`."""
    value = squash(value)
    if not value:
        return None
    dt = None
    try:
        dt = datetime.fromisoformat(value.replace(" ", "T", 1) if "T" not in value else value)
    except ValueError:
        for fmt in _DATE_FORMATS:
            try:
                dt = datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
    if dt is None:
        return None
    if dt.tzinfo is None and tz is not None:
        dt = dt.replace(tzinfo=tz)
    return dt


def iso(dt: datetime | None) -> str | None:
    """ISO 8601 to the second, with the zone offset."""
    return dt.isoformat(timespec="seconds") if dt else None


def _title(root, profile, ld: dict, meta: dict, site_names: list[str]) -> str | None:
    if chosen := _selected_text(profile, "title", root):
        return chosen
    reference = _first(
        ld.get("headline"), *meta.get("og:title", []), squash(root.findtext(".//title"))
    )
    h1s = [t for t in (squash(h.text_content()) for h in _H1(root)) if t]
    if h1s:
        if not reference:
            return h1s[0]
        return max(h1s, key=lambda t: SequenceMatcher(None, fold(t), fold(reference)).ratio())
    if not reference:
        return None
    parts = _TITLE_SPLIT.split(squash(reference))
    parts = [p for p in parts if fold(p) not in {fold(s) for s in site_names if s}]
    return max(parts, key=len) if parts else squash(reference)


def _standfirst_nodes(root):
    """Standfirst candidates in document order (see _STANDFIRST_CLASS)."""
    for node in root.iter(*_STANDFIRST_TAGS):
        cls = node.get("class")
        if cls and _STANDFIRST_CLASS.search(cls) and _STANDFIRST_PLACE(node):
            yield node


def _standfirst(root, profile, title: str | None) -> str | None:
    if chosen := _selected_text(profile, "standfirst", root):
        return chosen
    for node in _standfirst_nodes(root):
        text = squash(node.text_content())
        if 20 <= len(text) <= 500 and fold(text) != fold(title or ""):
            return text
    return None


def _byline_nodes(root):
    """Byline candidates in document order (see _BYLINE_CLASS)."""
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        cls = node.get("class")
        if (
            node.get("rel") == "author"
            or node.get("itemprop") == "author"
            or (cls and _BYLINE_CLASS.search(cls))
        ) and _OUTSIDE_CHROME_AND_CARDS(node):
            yield node


def _author(root, profile, ld: dict, meta: dict) -> str | None:
    if chosen := _selected_text(profile, "author", root):
        return clean_byline(chosen)
    if names := _ld_name(ld.get("author")):
        return join_names(names)
    for name in meta.get("author", []) + meta.get("article:author", []):
        if not name.startswith("http") and (cleaned := clean_byline(name)):
            return cleaned
    for node in _byline_nodes(root):
        if node.tag in ("meta", "link"):
            continue
        if cleaned := clean_byline(node.text_content()):
            return cleaned
    for node in _SHORT_BLOCKS(root):
        text = squash(node.text_content())
        if len(text) < 200 and (m := _BYLINE_TEXT.match(text)) and _NOT_IN_CARD(node):
            return clean_byline(m.group(1))
    return None


def _dates(root, profile, ld: dict, meta: dict, tz) -> tuple[str | None, str | None]:
    published = _first(
        _selected_text(profile, "published", root),
        ld.get("datePublished"),
        *meta.get("article:published_time", []),
        *meta.get("datepublished", []),
        *meta.get("date", []),
    )
    updated = _first(
        _selected_text(profile, "updated", root),
        ld.get("dateModified"),
        *meta.get("article:modified_time", []),
        *meta.get("og:updated_time", []),
        *meta.get("datemodified", []),
    )
    times = _TIME(root)
    if not published and times:
        published = times[0].get("datetime")
    if not updated:
        marked = [
            t
            for t in times
            if re.search(
                r"updat|modif",
                " ".join(
                    (
                        t.get("class") or "",
                        t.get("itemprop") or "",
                        squash(t.getparent().text or ""),
                    )
                ),
                re.I,
            )
        ]
        updated = marked[0].get("datetime") if marked else None
    pub, upd = parse_date(published, tz), parse_date(updated, tz)
    if pub is None:
        pub = _trafilatura_date(root, tz)
    if upd is not None and pub is not None and upd == pub:
        upd = None
    return iso(pub), iso(upd)


def _trafilatura_date(root, tz) -> datetime | None:
    from htmldate import find_date

    found = find_date(root, extensive_search=False, outputformat="%Y-%m-%dT%H:%M:%S")
    return parse_date(found, tz) if found else None


def _tags(root, profile, ld: dict, meta: dict) -> list[str]:
    selector = profile.selectors.get("tags") if profile else None
    visible = [
        squash(n.text_content())
        for n in (selector(root) if selector is not None else _TAG_LINKS(root))
    ]
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
    return any(rule_by_name(n).pattern.fullmatch(text) for n in ("photo-credit", "agency-credit"))


def _caption_and_credit(holder: etree._Element) -> tuple[str | None, str | None]:
    """Caption and credit shown with an image: credit from a credit-classed node or a
    credit-shaped child of the caption, caption from the rest of the caption's text."""
    credit_nodes = [n for n in _CREDIT_NODE(holder) if squash(n.text_content())]
    cap = next(iter(_CAPTION_NODE(holder)), None)
    if cap is not None:
        credit_nodes += [
            c
            for c in cap.iterdescendants()
            if isinstance(c.tag, str)
            and c not in credit_nodes
            and _is_credit_text(squash(c.text_content()))
        ]
    credit = (
        squash(_CREDIT_PREFIX.sub("", squash(credit_nodes[0].text_content())))
        if credit_nodes
        else None
    )
    if cap is None:
        return None, credit
    cap = deepcopy(cap)
    for node in _CREDIT_NODE(cap) + [
        c
        for c in cap.iterdescendants()
        if isinstance(c.tag, str) and _is_credit_text(squash(c.text_content()))
    ]:
        if node.getparent() is not None:
            node.drop_tree()
    caption, inline_credit = split_credit(" ".join(cap.itertext()))
    return caption, credit or inline_credit


def _image_holder(img: etree._Element) -> etree._Element | None:
    """The figure (or figure-like wrapper) around an image that holds its caption and credit."""
    node = img
    for _ in range(3):
        node = node.getparent()
        if node is None:
            return None
        if node.tag == "figure" or _CAPTION_NODE(node) or _CREDIT_NODE(node):
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
    images = _IMAGES(root)
    img = next((i for i in images if url and _stem(i.get("src", "")) == _stem(url)), None)
    if img is None and not url:
        img = next(iter(_IMAGES(container)), None)
        url = img.get("src") if img is not None else None
    if not url:
        return None
    holder = _image_holder(img) if img is not None else None
    caption = credit = None
    if holder is not None:
        caption, credit = _caption_and_credit(holder)
    if credit is None:
        credit = _credit_line(container)
    url = absolute_url(base, url)
    return {"url": url, "caption": caption, "credit": credit} if url else None


def _credit_line(container) -> str | None:
    photo_credit = rule_by_name("photo-credit").pattern
    for node in container.iter("p", "div", "span", "em", "small"):
        text = squash(node.text_content())
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
    """Read every metadata field of an article page (the tree is not modified)."""
    objects = _ld_objects(root)
    ld = next((o for o in objects if _types(o) & ARTICLE_TYPES), {})
    meta = _meta_tags(root)
    tz = profile.timezone if profile else None
    site_name = _first(*meta.get("og:site_name", []), profile.name if profile else None)
    title = _title(root, profile, ld, meta, [site_name, profile.name if profile else None])
    published, updated = _dates(root, profile, ld, meta, tz)
    section = _first(
        _selected_text(profile, "section", root),
        ld.get("articleSection")[0]
        if isinstance(ld.get("articleSection"), list) and ld.get("articleSection")
        else ld.get("articleSection"),
        *meta.get("article:section", []),
        _breadcrumb_section(root, url),
    )
    canonical = next(
        (
            link.get("href")
            for link in root.iter("link")
            if "canonical" in (link.get("rel") or "").lower().split() and link.get("href")
        ),
        None,
    )
    return Metadata(
        title=title,
        standfirst=_standfirst(root, profile, title),
        author=_author(root, profile, ld, meta),
        published=published,
        updated=updated,
        section=squash(section) or None,
        show=_show(root, profile, url),
        tags=_tags(root, profile, ld, meta),
        image=_image(root, container, profile, ld, meta, url),
        language=_language(root, meta, profile),
        canonical_url=absolute_url(url, _first(canonical, *meta.get("og:url", []))) or url,
        site_name=site_name,
        og_type=(meta.get("og:type") or [None])[0],
        ld_types=set().union(*(_types(o) for o in objects)) if objects else set(),
    )


def _breadcrumb_links(root) -> list:
    """The links (with href) under the breadcrumb trail, in order; [] when there is none.

    Scans the tree in Python: as an XPath, the regular-expression tests on every element's
    class and aria-label cost a callback per element.
    """
    row = next(iter(_LINK_ROW(root)), None)
    trail = None
    for el in root.iter():
        if el is row:
            trail = row
            break
        if not isinstance(el.tag, str):
            continue
        cls, label = el.get("class"), el.get("aria-label")
        if (cls and _BREADCRUMB_WORD.search(cls)) or (label and _BREADCRUMB_WORD.search(label)):
            trail = el
            break
    if trail is None:
        return []
    return [a for a in trail.iterdescendants("a") if a.get("href") is not None]


def _breadcrumb_section(root, url: str) -> str | None:
    """The last breadcrumb link above the page that is neither Home nor a show page."""
    names = []
    for link in _breadcrumb_links(root):
        path = url_path(absolute_url(url, link.get("href"))).rstrip("/")
        text = squash(link.text_content())
        if (
            path
            and text
            and not re.search(r"/shows?/[^/]+$", path)
            and path != url_path(url).rstrip("/")
        ):
            names.append(text)
    return names[-1] if names else None


def _show(root, profile, url: str) -> str | None:
    if chosen := _selected_text(profile, "show", root):
        return chosen
    for node in _SHOW_NODE(root):
        if text := squash(node.text_content()):
            return text
    m = re.search(r"^(.*/shows?/[^/]+/)[^/]+", url_path(url))
    if m is None:
        return None
    if profile and (name := profile.shows.get(m.group(1).rstrip("/").rsplit("/", 1)[-1])):
        return name
    show_path = m.group(1).rstrip("/")
    for link in _SHOW_LINKS(root):
        same = url_path(absolute_url(url, link.get("href"))).rstrip("/") == show_path
        if same and (text := squash(link.text_content())):
            return text
    return None

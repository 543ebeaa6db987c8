"""The one cleaning chain: build_record(page, profile) turns a fetched Page into an ArticleRecord.

Pure: no Scrapy objects, no I/O. The one-off scrape, the fixture tests and the crawl all call it.
"""

from __future__ import annotations

import gc
import hashlib
import re
from collections import Counter
from collections.abc import Collection
from urllib.parse import urlsplit

from lxml import etree, html

from crawler.stations import registry
from pipelines.clean.body import (
    baseline_paragraphs,
    clean_paragraphs,
    dom_headings,
    drop_link_lists,
    extraction_scope,
    fill_gaps,
    heading_indexes,
    locate_container,
    paragraph_chars,
    remove_clutter,
    trafilatura_paragraphs,
)
from pipelines.clean.chrome import ChromeSnapshot, strip_chrome
from pipelines.clean.classify import (
    candidate_kind,
    listing_reason,
    page_kind_reason,
    teaser_structure,
)
from pipelines.clean.clutter import check_station_rules
from pipelines.clean.decode import decode_html
from pipelines.clean.embeds import find_embeds
from pipelines.clean.metadata import extract_metadata
from pipelines.clean.text import word_count
from pipelines.core.items import ArticleRecord, Page
from pipelines.core.urls import canonicalize, is_http_url

# Comments go at parse time: trafilatura cuts a paragraph's text at an inline comment.
_PARSER = html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
# lxml.html looks up each element's class in Python whenever lxml makes a proxy for it (every
# walk of trafilatura's tree copies makes new ones): looked up in C instead. The classes are
# lxml.html's, but for its form-control ones (form, input, label...), which nothing here uses.
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=html.HtmlElement,
        comment=html.HtmlComment,
        pi=html.HtmlProcessingInstruction,
        entity=html.HtmlEntity,
    )
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# Text decoded from these has a _CONTROL character only where its bytes hold that character's
# bytes (no surrogates: undecodable bytes become U+FFFD): checking the bytes is cheaper.
_BYTEWISE_CODECS = frozenset(["utf-8", "ascii", "windows-1252", "cp1252"])
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_BINARY_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\ufffd]")  # a binary file's telltales
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# libxml2 drops what follows a stray </body> or </html> (a browser keeps it): the parser
# closes both at the end of the document anyway.
_DOC_END = re.compile(r"</(?:body|html)\s*>", re.I)
# A page's cleaning cost grows with its tags and its text: at most MAX_TAGS tags, counting
# TEXT_PER_TAG characters of text (scripts and styles aside) as one tag, so that any page
# under the cap cleans in under 2 s (real pages weigh up to ~22,000: wcxb-dev, AEB, fixtures).
MAX_TAGS = 28_000
TEXT_PER_TAG = 100
_TEXTS = etree.XPath("//text()[not(parent::script or parent::style)]", smart_strings=False)
# A body with less text than this share of the paragraph text of the article container (or
# of the whole page) calls for the baseline.
HARM_RATIO = 0.7
HARM_RATIO_PAGE = 0.5
BASELINE_FALLBACK = "baseline-fallback"  # clutter-count key: the record is bare trafilatura's
_LOOKS_HTML = re.compile(r"<\s*(?:!doctype\s+html|html|head|body|p|div|article|h1|title)\b", re.I)


class CleanError(Exception):
    """A page that gives no record; `kind` names why (used in reports and exit codes)."""

    kind = "error"

    def __init__(self, kind: str, message: str = ""):
        super().__init__(message or kind)
        self.kind = kind


class NotAnArticle(CleanError):
    """The page is a listing, player, schedule or search page, not an article."""


class BadPage(CleanError):
    """The bytes are not a usable HTML page (empty, binary, not HTML)."""


def parse_html(page: Page) -> html.HtmlElement:
    """Decode and parse a page; BadPage when it is empty, binary or not HTML."""
    if not page.body.strip():
        raise BadPage("empty", "empty page (0 bytes of content)")
    if (tags := page.body.count(b"<")) > MAX_TAGS:  # a million elements: 25 s, 1.3 GB parsed
        raise BadPage("too-many-elements", f"{tags} tags, more than {MAX_TAGS}: not parsed")
    heavy = tags + len(page.body) // TEXT_PER_TAG > MAX_TAGS  # the text may weigh too much
    text, encoding = decode_html(page.body, page.headers.get("content-type"))
    sample = text[:4096]
    controls = len(_BINARY_CHARS.findall(sample))
    if controls > len(sample) * 0.05 or not _LOOKS_HTML.search(text[:65536]):
        raise BadPage("not-html", "not an HTML page")
    try:
        markup = _DOC_END.sub("", _drop_controls(_XML_DECL.sub("", text, count=1), page, encoding))
        root = html.document_fromstring(markup, parser=_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise BadPage("unparsable", f"HTML could not be parsed: {exc}") from exc
    if heavy and tags + (chars := sum(map(len, _TEXTS(root)))) // TEXT_PER_TAG > MAX_TAGS:
        raise BadPage(
            "too-much-text",
            f"{tags} tags and {chars} characters of text weigh more than {MAX_TAGS} tags"
            f" (a tag for each {TEXT_PER_TAG} characters): not cleaned",
        )
    return root


def _drop_controls(text: str, page: Page, encoding: str) -> str:
    """`text` without _CONTROL characters (decoded from page.body as `encoding`)."""
    body = page.body
    if (
        encoding in _BYTEWISE_CODECS
        and len(body.translate(None, _CONTROL_BYTES)) == len(body)
        # in the text: a search for a character wider than any of the text's is free
        and "\ufffe" not in text
        and "\uffff" not in text
    ):
        return text
    return _CONTROL.sub("", text)


def content_hash(title: str, body: list[str]) -> str:
    """SHA-256 of the title and body paragraphs: equal hashes mean equal article text."""
    return hashlib.sha256("\n".join([title, *body]).encode("utf-8")).hexdigest()


def build_record(
    page: Page, profile=None, any_page: bool = False, chrome: Collection[str] = ()
) -> ArticleRecord:
    """Clean one fetched page into an ArticleRecord (generic rules when `profile` is None;
    `chrome`: the station's learned lines, pipelines.clean.chrome).

    Raises NotAnArticle for pages that are not articles (players, searches, schedules,
    listings, archives, show pages...; see pipelines.clean.classify) unless `any_page` asks
    for the main text of any page, NotAnArticle("empty") when there is no text at all, and
    BadPage for input that is not a usable HTML page.
    """
    if not is_http_url(page.url) and not page.url.startswith("file:"):
        raise BadPage("bad-url", f"not a usable page URL: {page.url!r}")
    root = parse_html(page)
    # Holding a proxy for every element makes lxml reuse them on each later walk instead of
    # building (and class-looking-up) new ones every time: a large saving, same tree.
    proxies = list(root.iter())  # noqa: F841
    body_selector = profile.selectors.get("body") if profile else None
    lengths: dict = {}  # each paragraph's paragraph_chars, read once while the tree is unchanged
    container, article_prose, known_container = locate_container(root, body_selector, lengths)
    meta = extract_metadata(root, container, page.url, profile)
    if not any_page and (reason := page_kind_reason(page.url, meta)):
        raise NotAnArticle(reason, f"not an article ({reason} page)")
    # what the page may be besides an article, decided after extraction (listing_reason)
    judge = not any_page and not (profile is not None and profile.is_article_url(page.url))
    candidate = candidate_kind(page.url, meta) if judge else None
    structure = teaser_structure(root, meta, page.url) if judge else None
    embeds, embed_nodes = find_embeds(container, page.url)
    clutter: Counter[str] = Counter()
    # the tree is unchanged so far
    scope = extraction_scope(root, container, known_container)
    prose = article_prose if container is scope else paragraph_chars(scope, lengths)
    harm_threshold = max(HARM_RATIO * article_prose, HARM_RATIO_PAGE * prose)
    own_rules = profile.clutter if profile else ()  # the station's own clutter rules
    remove_clutter(scope, embed_nodes, clutter, prose, own_rules)
    for node in embed_nodes:
        if node.getparent() is not None:
            node.drop_tree()
    image = meta.image or {}
    echoes = [
        meta.title,
        meta.standfirst if meta.standfirst_shown else None,
        meta.section,
        meta.show,
        meta.author,
        image.get("caption"),
        image.get("credit"),
    ]
    blocks = dom_headings(scope)
    extracted = fill_gaps(trafilatura_paragraphs(scope, page.url, known_container), blocks)
    body = clean_paragraphs(extracted, echoes, clutter, own_rules)
    if not known_container and (not body or sum(map(len, body)) < harm_threshold):
        # Far less text than the article's or the page's paragraphs hold: the pre-cleaning may
        # have misled trafilatura. Do no harm: take bare trafilatura's text when it has twice
        # as much (any page: as trafilatura gives it, teasers and repeated titles too).
        baseline_clutter: Counter[str] = Counter({BASELINE_FALLBACK: 1})
        baseline = baseline_paragraphs(parse_html(page), page.url)
        if not any_page:
            baseline = clean_paragraphs(baseline, echoes, baseline_clutter, own_rules)
        if word_count(baseline) >= 2 * word_count(body):
            clutter, body = baseline_clutter, baseline
    if judge and (reason := listing_reason(root, meta, body, candidate, structure)):
        raise NotAnArticle(reason, f"not an article ({reason} page)")
    if not any_page:
        body = drop_link_lists(body, scope, page.url, clutter)
    if not body and not embeds:
        raise NotAnArticle("empty", "no article text found")
    title = meta.title or (body[0] if body else "")
    # The hash is of the page's own text: a grown chrome never makes an unchanged page a new
    # version (pipelines.store.base).
    own_text = content_hash(title, body)
    body = strip_chrome(body, chrome, clutter)
    host = urlsplit(page.url).hostname or ""
    return ArticleRecord(
        url=page.url,
        canonical_url=_canonical(meta.canonical_url or page.url, profile),
        station=profile.key if profile else host.removeprefix("www.") or "unknown",
        station_name=profile.name if profile else meta.site_name,
        section=meta.section,
        show=meta.show,
        title=title,
        standfirst=meta.standfirst,
        author=meta.author,
        published=meta.published,
        updated=meta.updated,
        body=body,
        headings=heading_indexes(body, blocks),
        image=meta.image,
        tags=meta.tags,
        embeds=embeds,
        language=meta.language,
        word_count=word_count(body),
        content_hash=own_text,
        fetched_at=page.fetched_at,
        clutter=dict(sorted(clutter.items())),
    )


def _canonical(url: str, profile) -> str:
    """The record's canonical URL: normalised to the station's canonical host when a profile
    owns its host, else kept openable (scheme and port as given)."""
    host = (urlsplit(url).hostname or "").lower()
    if profile is not None and host in profile.domains:
        return canonicalize(url, profile.canonical_host)
    return canonicalize(url, keep_origin=True)


def clean_page(
    page: Page, any_page: bool = False, chrome: ChromeSnapshot | None = None
) -> ArticleRecord | tuple[str, str]:
    """build_record with the page's station profile (and its lines in the `chrome` snapshot):
    the record, or (kind, message) of the CleanError that refused it (a plain tuple, so it
    crosses process boundaries intact)."""
    profile = registry().get(page.station) if page.station else None
    if profile:
        check_station_rules(profile, registry().origins[profile.key])
    learned = chrome.get(profile.key, frozenset()) if chrome and profile else frozenset()
    # The garbage collector waits while a page is cleaned: its tree's thousands of element
    # proxies (build_record) would set off collections that find no cycle in them; what one page
    # leaves behind is collected after it, as before. (CPU time of the AEB pages: -3 to -7%.)
    collecting = gc.isenabled()
    gc.disable()
    try:
        return build_record(page, profile, any_page, learned)
    except CleanError as exc:
        return exc.kind, str(exc)
    finally:
        if collecting:
            gc.enable()

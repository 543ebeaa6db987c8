"""The article body: pick the container, strip clutter nodes, run trafilatura, clean paragraphs."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from copy import copy
from operator import itemgetter
from urllib.parse import urlsplit

import trafilatura
import trafilatura.core as trafilatura_core
from lxml import etree, html
from trafilatura.settings import Extractor

from pipelines.clean import trafxpath
from pipelines.clean.clutter import MAX_CLUTTER_CHARS, NODE_RULES, Rule, match_text
from pipelines.clean.cssindex import SelectorIndex, class_tokens
from pipelines.clean.text import fold, squash, text_content, text_with_breaks

BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
        "figcaption",
        "dt",
        "dd",
        "td",
        "th",
        "header",
    ]
)
# Generic article containers by rank: itemprop=articleBody, class entry-content, another
# article-body class, <article>, <main> (found in one walk: XPath class tests cost far more).
_BODY_CLASSES = (
    frozenset(["entry-content"]),
    frozenset(["article-body", "article--body", "article__body", "post-content", "story-body"]),
)
_BODY_CLASS_WORDS = ("body", "content")  # each of those classes holds one (a cheap first test)
_BODY_WORD, _CONTENT_WORD = _BODY_CLASS_WORDS
REPEATED_METADATA = "repeated-metadata"
LINK_LIST = "link-list"  # clutter key: a run of headlines inside the body, each a whole link
MIN_LINK_RUN = 3  # this many link lines in a row are a rail, not the article's own list
MAX_LINK_LINE = 300
MAX_BLURB = 160  # a teaser's blurb line under its headline link
TEASER_LINK_CHARS = 25  # a line that opens with a link this long (folded) is a teaser card
_LABEL_WORDS = 4
_CARD_BLOCKS = frozenset(["p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6"])
INLINE, LEAD, BLOCK, CARD = 0, 1, 2, 3  # link shapes (_link_shape)
_SENTENCE_WORDS = 6  # a link of this many words ending in a full stop is a sentence, not a title
_SENTENCE_END = re.compile(r"[.!?\"”’»)]$")
SPARE_MIN_PROSE = 200  # below this much paragraph text a page has no article to protect
# bare_extraction renders the body as text (Document.text) only for its default "python" output;
# with any other it returns the body tree all the same, which is all _paragraphs_of reads.
_BODY_TREE_ONLY = "txt"
_NODE_INDEX = SelectorIndex([rule.css for rule in NODE_RULES])


def paragraph_chars(el: etree._Element, lengths: dict | None = None) -> int:
    """Characters of paragraph (<p>) text under `el`; `lengths`: each paragraph's as far as
    known, filled in as they are read (nested candidates and the page share their paragraphs),
    for as long as the tree is unchanged."""
    if lengths is None:
        return sum(len(squash(text_content(p))) for p in el.iter("p"))
    total = 0
    for p in el.iter("p"):
        if (chars := lengths.get(p)) is None:
            chars = lengths[p] = len(squash(text_content(p)))
        total += chars
    return total


def locate_container(
    root: html.HtmlElement, selector=None, lengths: dict | None = None
) -> tuple[html.HtmlElement, int, bool]:
    """Where the article is: the profile's body selector, else the generic candidate with the
    most paragraph text, else <body> (embeds and the lead image are looked for here); with its
    paragraph_chars (`lengths` as there), and whether it is the profile's body container
    (`selector` matched)."""
    if selector is not None and (hits := selector(root)):
        scored = ((paragraph_chars(h, lengths), h) for h in hits)
        chars, container = max(scored, key=itemgetter(0))
        return container, chars, True
    for hits in _container_candidates(root):
        scored = [(chars, h) for h in hits if (chars := paragraph_chars(h, lengths)) > 0]
        if scored:
            chars, container = max(scored, key=itemgetter(0))  # the first of the longest
            return container, chars, False
    body = root.find("body")
    container = body if body is not None else root
    return container, paragraph_chars(container, lengths), False


def _container_candidates(root: html.HtmlElement) -> list[list[html.HtmlElement]]:
    """The generic container candidates under `root`, per rank, each in document order."""
    ranks: list[list[html.HtmlElement]] = [[], [], [], [], []]
    for el in root.iter(etree.Element):  # elements only
        if el.tag == "article":
            ranks[3].append(el)
        elif el.tag == "main":
            ranks[4].append(el)
        if el.get("itemprop") == "articleBody":
            ranks[0].append(el)
        if (cls := el.get("class")) and (_BODY_WORD in cls or _CONTENT_WORD in cls):
            tokens = class_tokens(cls)
            if not _BODY_CLASSES[0].isdisjoint(tokens):
                ranks[1].append(el)
            if not _BODY_CLASSES[1].isdisjoint(tokens):
                ranks[2].append(el)
    return ranks


def extraction_scope(
    root: html.HtmlElement, container: html.HtmlElement, known_container: bool
) -> html.HtmlElement:
    """What trafilatura reads: the profile's body container when it matched
    (`known_container`, locate_container), else the whole page (trafilatura finds the main
    text better than a generic guess does)."""
    if known_container:
        return container
    body = root.find("body")
    return body if body is not None else root


def _drop(node: etree._Element) -> None:
    if node.getparent() is not None:
        node.drop_tree()


def _text_of(node: etree._Element) -> str:
    return squash(" ".join(node.itertext()))


def _block_text(node: etree._Element, limit: int = MAX_CLUTTER_CHARS) -> str:
    """_text_of(node) when it is at most `limit` long; else some text longer than `limit`.

    Exact because the squashed text of the first pieces is a prefix of the squashed whole
    (the pieces are joined with a space, which NFC never composes with its neighbours), so
    once a prefix is too long the whole is; this spares re-reading big containers.
    """
    if not len(node):  # a leaf: its own text is all of it
        return squash(node.text)
    parts: list[str] = []
    size, check_at = 0, limit + 1
    for piece in node.itertext():
        parts.append(piece)
        size += len(piece) + 1
        if size > check_at:
            text = squash(" ".join(parts))
            if len(text) > limit:
                return text
            check_at = 2 * size
    return squash(" ".join(parts))


def _embed_follows(node: etree._Element, embed_nodes: set) -> bool:
    """Whether the next non-empty thing after `node` is (or holds) an embed."""
    current = node
    while current is not None:
        sibling = current.getnext()
        while sibling is not None:
            if isinstance(sibling.tag, str):
                if sibling in embed_nodes or any(d in embed_nodes for d in sibling.iter()):
                    return True
                if _text_of(sibling):
                    return False
            sibling = sibling.getnext()
        current = current.getparent()
        if current is None or current.tag in ("article", "body", "main"):
            return False
    return False


def _link_heavy(node: etree._Element) -> bool:
    text = _text_of(node)
    if not text:
        return True
    linked = sum(len(squash(text_content(a))) for a in node.iter("a"))
    return linked >= 0.5 * len(text) or node.tag in ("article", "ul", "ol", "aside")


def remove_clutter(
    container: etree._Element,
    embed_nodes: Iterable,
    counts: Counter,
    prose: int,
    extra: tuple[Rule, ...] = (),
) -> None:
    """Drop clutter nodes (CSS rules) and clutter blocks (text rules) under `container`,
    sparing a node that holds at least half of its `prose` (paragraph_chars(container));
    `extra`: the station profile's own rules, applied after the shared ones."""
    # Each rule's matches as its CSSSelector would find them on the tree the earlier rules
    # left: all matches are found in one walk (a node's match depends only on itself and its
    # ancestors), and a rule skips the matches that earlier rules' drops detached.
    node_hits = [*zip(NODE_RULES, _NODE_INDEX.hits(container), strict=True)]
    node_hits += [(rule, rule.selector(container)) for rule in extra if rule.css]
    for rule, hits in node_hits:
        for node in [n for n in hits if _attached(n, container)]:
            if (
                rule.max_chars is not None
                and len(_block_text(node, rule.max_chars)) > rule.max_chars
            ):
                continue
            if _holds_most_prose(node, prose):
                counts[f"{rule.name}/spared"] += 1
                continue
            counts[rule.name] += 1
            _drop(node)
    embeds = set(embed_nodes)
    # (node, its _block_text when it is a block that matched no rule, else None)
    stack: list[tuple[etree._Element, str | None]] = [(container, None)]
    while stack:
        node, node_text = stack.pop()
        children = list(node)
        if node_text is not None and not _wraps_one(node, children):
            node_text = None
        for child in reversed(children):
            if not isinstance(child.tag, str):
                continue
            text = None
            if child.tag in BLOCK_TAGS and (text := node_text or _block_text(child)):
                rule = _block_rule(text, child, embeds, extra)
                if rule is not None:
                    counts[rule.name] += 1
                    if rule.tail:
                        _drop_tail(child)
                    _drop(child)
                    continue
            stack.append((child, text))


def _wraps_one(node: etree._Element, children: list) -> bool:
    """Whether `node`'s text is all its one child's: no other child, only whitespace around
    it (so the child's _block_text is the node's)."""
    return (
        len(children) == 1
        and not (node.text or "").strip()
        and not (children[0].tail or "").strip()
    )


def _holds_most_prose(node: etree._Element, prose: int) -> bool:
    """Whether `node` holds at least half of the page's paragraph text: a clutter selector that
    matches such a node has matched a wrapper of the article, not chrome."""
    if prose < SPARE_MIN_PROSE or next(node.iter("p"), None) is None:  # no paragraph text
        return False
    if len(_block_text(node, prose // 2)) <= prose // 2:
        return False
    return paragraph_chars(node) * 2 >= prose


def _attached(node: etree._Element, container: etree._Element) -> bool:
    """Whether `node` is a strict descendant of `container` still in its tree."""
    if node is container:
        return False
    parent = node.getparent()
    while parent is not None and parent is not container:
        parent = parent.getparent()
    return parent is container


def _block_rule(text: str, node: etree._Element, embeds: set, extra: tuple[Rule, ...]):
    """match_text(text, embed_follows=..., extra), looking for a following embed only when
    the answer depends on it (a rule that needs an embed after the line matched first)."""
    rule = match_text(text, embed_follows=True, extra=extra)
    if rule is None or not rule.before_embed or _embed_follows(node, embeds):
        return rule
    return match_text(text, embed_follows=False, extra=extra)


def _drop_tail(node: etree._Element) -> None:
    """Drop the link-heavy siblings after a rail heading (its cards), up to the first text."""
    sibling = node.getnext()
    while sibling is not None and (not isinstance(sibling.tag, str) or _link_heavy(sibling)):
        following = sibling.getnext()
        if isinstance(sibling.tag, str):
            _drop(sibling)
        sibling = following


def _lines(el: etree._Element) -> list[str]:
    """Split a trafilatura output element at its line breaks and its nested blocks (a list
    item holding a heading and a paragraph) into squashed lines."""
    lines, current = [], [el.text or ""]
    for child in el:
        if child.tag == "lb":
            lines.append("".join(current))
            current = [child.tail or ""]
        elif child.tag in _OUT_BLOCKS:
            lines.append("".join(current))
            lines.extend(_lines(child))
            current = [child.tail or ""]
        elif isinstance(child.tag, str):
            current.append("".join(child.itertext()) + (child.tail or ""))
        else:
            current.append(child.tail or "")
    lines.append("".join(current))
    return [s for s in (squash(line) for line in lines) if s]


def trafilatura_paragraphs(
    container: html.HtmlElement, url: str | None, known_container: bool = False
) -> list[str]:
    """Run trafilatura on the pre-cleaned container and return its paragraphs in order:
    sub-headings and list items as entries of their own. In a `known_container` (a station
    profile's article body) trafilatura's fallback extractors, which search the tree for the
    main text again, are skipped: on station pages they never changed a record."""
    return _paragraphs_of(recall_extraction(container, url, fast=known_container))


# What the cleaner asks trafilatura for (bare_extraction's arguments), built once: making an
# Extractor reads its configuration each time.
_RECALL_OPTIONS = {
    fast: Extractor(
        output_format=_BODY_TREE_ONLY, fast=fast, recall=True, comments=False, tables=True
    )
    for fast in (False, True)
}
# recall_extraction follows bare_extraction step by step as trafilatura trafxpath.FOLLOWS takes
# them; with any other version it calls bare_extraction itself.
_TRAFILATURA = trafilatura.__version__
# The first test of each of trafilatura's raw-tree prunes (RAW_TREE_PRUNE_XPATH's two, then
# REMOVE_COMMENTS_AND_LISTS_XPATH) as words one of the id or class attributes it reads holds
# wherever its regex (or contains()) matches, on elements of the tags it looks at. When no
# element has them, the XPath (whose regex tests call back into Python for each element) has
# nothing to prune. Looked for once, before the first prune: a prune only takes elements away.
_PRUNE_TAGS = ("div", "section", "aside", "list", "details", "ol", "ul")
_RAW_PRUNE_TAGS = frozenset(["div", "section", "aside"])
_INFINITE_SCROLL = re.compile("mvp-post-add-|scroll")  # both attributes
_SHARE_BUTTONS = "elementor-share-buttons"  # the class
_COMMENTS_ID = re.compile("omment|comol|disqus_thread")
_COMMENTS_CLASS = "omment"


def _prunes_to_run(tree: etree._Element) -> list[bool]:
    """Whether each of the three raw-tree prunes may find something under `tree`."""
    scroll = share = comments = False
    for el in tree.iterdescendants(*_PRUNE_TAGS):
        ident, cls = el.get("id") or "", el.get("class") or ""
        if el.tag in _RAW_PRUNE_TAGS:
            scroll = scroll or bool(_INFINITE_SCROLL.search(ident) or _INFINITE_SCROLL.search(cls))
            share = share or _SHARE_BUTTONS in cls
        comments = comments or _COMMENTS_CLASS in cls or bool(_COMMENTS_ID.search(ident))
        if scroll and share and comments:
            break
    return [scroll, share, comments]


def recall_extraction(tree: html.HtmlElement, url: str | None, fast: bool):
    """bare_extraction(tree, url=url, fast=fast, favor_recall=True, include_comments=False,
    include_tables=True, with_metadata=False, output_format="txt"): the same Document (its
    body), with less work: a prune XPath runs only where an element could match it, the tree
    is copied only where a prune changes it and for the external extractors only when they run,
    and the options are built once."""
    options = copy(_RECALL_OPTIONS[fast])
    options.url = url
    source = url or None  # as Extractor(url=url) sets it (read only in log messages)
    options.source = source and source.encode("utf-8", "replace").decode("utf-8")
    if _TRAFILATURA != trafxpath.FOLLOWS:
        return trafilatura.bare_extraction(tree, options=options)
    try:
        body, text = _recall_sequence(tree, options, url)
        if options.max_tree_size:  # bare_extraction's tree size check
            if len(body) > options.max_tree_size:
                etree.strip_tags(body, "hi")
            if len(body) > options.max_tree_size:
                raise ValueError
        if len(text) < options.min_output_size and options.min_output_comm_size > 0:
            raise ValueError  # too short (no comments asked for)
    except (TypeError, ValueError):
        return None
    return trafilatura_core.Document(body=body)


def _recall_sequence(tree: html.HtmlElement, options: Extractor, url: str | None):
    """trafilatura_sequence(tree, options, url)[:2] for recall without comments (2.3.1), on
    a copy of `tree` when a prune may change it (every later step copies what it changes)."""
    core = trafilatura_core
    is_forum = core._forum_thread_page(tree)
    *raw, comments = _prunes_to_run(tree)
    comments = comments and not is_forum
    if any(raw) or comments:
        tree = copy(tree)
    for xpath, may_match in zip(core.RAW_TREE_PRUNE_XPATH, raw, strict=True):
        if may_match:
            core.prune_unwanted_nodes(tree, [xpath])
    if comments:
        tree = core.prune_unwanted_nodes(tree, core.REMOVE_COMMENTS_AND_LISTS_XPATH)
    cleaned_tree, cleaned_tree_backup = core._prepare_tree(tree, options, url)
    body, text = trafxpath.extract_content(cleaned_tree, options)
    # compare_extraction returns at once in recall mode when the text is this long: the raw
    # tree it would hand readability need not be copied
    if not options.fast and len(text) <= options.min_extracted_size * 10:
        body, text = core.compare_extraction(cleaned_tree_backup, copy(tree), body, text, options)
    if len(text) < options.min_extracted_size:  # the baseline rescue
        b_body, b_text, b_len = core.baseline(tree)
        if b_len > len(text):
            body, text = b_body, b_text
    return body, text


def baseline_paragraphs(root: html.HtmlElement, url: str | None) -> list[str]:
    """Bare trafilatura's paragraphs on the untouched page (its default settings, comments
    left out): what the cleaner falls back to when its own pass found far less."""
    return _paragraphs_of(
        trafxpath.bare_extraction(
            root,
            url=url,
            include_comments=False,
            with_metadata=False,
            output_format=_BODY_TREE_ONLY,
        )
    )


def _paragraphs_of(doc) -> list[str]:
    """The paragraphs of a trafilatura result's body tree, in order (none for None)."""
    if doc is None:
        return []
    out: list[str] = []
    _walk_output(doc.body, out)
    return out


_OUT_LEAVES = frozenset(["p", "head", "item", "code"])
_OUT_BLOCKS = frozenset(["p", "head", "item", "list", "quote"])  # blocks nested in a leaf


def _walk_output(node: etree._Element, out: list[str]) -> None:
    """Paragraphs of a trafilatura output container in order: its block children, and the
    loose text (with inline markup) between them, which trafilatura leaves as text and tails."""
    loose = [node.text or ""]

    def flush() -> None:
        if text := squash("".join(loose)):
            out.append(text)
        loose.clear()

    for child in node:
        if not isinstance(child.tag, str):
            pass
        elif child.tag == "lb":
            flush()
        elif child.tag == "row" and child.find(".//p") is None and child.find(".//head") is None:
            flush()
            cells = [squash("".join(c.itertext())) for c in child]
            out.append(" | ".join(c for c in cells if c))
        elif child.tag in _OUT_LEAVES or (child.tag == "quote" and child.find("p") is None):
            flush()
            out.extend(_lines(child))
        elif child.tag in ("list", "quote", "table", "row", "cell", "div", "section"):
            flush()
            _walk_output(child, out)
        else:  # inline markup (hi, ref, del...) inside loose text
            loose.append("".join(child.itertext()))
        loose.append(child.tail or "")
    flush()


_HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
_LEAF_BLOCKS = frozenset(
    ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dd", "dt", "blockquote", "pre", "td"]
)


def _text_with_breaks(el: etree._Element) -> str:
    """The element's text with each <br> as a newline."""
    if next(el.iter("br"), None) is None:
        return "".join(el.itertext())
    return text_with_breaks(el, "\n")


def _inside(node: etree._Element, ancestor: etree._Element) -> bool:
    """Whether `node` is a descendant of `ancestor`."""
    parent = node.getparent()
    while parent is not None and parent is not ancestor:
        parent = parent.getparent()
    return parent is not None


def dom_headings(container: etree._Element) -> list[tuple[str, bool, etree._Element]]:
    """(text, is_heading, element) for every innermost block element under `container`, in
    page order, split at <br> like trafilatura's output."""
    blocks: list[tuple[str, bool, etree._Element]] = []
    found = list(container.iter(*_LEAF_BLOCKS))
    for i, el in enumerate(found):
        # not innermost: the next block in document order is inside it (its first block)
        if i + 1 < len(found) and _inside(found[i + 1], el):
            continue
        heading = el.tag in _HEADINGS
        lines = [t for t in (squash(line) for line in _text_with_breaks(el).split("\n")) if t]
        blocks.extend((t, heading, el) for t in lines)
    return blocks


def _all_link_text(el: etree._Element) -> bool:
    """Whether every character of the element's text is inside a link."""
    if next(el.iterancestors("a"), None) is not None:
        return True
    linked = sum(len(squash(a.text_content())) for a in el.iter("a"))
    return linked > 0 and linked >= len(squash(el.text_content()))


def fill_gaps(extracted: list[str], blocks: list[tuple[str, bool, etree._Element]]) -> list[str]:
    """Put back sub-headings trafilatura dropped (a heading before a list, say): a heading
    that sits right before a paragraph it kept, after another it kept, goes back in, unless
    that paragraph is a link (a rail heading before its headlines stays out). `blocks`:
    dom_headings of the tree trafilatura read, as it still is."""
    places: dict[str, list[int]] = {}  # each block key's positions, in order
    for i, (text, _, _) in enumerate(blocks):
        places.setdefault(fold(text), []).append(i)
    out: list[str] = []
    last = -1
    for para in extracted:
        at = places.get(fold(para), [])
        k = bisect_right(at, last)  # the first place after the last paragraph found
        found = at[k] if k < len(at) else None
        if found is not None:
            start = found
            while last >= 0 and start - 1 > last and blocks[start - 1][1]:
                start -= 1
            if start < found and not _all_link_text(blocks[found][2]):
                out.extend(text for text, _, _ in blocks[start:found])
            last = found
        out.append(para)
    return out


def heading_indexes(body: list[str], blocks: list[tuple[str, bool, etree._Element]]) -> list[int]:
    """Positions in `body` of its sub-headings: paragraphs that are the whole text of a heading
    element (h1-h6) among `blocks` (dom_headings of the extraction scope)."""
    keys = {fold(text) for text, heading, _ in blocks if heading}
    return [i for i, para in enumerate(body) if fold(para) in keys]


def clean_paragraphs(
    paragraphs: list[str], echoes: Iterable[str], counts: Counter, extra: tuple[Rule, ...] = ()
) -> list[str]:
    """The paragraph-level pass: drop clutter lines (shared rules, then the profile's `extra`
    ones), metadata repeated in the body (title, standfirst, caption, credit...), and immediate
    repeats."""
    echo_keys = {fold(e) for e in echoes if e and len(fold(e)) > 3}
    kept: list[str] = []
    for para in paragraphs:
        rule = match_text(para, extra=extra)
        if rule is not None:
            counts[rule.name] += 1
            continue
        key = fold(para)
        if key in echo_keys or (kept and fold(kept[-1]) == key):
            counts[REPEATED_METADATA] += 1
            continue
        kept.append(para)
    return kept


def _links(scope: etree._Element) -> dict[str, list[tuple[etree._Element, str]]]:
    """The links under `scope` but contents `#` links, by folded text, with their href (the
    site each goes to is only worked out for the texts a paragraph asks about: _own)."""
    links: dict[str, list[tuple[etree._Element, str]]] = {}
    for a in scope.iter("a"):
        href = (a.get("href") or "").strip()
        if not href.startswith("#") and (key := fold(text_content(a))):
            links.setdefault(key, []).append((a, href))
    return links


def _own(links: list[tuple[etree._Element, str]], host: str) -> list[etree._Element]:
    """Those of `links` that go to another page of the site `host` (or are relative)."""
    return [a for a, href in links if _site(href) in ("", host)]


def _link_shape(a: etree._Element) -> int:
    """CARD (the link wraps blocks: a headline and its blurb), BLOCK (all of its block's text:
    a headline), LEAD (it opens its block and a new sentence or a tag follows: a teaser) or
    INLINE (a link inside a sentence)."""
    if next(a.iterdescendants(*_CARD_BLOCKS), None) is not None:
        return CARD
    block = next((b for b in a.iterancestors() if b.tag in _CARD_BLOCKS), None)
    if block is None:
        return BLOCK
    own = squash(a.text_content())
    lines = (squash(line) for line in _text_with_breaks(block).split("\n"))
    rest = next((line[len(own) :].lstrip() for line in lines if line.startswith(own)), None)
    if rest is None:
        return INLINE
    if not rest:
        return BLOCK
    return LEAD if rest[0].isupper() or rest[0] in "[(|-–—" else INLINE


def _site(url: str | None) -> str:
    """The host of `url` without "www." ("" for a relative link)."""
    # a path has no host (urlsplit drops tabs and line breaks first: "/\t/" is "//")
    if url and url[0] == "/" and url[1:2] not in ("/", "\t", "\r", "\n"):
        return ""
    return (urlsplit(url or "").hostname or "").removeprefix("www.")


def drop_link_lists(
    paragraphs: list[str], scope: etree._Element, url: str | None, counts: Counter
) -> list[str]:
    """Drop every run of MIN_LINK_RUN or more headline links to the site's own pages (each line
    the whole text of a link under `scope`, or opening with a long one: a teaser card), each
    maybe followed by a short blurb line, after the article's first paragraph: a rail inside the
    body, with the short label line just before it. Nothing goes when the runs hold more text
    than the rest (the links are then the page's content)."""
    if len(paragraphs) <= MIN_LINK_RUN:
        return paragraphs
    links, host = _links(scope), _site(url)
    shapes: dict[str, int] = {}  # a link text's largest shape, worked out when a line asks
    own: dict[str, list] = {}  # a link text's links to the site, worked out when asked

    def own_links(key: str) -> list:
        if key not in links:
            return []
        if key not in own:
            own[key] = _own(links[key], host)
        return own[key]

    lengths = sorted({len(k) for k in links if len(k) >= TEASER_LINK_CHARS and own_links(k)})

    def shape(key: str) -> int:
        if key not in shapes:
            shapes[key] = max(map(_link_shape, own_links(key)), default=INLINE)
        return shapes[key]

    def is_link_line(para: str) -> bool:
        """A headline link (a sentence in a link is prose), a card, or a line opening with a
        long link (a teaser: headline, then its blurb)."""
        if len(para) > MAX_LINK_LINE:
            return False
        key = fold(para)
        if (whole := shape(key)) > INLINE:
            return whole == CARD or not (
                para.endswith(".") and len(para.split()) >= _SENTENCE_WORDS
            )
        return any(shape(key[:n]) > INLINE for n in lengths if n < len(key))

    linked = [is_link_line(p) for p in paragraphs]
    drop: set[int] = set()
    i = 0
    while i < len(paragraphs):
        j, heads = i, 0
        while j < len(paragraphs) and linked[j]:
            heads += 1
            j += 1
            blurb = j + 1 < len(paragraphs) and not linked[j] and linked[j + 1]
            if blurb and len(paragraphs[j]) <= MAX_BLURB:
                j += 1  # a blurb between two headlines
        if heads >= MIN_LINK_RUN and i > 0 and not (i == 1 and _is_label(paragraphs[0])):
            drop.update(range(i, j))
            if i - 1 not in drop and _is_label(paragraphs[i - 1]):
                drop.add(i - 1)
        i = max(j, i + 1)
    dropped = sum(len(paragraphs[k]) for k in drop)
    if not drop or dropped >= sum(map(len, paragraphs)) - dropped:
        return paragraphs
    counts[LINK_LIST] += len(drop)
    return [p for k, p in enumerate(paragraphs) if k not in drop]


def _is_label(para: str) -> bool:
    """A short line that names what follows ("More:", "Don't miss"), not a sentence."""
    if len(para.split()) > _LABEL_WORDS:
        return False
    return para.endswith((":", "...", "…")) or not _SENTENCE_END.search(para)

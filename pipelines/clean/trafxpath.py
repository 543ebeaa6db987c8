"""Trafilatura's content-area and discard XPaths (BODY_XPATH, OVERALL_DISCARD_XPATH) as walks.

Their `re:test()` tests call back into Python for every div, section, span... of the tree
(lxml's EXSLT regular expressions are Python's `re`), which costs more than the rest of the
walk: here the same regexes run on the same attribute values from a plain walk, and each
expression gives the same elements in the same order as its XPath. `extract_content` and
`bare_extraction` are trafilatura's own, run with these in place of the XPaths (its modules are
left as they are: bare trafilatura in the same process runs its XPaths). Only for the
trafilatura version whose expressions these follow, and only when each expression reads as
expected: otherwise they are trafilatura's.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable

import trafilatura
import trafilatura.core as core
import trafilatura.main_extractor as main_extractor
from lxml import etree

# The trafilatura version whose internals the cleaner follows step by step (these walks, and
# body.recall_extraction): with any other, trafilatura's own functions run.
FOLLOWS = "2.3.1"
_RE_TEST = re.compile(r"re:test\((@[\w|@-]+), '([^']*)'(?:, '(\w*)')?\)")


def _regexes(xpath: etree.XPath) -> tuple[str, list[tuple[str, re.Pattern[str]]]]:
    """The expression with each re:test(ARG, 'R'[, 'i']) as {ARG}, and its (ARG, regex)s
    compiled as lxml compiles them (re.UNICODE, re.IGNORECASE for an 'i' flag)."""
    found: list[tuple[str, re.Pattern[str]]] = []

    def take(m: re.Match) -> str:
        flags = re.UNICODE | (re.IGNORECASE if "i" in (m.group(3) or "") else 0)
        found.append((m.group(1), re.compile(m.group(2), flags)))
        return "{" + m.group(1) + "}"

    return " ".join(_RE_TEST.sub(take, xpath.path).split()), found


def _first_of(el: etree._Element, first: str, second: str) -> str:
    """string(@first|@second): the value of whichever the element holds first ('' if none)."""
    a, b = el.get(first), el.get(second)
    if a is None:
        return b or ""
    if b is None:
        return a
    keys = el.keys()
    return a if keys.index(first) < keys.index(second) else b


def _value(el: etree._Element, arg: str) -> str:
    """The string value of an attribute node-set argument (@a or @a|@b) on `el`."""
    names = arg.replace("@", "").split("|")
    if len(names) == 1:
        return el.get(names[0]) or ""
    return _first_of(el, *names)


_BODY_0 = (
    ".//*[self::article or self::div or self::main or self::section][ @class='post' or"
    " @class='entry' or @itemprop='articleBody' or @id='articleContent' or {@id} or {@class} ][1]"
)
_BODY_1 = "(.//article)[1]"
_BODY_2 = (
    "(.//*[self::article or self::div or self::main or self::section][ @role='article' or"
    " @id='article' or @id='story' or @class='postarea' or @class='art-postcontent' or"
    " @class='text' or @class='cell' or @class='story' or {@id} or {@class} or {@class} ])[1]"
)
_BODY_3 = (
    "(.//*[self::article or self::div or self::main or self::section][ @id='content' or"
    " @class='content' or {@id} or {@class} or contains(translate(@id, 'CM','cm'),"
    " 'main-content') or contains(translate(@class, 'CM','cm'), 'main-content') or"
    " contains(translate(@class, 'CP','cp'), 'page-content') ])[1]"
)
_BODY_4 = (
    "(.//*[self::article or self::div or self::section][ starts-with(@class, 'main') or"
    " starts-with(@id, 'main') or starts-with(@role, 'main')])[1]|(.//main)[1]"
)
_DISCARD_0 = (
    ".//*[self::div or self::item or self::list or self::p or self::section or self::span][ "
    "@data-lp-replacement-content or contains(translate(@role, 'N', 'n'), 'nav') or"
    " contains(@data-component, 'MostPopularStories') or {@id|@class} or {@id} or {@class}]"
)
_DISCARD_1 = (
    ".//*[@class='comments-title' or starts-with(@id|@class, 'reply-') or {@id|@style} or"
    " contains(@style, 'display:none') or contains(@style, 'display: none') or {@id} or"
    " {@class} or @aria-hidden='true']"
)
_CONTENT_TAGS = ("article", "div", "main", "section")


def _tests(found: list[tuple[str, re.Pattern[str]]]) -> Callable[[etree._Element], bool]:
    def test(el: etree._Element) -> bool:
        return any(rx.search(_value(el, arg)) for arg, rx in found)

    return test


def _body_0(found):
    regex = _tests(found)

    def select(tree: etree._Element) -> list:
        out, parents = [], set()
        for el in tree.iterdescendants(*_CONTENT_TAGS):
            cls = el.get("class")
            if (
                cls in ("post", "entry")
                or el.get("itemprop") == "articleBody"
                or el.get("id") == "articleContent"
                or regex(el)
            ) and (parent := el.getparent()) not in parents:  # [1]: the first among siblings
                parents.add(parent)
                out.append(el)
        return out

    return select


def _first(tags: tuple[str, ...], test: Callable[[etree._Element], bool]):
    """(.//*[tags][test])[1]: the first match in document order."""

    def select(tree: etree._Element) -> list:
        el = next((el for el in tree.iterdescendants(*tags) if test(el)), None)
        return [] if el is None else [el]

    return select


def _body_2(found):
    regex = _tests(found)

    def test(el) -> bool:
        return (
            el.get("role") == "article"
            or el.get("id") in ("article", "story")
            or el.get("class") in ("postarea", "art-postcontent", "text", "cell", "story")
            or regex(el)
        )

    return _first(_CONTENT_TAGS, test)


def _body_3(found):
    regex = _tests(found)

    def test(el) -> bool:
        ident, cls = el.get("id") or "", el.get("class") or ""
        return (
            ident == "content"
            or cls == "content"
            or regex(el)
            or "main-content" in ident.replace("C", "c").replace("M", "m")
            or "main-content" in cls.replace("C", "c").replace("M", "m")
            or "page-content" in cls.replace("C", "c").replace("P", "p")
        )

    return _first(_CONTENT_TAGS, test)


def _body_4(_found):
    def select(tree: etree._Element) -> list:
        out: list = []
        first = main = None
        for el in tree.iterdescendants("article", "div", "section", "main"):
            if el.tag == "main":
                if main is None:
                    main = el
                    out.append(el)
            elif first is None and (
                (el.get("class") or "").startswith("main")
                or (el.get("id") or "").startswith("main")
                or (el.get("role") or "").startswith("main")
            ):
                first = el
                out.append(el)
            if first is not None and main is not None:
                break
        return out

    return select


def _discard_0(found):
    regex = _tests(found)
    tags = ("div", "item", "list", "p", "section", "span")

    def test(el) -> bool:
        return (
            el.get("data-lp-replacement-content") is not None
            or "nav" in (el.get("role") or "").replace("N", "n")
            or "MostPopularStories" in (el.get("data-component") or "")
            or regex(el)
        )

    return lambda tree: [el for el in tree.iterdescendants(*tags) if test(el)]


def _discard_1(found):
    regex = _tests(found)

    def test(el) -> bool:
        style = el.get("style") or ""
        return (
            el.get("class") == "comments-title"
            or _first_of(el, "id", "class").startswith("reply-")
            or "display:none" in style
            or "display: none" in style
            or regex(el)
            or el.get("aria-hidden") == "true"
        )

    return lambda tree: [el for el in tree.iterdescendants(etree.Element) if test(el)]


_SHAPES = {
    "BODY_XPATH": (
        (_BODY_0, _body_0),
        (_BODY_1, None),
        (_BODY_2, _body_2),
        (_BODY_3, _body_3),
        (_BODY_4, _body_4),
    ),
    "OVERALL_DISCARD_XPATH": ((_DISCARD_0, _discard_0), (_DISCARD_1, _discard_1)),
}


def _first_article(tree: etree._Element) -> list:
    return [el for el in [next(tree.iterdescendants("article"), None)] if el is not None]


def _walks() -> dict[str, list] | None:
    """Each of the two XPath lists as walks, or None when one does not read as expected."""
    walks: dict[str, list] = {}
    for name, shapes in _SHAPES.items():
        xpaths = getattr(main_extractor, name)
        if len(xpaths) != len(shapes):
            return None
        walks[name] = []
        for xpath, (shape, build) in zip(xpaths, shapes, strict=True):
            text, found = _regexes(xpath)
            if text != " ".join(shape.split()):
                return None
            walks[name].append(build(found) if build is not None else _first_article)
    return walks


def _with(module, names: tuple[str, ...], values: dict):
    """The functions `names` of `module`, each reading `values` (and the others' copies) in
    place of the module's own globals of those names: the module itself is left as it is."""
    namespace = {**vars(module), **values}
    for name in names:
        original = getattr(module, name)
        clone = types.FunctionType(
            original.__code__,
            namespace,
            original.__name__,
            original.__defaults__,
            original.__closure__,
        )
        clone.__kwdefaults__ = original.__kwdefaults__
        namespace[name] = clone
    return namespace


_WALKS = _walks() if trafilatura.__version__ == FOLLOWS else None
if _WALKS is not None:
    _MAIN = ("extract_content", "_extract", "recover_wild_text", "prune_unwanted_sections")
    extract_content = _with(main_extractor, _MAIN, _WALKS)["extract_content"]
    # bare_extraction and the steps of trafilatura_sequence that run extract_content
    _CORE = ("bare_extraction", "trafilatura_sequence", "_extract_and_compare", "_recall_retry")
    bare_extraction = _with(core, _CORE, {"extract_content": extract_content})["bare_extraction"]
else:
    extract_content, bare_extraction = main_extractor.extract_content, core.bare_extraction

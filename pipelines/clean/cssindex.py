"""Match many simple CSS selectors against a tree in one walk (the clutter node rules).

`lxml.cssselect.CSSSelector` turns each comma-separated part of a selector into its own XPath
union member, so a rule with 15 classes walks the tree 15 times, and the node rules together
walk it a few hundred times per page. `SelectorIndex` reads every element once instead, looks
its tag, id, classes and attribute names up in a few dicts, and verifies the candidates. It
gives exactly what `CSSSelector(css)(context)` gives: the matches among `context` and its
descendants, in document order, with combinators only looking at ancestors up to `context`.

Only the plain selector forms the rules use are compiled: type, `.class`, `#id`, `[attr]`,
`[attr=v]`, `[attr^=v]`, `[attr*=v]`, `[attr$=v]`, `[attr~=v]` and the descendant (` `) and
child (`>`) combinators; a selector using anything else is matched by its CSSSelector instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import cssselect
from lxml import etree
from lxml.cssselect import CSSSelector

_XPATH_SPACE = re.compile(r"[ \t\r\n]+")  # XPath normalize-space's whitespace, nothing more


@dataclass(frozen=True)
class _Compound:
    """One compound selector: `tag.class#id[attr...]`; None/empty parts match anything."""

    tag: str | None
    classes: frozenset[str]
    ids: tuple[str, ...]
    attribs: tuple[tuple[str, str, str | None], ...]  # (name, operator, value)

    def matches(self, el: etree._Element, classes: frozenset[str] | None) -> bool:
        if self.tag is not None and el.tag != self.tag:
            return False
        if self.classes and (classes is None or not self.classes <= classes):
            return False
        if self.ids and any(el.get("id") != i for i in self.ids):
            return False
        for name, op, value in self.attribs:
            got = el.get(name)
            if got is None or not _attrib_ok(got, op, value):
                return False
        return True


def _attrib_ok(got: str, op: str, value: str | None) -> bool:
    if op == "exists":
        return True
    if op == "=":
        return got == value
    if op == "^=":
        return bool(value) and got.startswith(value)
    if op == "$=":
        return bool(value) and got.endswith(value)
    if op == "*=":
        return bool(value) and value in got
    if op == "~=":
        return bool(value) and value in _XPATH_SPACE.split(got.strip(" \t\r\n"))
    raise ValueError(op)


def class_tokens(value: str) -> frozenset[str]:
    """The classes of a class attribute, split as CSS and XPath's normalize-space split it."""
    return frozenset(_XPATH_SPACE.split(value.strip(" \t\r\n")))


def _class_set(el: etree._Element) -> frozenset[str] | None:
    value = el.get("class")
    return None if value is None else class_tokens(value)


@dataclass(frozen=True)
class _Selector:
    """A compound with the chain to its left: ((combinator, compound), ...) right to left."""

    subject: _Compound
    chain: tuple[tuple[str, _Compound], ...]

    def matches(self, el, classes, context) -> bool:
        if not self.subject.matches(el, classes):
            return False
        return not self.chain or _chain_ok(el, self.chain, 0, context)


def _parents(el, context):
    """Ancestors of `el` up to and including `context` (none when `el` is `context`)."""
    if el is context:
        return
    node = el.getparent()
    while node is not None:
        yield node
        if node is context:
            return
        node = node.getparent()


def _chain_ok(el, chain, i: int, context) -> bool:
    combinator, compound = chain[i]
    last = i + 1 == len(chain)
    for parent in _parents(el, context):
        if compound.matches(parent, _class_set(parent)) and (
            last or _chain_ok(parent, chain, i + 1, context)
        ):
            return True
        if combinator == ">":
            return False
    return False


def _compound(tree) -> _Compound:
    tag, classes, ids, attribs = None, set(), [], []
    while not isinstance(tree, cssselect.parser.Element):
        if isinstance(tree, cssselect.parser.Class):
            classes.add(tree.class_name)
        elif isinstance(tree, cssselect.parser.Hash):
            ids.append(tree.id)
        elif isinstance(tree, cssselect.parser.Attrib) and tree.namespace is None:
            value = tree.value.value if tree.value is not None else None
            if tree.operator not in ("exists", "=", "^=", "$=", "*=", "~="):
                raise ValueError(f"unsupported attribute operator {tree.operator!r}")
            attribs.append((tree.attrib, tree.operator, value))
        else:
            raise ValueError(f"unsupported selector part {tree!r}")
        tree = tree.selector
    if tree.namespace is not None:
        raise ValueError("namespaced selectors are not supported")
    tag = tree.element if tree.element not in (None, "*") else None
    return _Compound(tag, frozenset(classes), tuple(ids), tuple(attribs))


def compile_css(css: str) -> list[_Selector]:
    """The comma-separated parts of `css` as matchers (ValueError for unsupported forms)."""
    out = []
    for parsed in cssselect.parse(css):
        if parsed.pseudo_element is not None:
            raise ValueError("pseudo-elements are not supported")
        out.append(_parse_combined(parsed.parsed_tree))
    return out


def _parse_combined(tree) -> _Selector:
    """A parsed selector (combinators nest to the left) as subject + right-to-left chain."""
    parts: list[tuple[str | None, object]] = []
    while isinstance(tree, cssselect.parser.CombinedSelector):
        if tree.combinator not in (" ", ">"):
            raise ValueError(f"unsupported combinator {tree.combinator!r}")
        parts.append((tree.combinator, tree.subselector))
        tree = tree.selector
    # parts: (combinator, right compound) from right to left; `tree` is the leftmost compound
    compounds = [_compound(sub) for _, sub in parts] + [_compound(tree)]
    combinators = [c for c, _ in parts]
    subject = compounds[0]
    chain = tuple(zip(combinators, compounds[1:], strict=True))
    return _Selector(subject, chain)


class SelectorIndex:
    """Several CSS selectors matched in one walk: `hits(context)` gives, per selector, what
    `CSSSelector(css)(context)` would give."""

    def __init__(self, css_list: Sequence[str]):
        self.count = len(css_list)
        # A selector that is one tag, one class, one id or one attribute test is decided by
        # its index key alone (the attribute by its test): no matcher call per candidate.
        self.tag_only: dict[str, list[int]] = {}
        self.class_only: dict[str, list[int]] = {}
        self.id_only: dict[str, list[int]] = {}
        self.attrib_only: dict[str, list[tuple[int, str, str | None]]] = {}
        # per attribute, a pattern its value must contain for any of those tests to pass
        self.attrib_hint: dict[str, re.Pattern[str]] = {}
        # the other selectors, under one key of their subject, verified by their matcher
        self.by_tag: dict[str, list] = {}
        self.by_class: dict[str, list] = {}
        self.by_id: dict[str, list] = {}
        self.by_attrib: dict[str, list] = {}
        self.anywhere: list = []
        self.fallback: dict[int, CSSSelector] = {}
        for index, css in enumerate(css_list):
            try:
                compiled = compile_css(css)
            except ValueError:
                self.fallback[index] = CSSSelector(css)
                continue
            for sel in compiled:
                subject, entry = sel.subject, (index, sel)
                parts = (subject.tag is not None) + len(subject.classes) + len(subject.ids)
                if not sel.chain and parts + len(subject.attribs) == 1:
                    if subject.tag is not None:
                        self.tag_only.setdefault(subject.tag, []).append(index)
                    elif subject.classes:
                        self.class_only.setdefault(min(subject.classes), []).append(index)
                    elif subject.ids:
                        self.id_only.setdefault(subject.ids[0], []).append(index)
                    else:
                        name, op, value = subject.attribs[0]
                        self.attrib_only.setdefault(name, []).append((index, op, value))
                elif subject.ids:
                    self.by_id.setdefault(subject.ids[0], []).append(entry)
                elif subject.classes:
                    self.by_class.setdefault(min(subject.classes), []).append(entry)
                elif subject.attribs:
                    self.by_attrib.setdefault(subject.attribs[0][0], []).append(entry)
                elif subject.tag is not None:
                    self.by_tag.setdefault(subject.tag, []).append(entry)
                else:
                    self.anywhere.append(entry)
        # a tag's selectors each once (hits reads them without a set)
        self.tag_only = {tag: [*dict.fromkeys(found)] for tag, found in self.tag_only.items()}
        for name, tests in self.attrib_only.items():
            if all(op != "exists" and value for _, op, value in tests):
                values = sorted({value for _, _, value in tests if value})
                self.attrib_hint[name] = re.compile("|".join(map(re.escape, values)))

    def _class_hits(self, value: str) -> tuple[frozenset[str], set[int], list]:
        """What a class attribute's value alone decides: its classes, the selectors it
        matches (class_only, and attrib_only tests of "class") and the candidates it adds."""
        classes = class_tokens(value)
        matched: set[int] = set()
        candidates: list = []
        for token in classes:
            if token in self.class_only:
                matched.update(self.class_only[token])
            if token in self.by_class:
                candidates += self.by_class[token]
        hint = self.attrib_hint.get("class")
        if "class" in self.attrib_only and (hint is None or hint.search(value)):
            for index, op, wanted in self.attrib_only["class"]:
                if index not in matched and _attrib_ok(value, op, wanted):
                    matched.add(index)
        candidates += self.by_attrib.get("class", ())
        return classes, matched, candidates

    def hits(self, context: etree._Element) -> list[list[etree._Element]]:
        """For each selector, the matching elements under `context` (inclusive), in order."""
        out: list[list[etree._Element]] = [[] for _ in range(self.count)]
        tag_only, id_only = self.tag_only, self.id_only
        attrib_only, attrib_hint = self.attrib_only, self.attrib_hint
        by_tag, by_id, by_attrib = self.by_tag, self.by_id, self.by_attrib
        anywhere = self.anywhere
        named = tag_only.keys() | by_tag.keys()  # the tags a selector can match by alone
        # a page repeats its class attributes: what each decides is worked out once
        class_hits: dict[str, tuple[frozenset[str], set[int], list]] = {}
        for el in context.iter(etree.Element):  # elements only: no comments or PIs
            tag = el.tag
            attributes = el.items()
            if not attributes and tag not in named and not anywhere:
                continue  # no selector can match it
            matched = tag_only.get(tag, ())
            candidates = by_tag.get(tag, ())
            if anywhere:
                candidates = [*candidates, *anywhere]
            classes = None
            for name, value in attributes:
                if name == "class":
                    if (decided := class_hits.get(value)) is None:
                        decided = class_hits[value] = self._class_hits(value)
                    classes = decided[0]
                    if decided[1]:
                        matched = decided[1].union(matched)
                    if decided[2]:
                        candidates = [*candidates, *decided[2]]
                    continue
                if name == "id":
                    if value in id_only:
                        matched = {*matched, *id_only[value]}
                    if value in by_id:
                        candidates = [*candidates, *by_id[value]]
                if name in attrib_only and (
                    name not in attrib_hint or attrib_hint[name].search(value)
                ):
                    for index, op, wanted in attrib_only[name]:
                        if index not in matched and _attrib_ok(value, op, wanted):
                            matched = {*matched, index}
                if name in by_attrib:
                    candidates = [*candidates, *by_attrib[name]]
            for index, sel in candidates:
                if index not in matched and sel.matches(el, classes, context):
                    matched = {*matched, index}
            for index in matched:  # per selector, elements still come in document order
                out[index].append(el)
        for index, selector in self.fallback.items():
            out[index] = selector(context)
        return out

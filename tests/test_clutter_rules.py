"""Every clutter rule removes its example that must go and keeps its example that must stay,
inside a real page run through the whole cleaning chain: the shared rules, and every station
profile's own rules on a page of that station (the shipped profiles, the user's folders and the
test profile tests/profiles/wkvb.toml)."""

from __future__ import annotations

import re
import re._constants as sre_constants
import re._parser as sre_parse
from pathlib import Path

import pytest
from lxml import html

from crawler.fixtures import all_fixtures
from crawler.stations import load_profile, registry
from pipelines.clean import build_record
from pipelines.clean.body import REPEATED_METADATA
from pipelines.clean.clutter import (
    _GUARD_STRINGS,
    RULES,
    TEXT_RULES,
    _alternatives,
    _any_text_rule,
    check_station_rules,
    match_text,
)
from pipelines.clean.text import squash
from pipelines.core.items import Page

EMBED = (
    '<blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/Cx1/">'
    "<a href='https://www.instagram.com/p/Cx1/'>A post shared by someone</a></blockquote>"
)
PAGE = """<!doctype html><html lang="en"><head><title>A test story | Test FM</title>
<meta property="og:type" content="article"></head><body><article>
<h1>Singer announces a surprise homecoming show</h1>
<p>The singer announced on Monday that she will play a surprise homecoming show next month.</p>
{snippet}
<p>“I have wanted to do this for years, and now the timing is right,” she told listeners.</p>
<p>Tickets go on sale on Friday morning, and the venue holds two thousand people, they said.</p>
</article></body></html>"""


def _snippet(rule, example: str) -> str:
    if rule.css:
        return example
    tail = EMBED if rule.before_embed else ""
    return f"<p>{example}</p>{tail}"


def _text(snippet: str) -> str:
    return squash(" ".join(html.fragment_fromstring(snippet, create_parent="div").itertext()))


def _clean(snippet: str, profile=None):
    home = profile.home if profile else "https://test.example/"
    page = Page(url=f"{home}news/story/", body=PAGE.format(snippet=snippet).encode())
    return build_record(page, profile)


TEST_PROFILE = load_profile(Path(__file__).parent / "profiles" / "wkvb.toml")
PROFILE_RULES = [(p, r) for p in [*registry(), TEST_PROFILE] for r in p.clutter]


def _profile_rule_id(pair) -> str:
    return f"{pair[0].key}/{pair[1].name}"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rule_has_both_examples(rule):
    assert rule.must_go and rule.must_stay and rule.must_go != rule.must_stay
    assert bool(rule.css) != bool(rule.text), "a rule is either a node rule or a text rule"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_must_go_is_removed_by_its_rule(rule):
    record = _clean(_snippet(rule, rule.must_go))
    gone = _text(_snippet(rule, rule.must_go))
    assert rule.name in record.clutter, record.clutter
    assert all(gone not in p for p in record.body), record.body
    assert len(record.body) == 3, record.body


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_must_stay_is_kept(rule):
    snippet = _snippet(rule, rule.must_stay) if rule.text else rule.must_stay
    if rule.before_embed:  # an intro to text that follows is not embed residue
        snippet = f"<p>{rule.must_stay}</p><p>“We are thrilled,” the statement reads in full.</p>"
    record = _clean(snippet)
    assert _text(f"<p>{rule.must_stay}</p>" if rule.text else rule.must_stay) in record.body


@pytest.mark.parametrize("pair", PROFILE_RULES, ids=_profile_rule_id)
def test_profile_rule_must_go_is_removed_on_its_station_only(pair):
    profile, rule = pair
    snippet = _snippet(rule, rule.must_go)
    record = _clean(snippet, profile)
    assert record.clutter.get(rule.name), record.clutter
    assert all(_text(snippet) not in p for p in record.body), record.body
    assert len(record.body) == 3, record.body
    assert rule.name not in _clean(snippet).clutter  # another station's page: not applied


@pytest.mark.parametrize("pair", PROFILE_RULES, ids=_profile_rule_id)
def test_profile_rule_must_stay_is_kept(pair):
    profile, rule = pair
    record = _clean(_snippet(rule, rule.must_stay), profile)
    assert _text(f"<p>{rule.must_stay}</p>" if rule.text else rule.must_stay) in record.body
    assert rule.name not in record.clutter


@pytest.mark.parametrize("rule", [r for r in RULES if r.text], ids=lambda r: r.name)
def test_text_rule_matches_only_whole_lines(rule):
    inner = rule.must_go[0].lower() + rule.must_go[1:]
    sentence = f"She laughed and said that {inner} was not her thing at all, really."
    assert match_text(sentence) is None or match_text(sentence).name != rule.name


def test_rule_names_are_unique_and_kebab_case():
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", n) for n in names)
    assert REPEATED_METADATA not in names


@pytest.mark.parametrize("profile", [*registry(), TEST_PROFILE], ids=lambda p: p.key)
def test_no_profile_rule_takes_a_shared_rules_name(profile):
    check_station_rules(profile, profile.key)  # the record's clutter audit counts by name


def test_title_repeated_in_body_is_dropped_and_counted():
    record = _clean("<p>Singer announces a surprise homecoming show</p>")
    assert "Singer announces a surprise homecoming show" not in record.body
    assert record.clutter[REPEATED_METADATA] >= 1


# The prefilter of the text rules (clutter._any_text_rule): a line that holds none of the strings
# one of the costly alternatives needs is only matched against the others.
ANY_RULE = re.compile("|".join(f"(?:{r.text})" for r in TEXT_RULES), re.IGNORECASE)


def test_each_rule_is_its_alternatives_joined():
    for rule in TEXT_RULES:
        alternatives = _alternatives(rule.text)
        assert "|".join(alternatives) == rule.text
        top = sre_parse.parse(rule.text, re.IGNORECASE)
        if len(top) == 1 and top[0][0] is sre_constants.BRANCH:
            assert len(alternatives) == len(top[0][1][1])
        for alternative in alternatives:
            re.compile(alternative, re.IGNORECASE)


def test_the_prefilter_tells_what_all_the_rules_tell():
    lines = [s for rule in TEXT_RULES for s in (rule.must_go, rule.must_stay)]
    lines += [text for fixture in all_fixtures() for text in fixture.expected.get("body", [])]
    lines += [f"{line} {line}" for line in lines[:200]] + [f"Photo: {s}" for s in lines[:50]]
    lines += [
        "Picture: AFP",
        "PHOTO (Photo by Jane Doe)",
        "Reuters / Getty",
        "3 days ago",
        "She said it was… gone...",
        "Readers can win tickets",
        "Enter here!",
    ]
    for line in lines:
        assert _any_text_rule(line) == bool(ANY_RULE.fullmatch(line)), line


def test_a_guard_string_is_found_in_lower_case_wherever_a_rule_matched_it():
    # what a case-insensitive regex matches for each character of the guard strings (scanning
    # every code point): only characters whose lower() is that very character
    chars = sorted(set("".join(_GUARD_STRINGS)))
    either = re.compile("[" + re.escape("".join(chars)) + "]", re.IGNORECASE)
    for code in range(0x110000):
        char = chr(code)
        if either.fullmatch(char):
            for wanted in chars:
                if re.fullmatch(re.escape(wanted), char, re.IGNORECASE):
                    assert char.lower() == wanted, (hex(code), wanted)


def test_ascii_characters_but_i_k_and_s_have_no_other_case_partner():
    plain = "".join(chr(c) for c in range(0x80) if chr(c).lower() not in "iks")
    either = re.compile("[" + re.escape(plain) + "]", re.IGNORECASE)
    assert all(not either.fullmatch(chr(code)) for code in range(0x80, 0x110000))

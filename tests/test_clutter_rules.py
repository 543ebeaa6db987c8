"""Every clutter rule removes its example that must go and keeps its example that must stay,
inside a real page run through the whole cleaning chain: the shared rules, and every station
profile's own rules on a page of that station (the shipped profiles, the user's folders and the
test profile tests/profiles/wkvb.toml)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html

from crawler.stations import load_profile, registry
from pipelines.clean import build_record
from pipelines.clean.body import REPEATED_METADATA
from pipelines.clean.clutter import RULES, check_station_rules, match_text
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

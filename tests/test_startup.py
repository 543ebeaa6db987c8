"""crawler.startup: the collector paused for a start-up, then put back as it was, with what the
start-up made moved out of the young generations (frozen, or into the oldest); the start-up's
regular expressions compiled from a cache, the same patterns as re compiles."""

import gc
import marshal
import re
import sys

import pytest

from crawler import startup
from crawler.startup import (
    RegexCache,
    _compile_anew,
    cached_regexes,
    no_collection,
    regex_cache_path,
)


@pytest.mark.parametrize("enabled", [True, False])
def test_no_collection_pauses_and_restores(enabled):
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        with no_collection():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
        with pytest.raises(RuntimeError), no_collection():
            raise RuntimeError("an import failed")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_what_the_block_made_leaves_the_young_generation():
    with no_collection():
        made = [[n] for n in range(10_000)]  # 10,001 objects the collector tracks
        assert gc.get_count()[0] >= 10_000
    assert gc.get_count()[0] < 10_000
    assert gc.get_freeze_count() == 0  # in the oldest generation, not frozen
    try:
        with no_collection(freeze=True):
            more = [[n] for n in range(10_000)]
        assert gc.get_freeze_count() >= 20_000
    finally:
        gc.unfreeze()
    assert made and more


PATTERNS = [
    (r"(?P<year>\d{4})-(?P<month>\d\d)(?:-(\d\d))?", 0),
    (r"straße|ǅ|\w+\s*(?<!\bthe)\b", re.IGNORECASE),
    (r"^ a  # comment\n | b $", re.VERBOSE | re.MULTILINE),
    (r"(?i)(?s)<script.*?</script>", 0),
    (rb"(?:charset|encoding)=[\"']?([\w-]+)", re.IGNORECASE),
    (rb"\xff\xfe|\w", re.LOCALE),
]


@pytest.fixture(autouse=True)
def bytecode_written(monkeypatch):
    """As where bytecode is written (whatever PYTHONDONTWRITEBYTECODE says here)."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


def compiled(regexes: RegexCache) -> list[re.Pattern]:
    re.purge()  # re's own cache would answer without compiling
    with cached_regexes(regexes):
        return [re.compile(pattern, flags) for pattern, flags in PATTERNS]


def test_a_pattern_from_the_cache_is_the_one_re_compiles(tmp_path):
    """== compares the patterns' code: the same, compiled anew, then read from the file."""
    made = compiled(RegexCache(tmp_path / "regexes"))
    read = RegexCache(tmp_path / "regexes")
    assert len(read.table) == len(PATTERNS)
    kept = compiled(read)
    assert read.added == 0
    for pattern, flags in PATTERNS:
        re.purge()
        assert re.compile(pattern, flags) == made.pop(0) == kept.pop(0)
    fields = {p.pattern: (p.flags, p.groups, dict(p.groupindex)) for p in compiled(read)}
    re.purge()
    assert fields == {
        p.pattern: (p.flags, p.groups, dict(p.groupindex))
        for p in (re.compile(pattern, flags) for pattern, flags in PATTERNS)
    }


def test_a_kept_pattern_is_not_parsed_again(tmp_path, monkeypatch):
    compiled(RegexCache(tmp_path / "regexes"))

    def parse(*args):
        raise AssertionError("parsed")

    with monkeypatch.context() as patched:
        patched.setattr(re._parser, "parse", parse)
        assert compiled(RegexCache(tmp_path / "regexes"))
        with pytest.raises(AssertionError) as parsed:  # (match= would compile a pattern)
            compiled(RegexCache(tmp_path / "another"))
    assert str(parsed.value) == "parsed"


def test_only_the_blocks_patterns_are_kept_and_only_when_it_added_one(tmp_path):
    re.purge()
    regexes = RegexCache(tmp_path / "regexes")
    with cached_regexes(regexes):
        with cached_regexes(RegexCache(tmp_path / "inner")):  # the outer block caches
            re.compile("in the block")
        assert not (tmp_path / "inner").exists()
    assert re._compiler.compile is _compile_anew
    re.compile("after the block")
    assert set(RegexCache(tmp_path / "regexes").table) == {("in the block", 0)}
    written = (tmp_path / "regexes").stat().st_mtime_ns
    re.purge()
    with cached_regexes(RegexCache(tmp_path / "regexes")):
        re.compile("in the block")
    assert (tmp_path / "regexes").stat().st_mtime_ns == written


def test_a_pattern_that_warns_or_fails_is_compiled_anew(tmp_path):
    """Its warning is given at each start (as without the cache), its error raised as re
    raises it."""
    regexes = RegexCache(tmp_path / "regexes")
    for _ in range(2):
        re.purge()
        with pytest.warns(FutureWarning, match="nested set"), cached_regexes(regexes):
            re.compile("[[a]")
    with pytest.raises(re.error) as without:
        re.compile("(unclosed")
    with cached_regexes(regexes), pytest.raises(re.error) as within:
        re.compile("(unclosed")
    assert str(within.value) == str(without.value)
    assert regexes.table == {}


@pytest.mark.parametrize("content", [b"", b"not marshal", marshal.dumps(((0, "2.7"), {}))])
def test_a_file_of_another_python_or_none_at_all_is_replaced(tmp_path, content):
    (tmp_path / "regexes").write_bytes(content)
    assert compiled(RegexCache(tmp_path / "regexes"))
    assert len(RegexCache(tmp_path / "regexes").table) == len(PATTERNS)


def test_where_bytecode_is_not_written_neither_is_the_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    compiled(RegexCache(tmp_path / "regexes"))
    assert not (tmp_path / "regexes").exists()
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    compiled(RegexCache(tmp_path / "folder" / "regexes"))  # the folder made
    assert (tmp_path / "folder" / "regexes").exists()
    (tmp_path / "a-file").write_bytes(b"")  # a folder that cannot be made: compiled all the same
    assert len(compiled(RegexCache(tmp_path / "a-file" / "regexes"))) == len(PATTERNS)


def test_past_the_limit_only_this_processs_patterns_are_kept(tmp_path, monkeypatch):
    re.purge()
    regexes = RegexCache(tmp_path / "regexes")
    with cached_regexes(regexes):
        for n in range(5):
            re.compile(f"once {n}")
    monkeypatch.setattr(startup, "REGEX_CACHE_LIMIT", 5)
    compiled(RegexCache(tmp_path / "regexes"))
    assert {p for p, _ in RegexCache(tmp_path / "regexes").table} == {p for p, _ in PATTERNS}


def test_the_cache_is_kept_beside_the_bytecode(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "pycache_prefix", str(tmp_path))
    path = regex_cache_path()
    assert path.is_relative_to(tmp_path) and path.parent.name == "crawler"
    assert path.name == f"regexes.{sys.implementation.cache_tag}.marshal"

"""What a command's start-up needs: no cyclic garbage collection while it imports, and the
regular expressions it compiles (radioscrape's and its dependencies', ~450 at a crawl's start)
taken from what the previous start-up compiled instead of parsed again."""

from __future__ import annotations

import _sre
import gc
import marshal
import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache
from importlib.util import cache_from_source
from pathlib import Path
from re import DEBUG, _compiler, _parser


@contextmanager
def no_collection(freeze: bool = False) -> Iterator[None]:
    """Pause the cyclic garbage collector inside the block (imports, Scrapy's components:
    hundreds of thousands of objects that all live on), then put it back as it was. What the
    block made goes where the collector would have moved it, without the collections that
    would have walked it there: frozen with `freeze` (never walked again), else into the
    oldest generation (walked by the rare full collections only), with whatever was frozen
    before. Left in the youngest, the next collection would walk it all at once."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if not freeze:
            gc.unfreeze()
        if enabled:
            gc.enable()


# Parsing a pattern and generating its code (re._parser, re._compiler: Python) is what costs
# in compiling it, ~0.2 ms a pattern (~80 ms of CPU at a crawl's start). What they give is
# kept, by (pattern, flags), and handed to _sre.compile as re._compiler.compile hands it: the
# same Pattern (== compares the code). Kept beside radioscrape's bytecode and like it: per
# Python version, under PYTHONPYCACHEPREFIX when set, not written with PYTHONDONTWRITEBYTECODE.
REGEX_CACHE_FORMAT = 1
REGEX_CACHE_LIMIT = 4096  # patterns kept; past it, only those this process compiled
_compile_anew = _compiler.compile


class RegexCache:
    """The compiled regular expressions kept in a file, by (pattern, flags): the arguments of
    _sre.compile for each."""

    def __init__(self, path: Path | None):
        self.path = path
        self.header = (REGEX_CACHE_FORMAT, sys.version, _sre.MAGIC, _sre.CODESIZE, _sre.MAXREPEAT)
        self.table: dict[tuple[str | bytes, int], tuple] = self._read()
        self.used: set[tuple[str | bytes, int]] = set()
        self.added = 0  # patterns compiled anew since the file was read or written

    def _read(self) -> dict:
        if self.path is None:
            return {}
        try:
            header, table = marshal.loads(self.path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):  # none yet, or not one of ours
            return {}
        return table if header == self.header and isinstance(table, dict) else {}

    def compile(self, pattern, flags: int = 0):
        """re._compiler.compile, from the cache when it holds the pattern."""
        if type(pattern) not in (str, bytes) or flags & DEBUG:  # (marshal writes no subclass)
            return _compile_anew(pattern, flags)
        key = (pattern, int(flags))
        entry = self.table.get(key)
        if entry is None:
            try:
                entry = _sre_arguments(pattern, flags)
            except Exception:  # re.error...: compiled anew below, which raises it as re does
                entry = None
            if entry is None:
                return _compile_anew(pattern, flags)
            self.table[key] = entry
            self.added += 1
        self.used.add(key)
        final_flags, code, groups, groupindex, indexgroup = entry
        return _sre.compile(pattern, final_flags, code, groups, dict(groupindex), indexgroup)

    def save(self) -> None:
        """Write the table when patterns were added to it (and bytecode may be written)."""
        if not self.added or self.path is None or sys.dont_write_bytecode:
            return
        if len(self.table) > REGEX_CACHE_LIMIT:
            self.table = {key: self.table[key] for key in self.used}
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(marshal.dumps((self.header, self.table)))
            os.replace(temporary, self.path)  # whole, whatever another process reads
        except OSError:  # a read-only installation: compiled anew at each start
            with suppress(OSError):
                temporary.unlink(missing_ok=True)
            return
        self.added = 0


def _sre_arguments(pattern: str | bytes, flags: int) -> tuple | None:
    """What re._compiler.compile hands _sre.compile besides the pattern (flags, code, groups,
    group names), made as it makes them; None when parsing the pattern warns (a FutureWarning on
    a possible set operation...): such a pattern is compiled anew each time, with its warning."""
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        parsed = _parser.parse(pattern, flags)
        code = _compiler._code(parsed, flags)
    if warned:
        return None
    state = parsed.state
    indexgroup: list[str | None] = [None] * state.groups
    for name, index in state.groupdict.items():
        indexgroup[index] = name
    # plain ints: the opcodes are int subclasses, which marshal does not write
    return (int(flags | state.flags), [int(op) for op in code], state.groups - 1,
            dict(state.groupdict), tuple(indexgroup))  # fmt: skip


def regex_cache_path() -> Path | None:
    """Where the cache is kept: beside this module's bytecode."""
    try:
        bytecode = Path(cache_from_source(__file__))
    except NotImplementedError:  # no bytecode cache (sys.implementation.cache_tag is None)
        return None
    return bytecode.with_name(f"regexes.{sys.implementation.cache_tag}.marshal")


@cache
def _process_regex_cache() -> RegexCache:
    return RegexCache(regex_cache_path())


@contextmanager
def cached_regexes(regexes: RegexCache | None = None) -> Iterator[None]:
    """Compile the block's regular expressions from `regexes` (default: this process's cache
    file, read once), then save what it added. The patterns compiled after a start-up (some
    built from a page's words) are not kept: the block is the start-up."""
    if _compiler.compile is not _compile_anew:  # in an outer block, which saves
        yield
        return
    regexes = regexes or _process_regex_cache()
    _compiler.compile = regexes.compile
    try:
        yield
    finally:
        _compiler.compile = _compile_anew
        regexes.save()

"""Story identity: near-duplicate article bodies (syndicated copies) found by MinHash + LSH.

A body becomes a set of word shingles (k consecutive normalised words). Its MinHash signature
(datasketch's, computed here) is cut into `bands` bands of `rows` values; each band is hashed
to a band key.
Two bodies sharing any band key are candidates; a candidate is the same story only when the
exact Jaccard similarity of the two shingle sets reaches `threshold`. With the defaults (32
bands of 4 rows) a pair at similarity 0.5 is a candidate 87% of the time, at 0.6 99%, at 0.3
23%: the LSH finds candidates, the exact test decides. Pure functions, no store.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import numpy as np

MINHASH_SEED = 1  # fixed: band keys stored by one run must match those computed by the next
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class StoryOptions:
    """The story matcher's settings (RADIOSCRAPE_STORY_*)."""

    shingle: int = 4  # words per shingle
    bands: int = 32  # LSH bands; the signature has bands * rows permutations
    rows: int = 4  # MinHash values per band
    threshold: float = 0.5  # exact Jaccard similarity of shingle sets for "same story"
    max_candidates: int = 200  # at most this many candidates checked per article

    @classmethod
    def from_settings(cls, settings) -> StoryOptions:
        """The options from Scrapy settings (RADIOSCRAPE_STORY_SHINGLE, _BANDS, _ROWS,
        _THRESHOLD, _MAX_CANDIDATES)."""
        return cls(
            shingle=settings.getint("RADIOSCRAPE_STORY_SHINGLE", cls.shingle),
            bands=settings.getint("RADIOSCRAPE_STORY_BANDS", cls.bands),
            rows=settings.getint("RADIOSCRAPE_STORY_ROWS", cls.rows),
            threshold=settings.getfloat("RADIOSCRAPE_STORY_THRESHOLD", cls.threshold),
            max_candidates=settings.getint("RADIOSCRAPE_STORY_MAX_CANDIDATES", cls.max_candidates),
        )


def shingles(body: Iterable[str], size: int) -> frozenset[str]:
    """The word shingles of a body's paragraphs: lower-cased words, `size` at a time (a body
    shorter than `size` words is one shingle; an empty body has none)."""
    words = _WORD.findall("\n".join(body).lower())  # no word spans two paragraphs
    if len(words) <= size:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(map(" ".join, zip(*(words[k:] for k in range(size)), strict=False)))


# MinHash as datasketch (2.x, its default "affine32" scheme) computes it, so that the band keys
# stores hold stay the same: the first 4 bytes of a shingle's SHA-1 (little-endian), mixed by
# MurmurHash3's 32-bit finaliser, then per permutation (a * h + b) mod 2**32, the minimum over
# the shingles. Written out here (with numpy alone) because importing datasketch loads scipy:
# ~0.5 s of CPU and ~60 MB in every crawl, for these few lines.
_FMIX32 = (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16)


@cache
def _permutations(count: int) -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) of `count` affine permutations, drawn from MINHASH_SEED as datasketch does."""
    import numpy as np  # here: `radioscrape scrape FILE` does not need it (~0.1 s)

    gen = np.random.RandomState(MINHASH_SEED)
    a = gen.randint(0, 1 << 31, count, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, count, dtype=np.uint32)
    return a, b


def shingle_hashes(grams: Iterable[str]) -> np.ndarray:
    """The shingles as sorted 64-bit numbers: the first 8 bytes of each one's SHA-1, read
    little-endian (their low 32 bits are the hash datasketch's MinHash takes). Two bodies'
    numbers have as many in common as their shingles (a chance of 2**-64 a pair to differ)."""
    import numpy as np

    grams = list(grams)
    # one encode for all: the shingles joined by a newline, which none holds (else one by one)
    encoded = "\n".join(grams).encode().split(b"\n") if grams else []
    if len(encoded) != len(grams):
        encoded = [gram.encode() for gram in grams]
    sha1 = hashlib.sha1
    digests = b"".join([sha1(gram).digest() for gram in encoded])
    # each digest's first 8 bytes, read in place (20 bytes apart) and copied to sort
    hashes = np.ndarray((len(encoded),), dtype="<u8", buffer=digests, strides=(20,)).copy()
    hashes.sort()
    return hashes


def minhash(hashes: np.ndarray, permutations: int) -> np.ndarray:
    """The MinHash signature (uint32, one value per permutation) of a non-empty shingle set
    given as its shingle_hashes."""
    import numpy as np

    h = hashes.astype(np.uint32)  # the low 32 bits: SHA-1's first 4 bytes
    s1, m1, s2, m2, s3 = _FMIX32
    h ^= h >> np.uint32(s1)
    h *= np.uint32(m1)
    h ^= h >> np.uint32(s2)
    h *= np.uint32(m2)
    h ^= h >> np.uint32(s3)
    a, b = _permutations(permutations)
    # One row a permutation, so each minimum runs along a row in memory (2.4x faster than
    # down the columns of the shingles x permutations table); arithmetic mod 2**32 as uint32.
    values = np.multiply.outer(a, h)
    values += b.reshape(-1, 1)
    return values.min(axis=1)


def prepare(options: StoryOptions) -> None:
    """Load numpy and make the permutations now: a crawl does it before its first fetch."""
    _permutations(options.bands * options.rows)


def band_keys(hashes: np.ndarray, options: StoryOptions) -> list[str]:
    """The LSH band keys of a shingle set given as its shingle_hashes: one short text per band,
    the band's number first (so equal values in different bands never collide)."""
    if not hashes.size:
        return []
    values = minhash(hashes, options.bands * options.rows).tobytes()
    width = options.rows * 4  # bytes of a band's values
    chunks = (values[band * width : (band + 1) * width] for band in range(options.bands))
    return [
        f"{band:02x}{hashlib.blake2b(chunk, digest_size=8).hexdigest()}"
        for band, chunk in enumerate(chunks)
    ]


class StoryPrint(NamedTuple):
    """What the store matches a body by and keeps of it: its shingle_hashes and band_keys."""

    hashes: np.ndarray
    keys: list[str]


def story_print(body: Iterable[str], options: StoryOptions) -> StoryPrint:
    """The story print of a clean body, with `options` (an extraction worker makes it beside
    the record it cleaned; the store makes it when none was given)."""
    hashes = shingle_hashes(shingles(body, options.shingle))
    return StoryPrint(hashes, band_keys(hashes, options))


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two shingle sets given as their shingle_hashes (0 when either
    is empty)."""
    if not a.size or not b.size:
        return 0.0
    import numpy as np

    found = np.searchsorted(b, a)
    common = int(np.count_nonzero(b[np.minimum(found, b.size - 1)] == a))
    return common / (a.size + b.size - common)


def distinct(hashes: np.ndarray) -> bool:
    """Whether sorted shingle_hashes hold no number twice (a shingle set's numbers are
    distinct unless two of its shingles share 64 bits of SHA-1)."""
    return not (hashes[1:] == hashes[:-1]).any()


def overlap(a: np.ndarray, b: np.ndarray) -> float:
    """similarity(a, b) of two shingle_hashes each without a number twice (distinct), by
    merging them: the numbers in common are the equal neighbours of the two merged (a stable
    sort of two sorted runs is one merge), in half the time of looking each one up."""
    if not a.size or not b.size:
        return 0.0
    import numpy as np

    merged = np.concatenate((a, b))
    merged.sort(kind="stable")
    common = int(np.count_nonzero(merged[1:] == merged[:-1]))
    return common / (a.size + b.size - common)


def similarity_bounds(hashes: np.ndarray, packed: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """For each other set of shingle_hashes, laid end to end in `packed` (the n-th from
    edges[n] to edges[n + 1]; at least one), a figure never below similarity(hashes, other),
    all at once, given that `hashes` holds no number twice (distinct): a number of the other
    counts as in common when some number of `hashes` has its low 16 bits. A pair whose bound is
    under a threshold is under it; on unlike bodies the bound counts ~0.5% of an other's
    numbers more than are in common, so only the others near or above a threshold need
    comparing exactly."""
    import numpy as np

    seen = np.zeros(1 << 16, dtype=np.uint8)
    seen[_low16(hashes)] = 1
    found = seen.take(_low16(packed))
    sizes = np.diff(edges)
    # each other's count of found, summed from where it starts (an empty one found none)
    common = np.zeros(sizes.size, dtype=np.int64)
    filled = sizes > 0
    if found.size:
        common[filled] = np.add.reduceat(found, edges[:-1][filled], dtype=np.int64)
    return common / (hashes.size + sizes - common)


def _low16(numbers: np.ndarray) -> np.ndarray:
    """The low 16 bits of each 64-bit number: the first 2 bytes of each little-endian one."""
    return numbers.astype("<u8", copy=False).view("<u2")[::4]


def story_id_of(url_key: str) -> str:
    """The id a new story takes from the key of the article that founded it."""
    return "s" + hashlib.blake2b(url_key.encode(), digest_size=8).hexdigest()


def original_order(published_utc: str | None, url_key: str) -> tuple[bool, str, str]:
    """Sort key for a story's copies: the earliest published first (undated last), then by key."""
    return (published_utc is None, published_utc or "", url_key)

"""Station profiles: one declarative TOML file per station, found, checked and compiled here.

A profile is data only: nothing in it is executed. Selectors are CSS, compiled to XPath when
the registry loads, so a bad selector fails at import and in a test, never mid-crawl.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from lxml.cssselect import CSSSelector

STATIONS_DIR = Path(__file__).parent
SELECTOR_FIELDS = (
    "title",
    "standfirst",
    "author",
    "published",
    "updated",
    "section",
    "show",
    "tags",
    "body",
    "image",
)


class ProfileError(ValueError):
    """A station file that cannot be loaded: bad key, selector, pattern or duplicate."""


@dataclass(frozen=True)
class Sources:
    """Where a station's articles are discovered."""

    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()


@dataclass(frozen=True)
class StationProfile:
    """Everything radioscrape knows about one station, compiled and ready to use."""

    key: str
    name: str
    domains: tuple[str, ...]
    home: str
    timezone: ZoneInfo
    language: str
    country: str
    sources: Sources
    article_patterns: tuple[re.Pattern[str], ...]
    exclude_patterns: tuple[re.Pattern[str], ...]
    selectors: dict[str, CSSSelector] = field(default_factory=dict)
    shows: dict[str, str] = field(default_factory=dict)
    verified: str = ""

    @property
    def canonical_host(self) -> str:
        """The host that canonical URLs use (the first domain listed)."""
        return self.domains[0]

    def is_article_url(self, url: str) -> bool:
        """Whether a URL's path looks like one of this station's article URLs."""
        path = urlsplit(url).path or "/"
        if any(p.search(path) for p in self.exclude_patterns):
            return False
        return any(p.search(path) for p in self.article_patterns)


def _compile_selector(station: str, name: str, css: str) -> CSSSelector:
    try:
        return CSSSelector(css)
    except Exception as exc:  # cssselect raises several types; all mean "bad selector"
        raise ProfileError(f"{station}: selector {name}={css!r} does not compile: {exc}") from exc


def _compile_patterns(station: str, patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise ProfileError(f"{station}: URL pattern {pattern!r}: {exc}") from exc
    return tuple(compiled)


def parse_profile(data: dict, origin: str = "<profile>") -> StationProfile:
    """Build a StationProfile from the parsed TOML of a station file, checking every field."""
    key = data.get("key", "")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", key):
        raise ProfileError(f"{origin}: key {key!r} must be lower-case letters, digits and '-'")
    unknown = set(data.get("selectors", {})) - set(SELECTOR_FIELDS)
    if unknown:
        raise ProfileError(f"{key}: unknown selector fields {sorted(unknown)}")
    domains = tuple(d.lower() for d in data.get("domains", ()))
    if not domains or not data.get("name"):
        raise ProfileError(f"{key}: a profile needs a name and at least one domain")
    try:
        tz = ZoneInfo(data.get("timezone", "UTC"))
    except Exception as exc:
        raise ProfileError(f"{key}: unknown timezone {data.get('timezone')!r}") from exc
    src = data.get("sources", {})
    urls = data.get("urls", {})
    return StationProfile(
        key=key,
        name=data["name"],
        domains=domains,
        home=data.get("home", f"https://{domains[0]}/"),
        timezone=tz,
        language=data.get("language", "en"),
        country=data.get("country", ""),
        sources=Sources(
            sitemaps=tuple(src.get("sitemaps", ())),
            feeds=tuple(src.get("feeds", ())),
            sections=tuple(src.get("sections", ())),
        ),
        article_patterns=_compile_patterns(key, urls.get("article", [".+/[^/]+/?$"])),
        exclude_patterns=_compile_patterns(key, urls.get("exclude", [])),
        selectors={
            name: _compile_selector(key, name, css)
            for name, css in data.get("selectors", {}).items()
        },
        shows=dict(data.get("shows", {})),
        verified=data.get("verified", ""),
    )


@dataclass(frozen=True)
class Registry:
    """All known stations, by key and by domain."""

    by_key: dict[str, StationProfile]
    by_domain: dict[str, StationProfile]

    def get(self, key: str) -> StationProfile:
        """The profile for a key; KeyError names the known keys when there is none."""
        try:
            return self.by_key[key]
        except KeyError:
            raise KeyError(f"no station {key!r}; known: {', '.join(sorted(self.by_key))}") from None

    def for_url(self, url: str) -> StationProfile | None:
        """The profile whose domain serves this URL (subdomains included), or None."""
        host = (urlsplit(url).hostname or "").lower()
        while host:
            if host in self.by_domain:
                return self.by_domain[host]
            host = host.partition(".")[2]
        return None

    def __iter__(self):
        return iter(sorted(self.by_key.values(), key=lambda p: p.key))

    def __len__(self) -> int:
        return len(self.by_key)


def build_registry(files: list[Path]) -> Registry:
    """Load station files into a Registry, refusing duplicate keys or domains."""
    by_key: dict[str, StationProfile] = {}
    by_domain: dict[str, StationProfile] = {}
    for path in sorted(files):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ProfileError(f"{path.name}: not valid TOML: {exc}") from exc
        profile = parse_profile(data, origin=path.name)
        if profile.key in by_key:
            raise ProfileError(f"{path.name}: duplicate station key {profile.key!r}")
        by_key[profile.key] = profile
        for domain in profile.domains:
            if domain in by_domain:
                other = by_domain[domain].key
                raise ProfileError(f"{path.name}: domain {domain} already belongs to {other!r}")
            by_domain[domain] = profile
    return Registry(by_key=by_key, by_domain=by_domain)


@cache
def registry() -> Registry:
    """The registry of the station files shipped in this folder (loaded once)."""
    return build_registry(list(STATIONS_DIR.glob("*.toml")))

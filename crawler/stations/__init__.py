"""Station profiles: one declarative TOML file per station, found, checked and compiled here.

A profile is data only: nothing in it is executed. Every key is checked against SCHEMA (an
unknown key or a wrong type is refused with the file, the key and the reason in one line), and
selectors are CSS compiled to XPath when the registry loads, so a bad profile fails at load and
in a test, never mid-crawl. A broken file stops only what uses its station.

Profiles come from this folder and from the user's folders (RADIOSCRAPE_STATIONS or
`--stations DIR`); a user's profile replaces the shipped one with the same key.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from lxml import html
from lxml.cssselect import CSSSelector

from pipelines.core.clutter_rule import Rule
from pipelines.core.hostile_lines import first_slow_line

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
    """A station file that cannot be loaded: one line naming the file, the key and the reason."""


# The profile schema: {key: (type, required, meaning)}; a table maps to its own schema, a table
# with a "*" entry takes any key, and [schema] is an array of tables ([[key]] in TOML). Adding
# an optional key is one line here (and one row
# in the README's profile reference); every other key is refused, so a typo never passes.
STR, STRS = "string", "list of strings"
SCHEMA: dict[str, tuple] = {
    "key": (STR, True, "lower-case letters, digits and '-'; unique"),
    "name": (STR, True, "the station's display name"),
    "domains": (STRS, True, "hosts that serve it, canonical host first; unique"),
    "home": (STR, False, "home page URL (default: https:// + first domain + /)"),
    "timezone": (STR, False, "IANA zone for dates without an offset (default UTC)"),
    "language": (STR, False, "language code of the records (default en)"),
    "country": (STR, False, "ISO country code"),
    "verified": (STR, False, "what its fixtures verify (shown by `radioscrape stations`)"),
    "sources": (
        {
            "sitemaps": (STRS, False, "sitemap or sitemap-index URLs"),
            "feeds": (STRS, False, "RSS/Atom feed URLs"),
            "sections": (STRS, False, "section listing URLs (pagination is followed)"),
        },
        False,
        "where articles are discovered",
    ),
    "urls": (
        {
            "article": (STRS, False, "regexes an article URL path matches (default: any)"),
            "exclude": (STRS, False, "regexes of paths that are never articles"),
        },
        False,
        "which URL paths are articles",
    ),
    "selectors": (
        {name: (STR, False, f"CSS selector of the {name}") for name in SELECTOR_FIELDS},
        False,
        "CSS selectors; anything not given falls back to JSON-LD, og: tags and trafilatura",
    ),
    "shows": ({"*": (STR, False, "show name")}, False, "show slug -> show name"),
    "clutter": (
        [
            {
                "name": (STR, True, "rule name, kebab-case, not a shared rule's"),
                "css": (STR, False, "CSS selector of nodes to drop (or text)"),
                "text": (STR, False, "regex a whole block or paragraph matches (or css)"),
                "must_go": (STR, True, "an example the rule removes"),
                "must_stay": (STR, True, "a look-alike example the rule keeps"),
            }
        ],
        False,
        "the station's own clutter rules, applied to its pages only",
    ),
}


def _type_error(value: object, kind: str) -> str | None:
    """Why `value` is not of schema type `kind`, or None when it is."""
    if kind == STR:
        return None if isinstance(value, str) else f"must be a string, not {_tname(value)}"
    if kind == STRS:
        if not isinstance(value, list):
            return f"must be a list of strings, not {_tname(value)}"
        bad = [v for v in value if not isinstance(v, str)]
        return f"must be a list of strings ({bad[0]!r} is not one)" if bad else None
    return None


def _tname(value: object) -> str:
    names = {dict: "a table", list: "a list", str: "a string", bool: "true/false", int: "a number"}
    return names.get(type(value), f"a {type(value).__name__}")


def check_schema(data: dict, origin: str, schema: dict = SCHEMA, prefix: str = "") -> None:
    """ProfileError for the first unknown key, missing required key or wrong type."""
    for name, value in data.items():
        path = f"{prefix}{name}"
        spec = schema.get(name) or schema.get("*")
        if spec is None:
            close = difflib.get_close_matches(name, [k for k in schema if k != "*"], n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            known = ", ".join(k for k in schema if k != "*")
            raise ProfileError(f"{origin}: {path}: unknown key{hint}; known: {known}")
        kind = spec[0]
        if isinstance(kind, list):
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                raise ProfileError(
                    f"{origin}: {path}: must be an array of tables ([[{path}]]),"
                    f" not {_tname(value)}"
                )
            for i, item in enumerate(value):
                check_schema(item, origin, kind[0], f"{path}[{i}].")
        elif isinstance(kind, dict):
            if not isinstance(value, dict):
                raise ProfileError(f"{origin}: {path}: must be a table, not {_tname(value)}")
            check_schema(value, origin, kind, f"{path}.")
        elif reason := _type_error(value, kind):
            raise ProfileError(f"{origin}: {path}: {reason}")
    for name, spec in schema.items():
        if spec[1] and name not in data:
            raise ProfileError(f"{origin}: {prefix}{name}: required key missing")


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
    clutter: tuple[Rule, ...] = ()  # the station's own rules, after the shared ones

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


def _compile_selector(origin: str, key: str, css: str) -> CSSSelector:
    try:
        return CSSSelector(css)
    except Exception as exc:  # cssselect raises several types; all mean "bad selector"
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ProfileError(f"{origin}: {key}: {css!r} does not compile: {reason}") from None


def _clutter_rules(origin: str, entries: list[dict]) -> tuple[Rule, ...]:
    """The profile's own clutter rules, each compiled and held to its two examples: a CSS rule
    selects something in `must_go` and nothing in `must_stay`; a text rule's pattern (matched
    like a shared one: whole text, any case) matches `must_go` and not `must_stay`, and runs in
    time linear in the line on hostile lines built from its `must_go`. (That no name is a
    shared rule's the cleaner checks: pipelines/clean/clutter.py, check_station_rules.)"""
    rules: list[Rule] = []
    for i, entry in enumerate(entries):
        at = f"clutter[{i}]"
        name = entry["name"]
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name):
            raise ProfileError(f"{origin}: {at}.name: {name!r} must be kebab-case (a-z, 0-9, -)")
        if name in {r.name for r in rules}:
            raise ProfileError(f"{origin}: {at}.name: {name!r} is already a rule's name")
        if ("css" in entry) == ("text" in entry):
            raise ProfileError(f"{origin}: {at}: give exactly one of css or text")
        go, stay = entry["must_go"], entry["must_stay"]
        if "css" in entry:
            select = _compile_selector(origin, f"{at}.css", entry["css"])
            for example, want in (("must_go", True), ("must_stay", False)):
                tree = html.fragment_fromstring(entry[example] or " ", create_parent="div")
                if any(node is not tree for node in select(tree)) != want:
                    does = "does not select anything in" if want else "selects something in"
                    raise ProfileError(f"{origin}: {at}.css: {does} its {example} example")
            rules.append(Rule(name, "station", css=entry["css"], must_go=go, must_stay=stay))
            continue
        try:
            pattern = re.compile(entry["text"], re.IGNORECASE)
        except re.error as exc:
            raise ProfileError(f"{origin}: {at}.text: {entry['text']!r}: {exc}") from None
        if not pattern.fullmatch(go):
            raise ProfileError(f"{origin}: {at}.text: does not match its must_go example")
        if pattern.fullmatch(stay):
            raise ProfileError(f"{origin}: {at}.text: matches its must_stay example")
        rule = Rule(name, "station", text=entry["text"], must_go=go, must_stay=stay)
        if slow := first_slow_line(rule):
            line, took = slow
            raise ProfileError(
                f"{origin}: {at}.text: backtracks, not linear in the line: {took:.2f} s on"
                f" {len(line)} characters ({line[:40]!r}...)"
            )
        rules.append(rule)
    return tuple(rules)


def _compile_patterns(origin: str, name: str, patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise ProfileError(f"{origin}: urls.{name}: URL pattern {pattern!r}: {exc}") from None
    return tuple(compiled)


def _check_urls(origin: str, name: str, urls: list[str]) -> None:
    for url in urls:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise ProfileError(f"{origin}: {name}: {url!r} is not an http(s) URL")


def parse_profile(data: dict, origin: str = "<profile>") -> StationProfile:
    """Build a StationProfile from the parsed TOML of a station file, checking every field
    (ProfileError: '<origin>: <key>: <reason>')."""
    check_schema(data, origin)
    key = data["key"]
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", key):
        raise ProfileError(f"{origin}: key: {key!r} must be lower-case letters, digits and '-'")
    domains = tuple(d.lower() for d in data["domains"])
    if not domains or not all(re.fullmatch(r"[a-z0-9.-]+(:\d+)?", d) for d in domains):
        raise ProfileError(f"{origin}: domains: must list at least one host name, like www.x.com")
    if not data["name"].strip():
        raise ProfileError(f"{origin}: name: must not be empty")
    try:
        tz = ZoneInfo(data.get("timezone", "UTC"))
    except Exception:
        raise ProfileError(f"{origin}: timezone: unknown zone {data.get('timezone')!r}") from None
    src = data.get("sources", {})
    urls = data.get("urls", {})
    home = data.get("home", f"https://{domains[0]}/")
    _check_urls(origin, "home", [home])
    for name in ("sitemaps", "feeds", "sections"):
        _check_urls(origin, f"sources.{name}", src.get(name, []))
    return StationProfile(
        key=key,
        name=data["name"],
        domains=domains,
        home=home,
        timezone=tz,
        language=data.get("language", "en"),
        country=data.get("country", ""),
        sources=Sources(
            sitemaps=tuple(src.get("sitemaps", ())),
            feeds=tuple(src.get("feeds", ())),
            sections=tuple(src.get("sections", ())),
        ),
        article_patterns=_compile_patterns(origin, "article", urls.get("article", [".+/[^/]+/?$"])),
        exclude_patterns=_compile_patterns(origin, "exclude", urls.get("exclude", [])),
        selectors={
            name: _compile_selector(origin, f"selectors.{name}", css)
            for name, css in data.get("selectors", {}).items()
        },
        shows=dict(data.get("shows", {})),
        verified=data.get("verified", ""),
        clutter=_clutter_rules(origin, data.get("clutter", [])),
    )


@dataclass(frozen=True)
class Registry:
    """All known stations, by key and by domain, and the profiles that failed to load: those
    stop only what uses them (`get` of their key, `for_url` of their domains)."""

    by_key: dict[str, StationProfile]
    by_domain: dict[str, StationProfile]
    broken: dict[str, ProfileError] = field(default_factory=dict)  # key (or file stem)
    broken_domains: dict[str, str] = field(default_factory=dict)  # domain -> broken key
    origins: dict[str, Path] = field(default_factory=dict)  # key -> the file it came from

    def get(self, key: str) -> StationProfile:
        """The profile for a key; ProfileError when its file is broken, KeyError naming the
        known keys when there is none."""
        if key in self.broken:
            raise self.broken[key]
        try:
            return self.by_key[key]
        except KeyError:
            known = ", ".join(sorted({*self.by_key, *self.broken}))
            raise KeyError(f"no station {key!r}; known: {known}") from None

    def for_url(self, url: str) -> StationProfile | None:
        """The profile whose domain serves this URL (subdomains included), or None;
        ProfileError when the domain belongs to a broken profile."""
        host = (urlsplit(url).hostname or "").lower()
        while host:
            if host in self.by_domain:
                return self.by_domain[host]
            if host in self.broken_domains:
                raise self.broken[self.broken_domains[host]]
            host = host.partition(".")[2]
        return None

    def refuse(self, errors: dict[str, ProfileError]) -> Registry:
        """This registry with the profiles of `errors` (key -> why) broken too: a check that
        needs a layer above this one (the cleaner's, pipelines/clean/clutter.py)."""
        if not errors:
            return self
        refused = [self.by_key[key] for key in errors]
        return replace(
            self,
            by_key={k: p for k, p in self.by_key.items() if k not in errors},
            by_domain={d: p for d, p in self.by_domain.items() if p.key not in errors},
            broken={**self.broken, **errors},
            broken_domains={
                **self.broken_domains,
                **{d: p.key for p in refused for d in p.domains},
            },
            origins={k: path for k, path in self.origins.items() if k not in errors},
        )

    def require_all(self) -> None:
        """ProfileError (the first, with how many more) when any profile is broken."""
        if self.broken:
            first, *rest = sorted(self.broken.items())
            more = f" (and {len(rest)} more broken profile(s))" if rest else ""
            raise ProfileError(f"{first[1]}{more}")

    def __iter__(self):
        return iter(sorted(self.by_key.values(), key=lambda p: p.key))

    def __len__(self) -> int:
        return len(self.by_key)


def load_profile(path: Path) -> StationProfile:
    """One station file, parsed and checked (ProfileError names the file)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read: {exc.strerror}") from None
    return parse_profile(data, origin=str(path))


def _raw_identity(path: Path) -> tuple[str, list[str]]:
    """The key and domains a broken file claims, as far as they can be read."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return path.stem, []
    key = data.get("key") if isinstance(data.get("key"), str) else path.stem
    domains = data.get("domains") if isinstance(data.get("domains"), list) else []
    return key, [d.lower() for d in domains if isinstance(d, str)]


def build_registry(files: list[Path], strict: bool = True) -> Registry:
    """Load station files into a Registry; later files win on the same key (so a user's
    folder overrides the shipped profile). Duplicate keys within one folder and a domain
    claimed by two stations are refused. `strict`: raise the first ProfileError; otherwise
    keep it in `broken` and go on with the others."""
    loaded: dict[str, tuple[StationProfile, Path]] = {}
    broken: dict[str, ProfileError] = {}
    claims: dict[str, list[str]] = {}
    for path in files:
        try:
            profile = load_profile(path)
        except ProfileError as exc:
            if strict:
                raise
            key, domains = _raw_identity(path)
            broken[key] = exc
            loaded.pop(key, None)
            claims[key] = domains
            continue
        key = profile.key
        if key in loaded and loaded[key][1].parent == path.parent:
            exc = ProfileError(f"{path}: key: duplicate station key {key!r} ({loaded[key][1]})")
            if strict:
                raise exc
            broken[key] = exc
            del loaded[key]
            continue
        broken.pop(key, None)
        loaded[key] = (profile, path)
    by_key: dict[str, StationProfile] = {}
    by_domain: dict[str, StationProfile] = {}
    broken_domains: dict[str, str] = {}
    for key, (profile, path) in sorted(loaded.items()):
        clash = next((d for d in profile.domains if d in by_domain), None)
        if clash:
            other = by_domain[clash].key
            exc = ProfileError(f"{path}: domains: {clash} already belongs to {other!r}")
            if strict:
                raise exc
            broken[key] = exc
            claims[key] = list(profile.domains)
            continue
        by_key[key] = profile
        by_domain.update(dict.fromkeys(profile.domains, profile))
    for key, domains in claims.items():
        if key in broken:
            broken_domains.update({d: key for d in domains if d not in by_domain})
    return Registry(
        by_key=by_key,
        by_domain=by_domain,
        broken=broken,
        broken_domains=broken_domains,
        origins={key: path for key, (_, path) in loaded.items() if key in by_key},
    )


STATIONS_ENV = "RADIOSCRAPE_STATIONS"


def station_dirs() -> list[Path]:
    """The shipped folder, then each folder in RADIOSCRAPE_STATIONS (os.pathsep-separated)."""
    extra = [Path(p).expanduser() for p in os.environ.get(STATIONS_ENV, "").split(os.pathsep)]
    return [STATIONS_DIR, *(p for p in extra if str(p) not in ("", "."))]


def station_files(dirs: list[Path]) -> list[Path]:
    """The *.toml files of `dirs`, folder by folder (later folders win on a key)."""
    return [path for folder in dirs for path in sorted(folder.glob("*.toml"))]


@cache
def _registry_of(dirs: tuple[Path, ...]) -> Registry:
    return build_registry(station_files(list(dirs)), strict=False)


@cache
def _registry_for(setting: str | None) -> Registry:
    return _registry_of(tuple(station_dirs()))


def registry() -> Registry:
    """The registry of the shipped station files and the user's folders (loaded once per set
    of folders, looked up by the RADIOSCRAPE_STATIONS value: a crawl asks for it per page).
    A broken file does not stop the others: see Registry.broken."""
    return _registry_for(os.environ.get(STATIONS_ENV))

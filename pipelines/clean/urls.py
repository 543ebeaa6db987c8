"""Canonical URLs: one story, one URL, whatever host, slash or tracking tags it came with."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

_TRACKING_PREFIXES = ("utm_", "fbclid", "gclid", "dclid", "mc_", "_ga", "ref_", "igshid", "cmpid")
_TRACKING_KEYS = frozenset(
    {
        "ref",
        "src",
        "source",
        "amp",
        "share",
        "s_cid",
        "ito",
        "at_medium",
        "at_campaign",
        "ocid",
        "spm",
        "xtor",
        "output",
    }
)


def absolute_url(base: str, href: str | None) -> str | None:
    """`href` resolved against `base`, or None when either is not a well-formed URL."""
    if not href:
        return None
    try:
        joined = urljoin(base, href.strip())
        urlsplit(joined).hostname  # noqa: B018 (raises ValueError on a malformed host)
    except ValueError:
        return None
    return joined


def url_path(url: str | None) -> str:
    """The path of a URL ('' when it is missing or malformed)."""
    try:
        return urlsplit(url or "").path
    except ValueError:
        return ""


def is_http_url(url: str) -> bool:
    """Whether `url` is an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def canonicalize(url: str, host: str | None = None) -> str:
    """Canonical form of an article URL: https, lower-case host (replaced by `host` when the
    station's canonical host is known), no tracking parameters, no fragment, no default port;
    the path is kept as the site writes it."""
    parts = urlsplit(url.strip())
    netloc = (host or parts.hostname or "").lower()
    path = parts.path or "/"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(_TRACKING_PREFIXES) and k.lower() not in _TRACKING_KEYS
    ]
    return urlunsplit(("https", netloc, path, urlencode(sorted(query)), ""))


def url_key(url: str) -> str:
    """The identity of a story's URL for de-duplication: canonical form without `www.` and
    without a trailing slash."""
    parts = urlsplit(canonicalize(url))
    host = parts.netloc.removeprefix("www.")
    return urlunsplit(("https", host, parts.path.rstrip("/") or "/", parts.query, ""))

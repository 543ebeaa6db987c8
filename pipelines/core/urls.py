"""Canonical URLs: one story, one URL, whatever host, slash or tracking tags it came with."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl, unquote_plus, urlencode, urljoin, urlsplit, urlunsplit

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


# Parameters that only ever say where a click came from: dropped from any host's URLs. The
# wider lists above are for hosts a station profile owns, where `ref` or `source` are known
# not to choose the page.
_CLICK_ID_PREFIXES = ("utm_",)
_CLICK_ID_KEYS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "igshid", "yclid", "_ga", "_gl", "mc_cid", "mc_eid"}
    | {"_hsenc", "_hsmi", "mkt_tok"}
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


def canonicalize(url: str, host: str | None = None, *, keep_origin: bool = False) -> str:
    """Canonical form of an article URL.

    On a host a station profile owns (the default): https, lower-case host (replaced by
    `host`, the station's canonical host, when given), no tracking parameters, no fragment, no
    port; the path is kept as the site writes it. With `keep_origin` (any other host: a site
    with no profile, a local mirror) the URL must still open: the scheme, the host and a
    non-default port are kept, the query keeps its order and loses only click identifiers
    (utm_*, fbclid...), and the fragment goes.
    """
    parts = urlsplit(url.strip())
    path = parts.path or "/"
    if keep_origin:
        scheme = parts.scheme.lower() or "https"
        netloc = (parts.hostname or "").lower()
        if ":" in netloc:  # an IPv6 literal
            netloc = f"[{netloc}]"
        port = _port(parts)
        if port is not None and port != {"http": 80, "https": 443}.get(scheme):
            netloc = f"{netloc}:{port}"
        query = "&".join(
            field
            for field in parts.query.split("&")
            if field and not _is_click_id(unquote_plus(field.split("=", 1)[0]).lower())
        )
        return urlunsplit((scheme, netloc, path, query, ""))
    netloc = (host or parts.hostname or "").lower()
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(_TRACKING_PREFIXES) and k.lower() not in _TRACKING_KEYS
    ]
    return urlunsplit(("https", netloc, path, urlencode(sorted(query)), ""))


def _is_click_id(key: str) -> bool:
    return key.startswith(_CLICK_ID_PREFIXES) or key in _CLICK_ID_KEYS


def _port(parts) -> int | None:
    try:
        return parts.port
    except ValueError:  # a port that is not a number: drop it
        return None


@lru_cache(maxsize=1024)  # a crawl asks for the same page's key several times
def url_key(url: str) -> str:
    """The identity of a story's URL for de-duplication: canonical form without `www.` and
    without a trailing slash."""
    parts = urlsplit(canonicalize(url))
    host = parts.netloc.removeprefix("www.")
    return urlunsplit(("https", host, parts.path.rstrip("/") or "/", parts.query, ""))

"""Find embedded media (YouTube, Instagram, TikTok, X, Facebook, Spotify, SoundCloud, audio)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit, urlunsplit

from lxml import etree

from pipelines.clean.cssindex import class_tokens
from pipelines.core.urls import absolute_url

_MEDIA_TAGS = frozenset(["iframe", "audio", "video"])
_EMBED_QUOTES = ("instagram-media", "twitter-tweet", "tiktok-embed")  # in a blockquote's class
_FACEBOOK_CLASSES = frozenset(["fb-post", "fb-video"])
_YOUTUBE_ID = re.compile(
    r"(?:youtube(?:-nocookie)?\.com/(?:embed/|shorts/|live/|v/)|youtu\.be/)([\w-]{6,})"
)
_AUDIO_HOSTS = (
    "omny.fm",
    "megaphone.fm",
    "podbean.com",
    "iono.fm",
    "anchor.fm",
    "buzzsprout.com",
    "simplecast.com",
    "acast.com",
    "audioboom.com",
    "podcasts.apple.com",
    "iheart.com",
)


def _strip_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def classify_embed_url(url: str) -> dict[str, str] | None:
    """Map an embed or media URL to {"type", "url"} in its public form, or None if not media."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    if m := _YOUTUBE_ID.search(url):
        return {"type": "youtube", "url": f"https://www.youtube.com/watch?v={m.group(1)}"}
    if host.endswith("youtube.com") and (v := parse_qs(parts.query).get("v")):
        return {"type": "youtube", "url": f"https://www.youtube.com/watch?v={v[0]}"}
    if host.endswith("instagram.com"):
        path = re.sub(r"/embed(/captioned)?/?$", "/", parts.path)
        return {"type": "instagram", "url": f"https://www.instagram.com{path}"}
    if host.endswith("tiktok.com"):
        return {"type": "tiktok", "url": _strip_query(url)}
    if host in ("twitter.com", "x.com", "mobile.twitter.com") and "/status/" in parts.path:
        return {"type": "x", "url": _strip_query(url)}
    if host.endswith("facebook.com"):
        href = parse_qs(parts.query).get("href")
        return {"type": "facebook", "url": href[0] if href else _strip_query(url)}
    if host.endswith("spotify.com"):
        return {"type": "spotify", "url": _strip_query(url).replace("/embed/", "/")}
    if host.endswith("soundcloud.com"):
        inner = parse_qs(parts.query).get("url")
        return {"type": "soundcloud", "url": inner[0] if inner else _strip_query(url)}
    if any(host.endswith(h) for h in _AUDIO_HOSTS) or re.search(
        r"\.(mp3|m4a|aac|ogg)$", parts.path
    ):
        return {"type": "audio", "url": url}
    return None


def _embed_url(node: etree._Element) -> str | None:
    tag = node.tag
    if tag == "blockquote":
        cls = node.get("class", "")
        if "instagram-media" in cls:
            return node.get("data-instgrm-permalink") or next(iter(node.xpath(".//a/@href")), None)
        if "tiktok-embed" in cls:
            return node.get("cite") or next(iter(node.xpath(".//a/@href")), None)
        links = [h for h in node.xpath(".//a/@href") if "/status/" in h]
        return links[-1] if links else None
    if tag in ("audio", "video"):
        return node.get("src") or next(iter(node.xpath(".//source/@src")), None)
    return node.get("src") or node.get("data-src") or node.get("data-href")


def find_embeds(root: etree._Element, base_url: str) -> tuple[list[dict[str, str]], list]:
    """Return the media embedded under `root` in page order, and the nodes that hold them."""
    found: list[dict[str, str]] = []
    nodes = []
    for node in _embed_candidates(root):
        if any(node is n or n in node.iterancestors() for n in nodes):
            continue
        raw = _embed_url(node)
        url = absolute_url(base_url, raw)
        embed = classify_embed_url(url) if url else None
        if embed is None and node.tag in ("audio", "video") and url:
            embed = {"type": node.tag, "url": url}
        nodes.append(node)
        if embed and embed not in found:
            found.append(embed)
    return found, nodes


def _embed_candidates(root: etree._Element) -> list[etree._Element]:
    """`root` and the elements under it that may hold an embed, in document order (one walk:
    an XPath testing every element's classes costs four times as much)."""
    return [el for el in root.iter(etree.Element) if _may_hold_embed(el)]


def _may_hold_embed(el: etree._Element) -> bool:
    """A media element, an embed blockquote, or a Facebook post or video."""
    if el.tag in _MEDIA_TAGS:
        return True
    if not (cls := el.get("class")):
        return False
    if el.tag == "blockquote" and any(name in cls for name in _EMBED_QUOTES):
        return True
    return "fb-" in cls and not _FACEBOOK_CLASSES.isdisjoint(class_tokens(cls))

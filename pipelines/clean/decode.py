"""Turn page bytes into text, surviving mis-declared and missing charsets."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([a-zA-Z0-9_.:-]+)", re.I)
_BOMS = (  # the byte order is the BOM's, whatever the machine's is
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Browsers read these labels as windows-1252 (WHATWG Encoding Standard), and so do we.
_WINDOWS_1252_LABELS = {"iso-8859-1", "latin-1", "latin1", "ascii", "us-ascii", "cp1252"}


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    if label in _WINDOWS_1252_LABELS:
        return "windows-1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_charset(body: bytes, content_type: str | None) -> str | None:
    """The charset the HTTP header declares, else the first <meta> charset in the page."""
    if content_type and (m := _HEADER_CHARSET.search(content_type)):
        return _codec(m.group(1))
    if m := _META_CHARSET.search(body[:4096]):
        return _codec(m.group(1).decode("ascii", "ignore"))
    return None


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode page bytes to text; return (text, encoding used).

    Valid UTF-8 with non-ASCII characters is read as UTF-8 whatever the page declares (real
    windows-1252 text is almost never valid UTF-8), and so is UTF-8 with a few stray invalid
    bytes among more valid multi-byte characters (each stray byte becomes U+FFFD); otherwise the
    declared charset (windows-1252 when UTF-8 is declared but the bytes are not), else a
    detected one, else windows-1252. NUL bytes are dropped; undecodable bytes become U+FFFD.
    """
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(codec, "replace").replace("\x00", ""), codec
    if b"\x00" in body:
        body = body.replace(b"\x00", b"")
    if not body.isascii():
        try:  # valid UTF-8 (the usual case): no stray byte to count
            return body.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
        text = body.decode("utf-8", "replace")
        stray = text.count("\ufffd") - body.count("\ufffd".encode())
        valid = len(text) - len(text.encode("ascii", "ignore")) - stray
        if stray <= valid:  # UTF-8, perhaps with a stray byte; windows-1252 text has no valid
            return text, "utf-8"
    declared = declared_charset(body, content_type)
    if declared and declared != "utf-8":
        return body.decode(declared, "replace"), declared
    if body.isascii():
        return body.decode("ascii"), "ascii"
    if declared == "utf-8":  # invalid UTF-8 declared as UTF-8: the usual culprit is windows-1252
        return body.decode("windows-1252", "replace"), "windows-1252"
    codec = _detect(body[:65536])
    return body.decode(codec, "replace"), codec


def _detect(sample: bytes) -> str:
    """Best guess for undeclared non-UTF-8 bytes, preferring windows-1252 (the web's usual
    legacy charset) whenever it reads about as cleanly as the detector's favourite."""
    matches = list(from_bytes(sample))
    if not matches:
        return "windows-1252"
    best = matches[0]
    western = next((m for m in matches if _codec(m.encoding) == "windows-1252"), None)
    if western is not None and western.chaos <= best.chaos + 0.1:
        return "windows-1252"
    return _codec(best.encoding) or "windows-1252"

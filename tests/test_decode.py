"""Decoding page bytes: declared, mis-declared and missing charsets."""

from __future__ import annotations

import codecs

import pytest

from pipelines.clean.decode import declared_charset, decode_html

TEXT = "<html><body><p>Beyoncé and Morné sang “Déjà vu” — encore!</p></body></html>"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (TEXT.encode("utf-8"), "text/html; charset=utf-8"),
        (TEXT.encode("utf-8"), "text/html; charset=windows-1252"),  # UTF-8 declared as 1252
        (TEXT.encode("utf-8"), "text/html; charset=iso-8859-1"),
        (TEXT.encode("cp1252"), "text/html; charset=utf-8"),  # 1252 declared as UTF-8
        (TEXT.encode("cp1252"), "text/html"),
        (TEXT.encode("cp1252"), None),
        (
            TEXT.replace("<html>", '<html><head><meta charset="windows-1252"></head>').encode(
                "cp1252"
            ),
            None,
        ),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "text/html; charset=windows-1252"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), None),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), None),  # issue 12: was read as LE
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "text/html; charset=utf-8"),
        # one stray byte in a UTF-8 page: only that byte is lost (issue 12: all mojibake)
        (TEXT.encode("utf-8").replace(b"<p>", b"<p>\x92"), "text/html; charset=utf-8"),
        (TEXT.encode("utf-8").replace(b"<p>", b"<p>\xff"), None),
    ],
)
def test_accented_names_survive(body, content_type):
    text, _ = decode_html(body, content_type)
    assert "Beyoncé and Morné sang “Déjà vu” — encore!" in text


def test_nul_bytes_are_dropped():
    text, _ = decode_html(b"<p>Tyla\x00 wins</p>", "text/html")
    assert text == "<p>Tyla wins</p>"


def test_undecodable_bytes_become_replacement_characters():
    text, encoding = decode_html(b"<p>caf\xe9 \x81</p>", "text/html; charset=utf-8")
    assert encoding == "windows-1252"
    assert text.startswith("<p>café")


def test_header_charset_wins_over_meta():
    body = b'<meta charset="utf-8"><p>x</p>'
    assert declared_charset(body, "text/html; charset=ISO-8859-1") == "windows-1252"
    assert declared_charset(body, "text/html") == "utf-8"
    assert declared_charset(b"<p>x</p>", None) is None

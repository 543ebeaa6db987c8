"""A hostile Jacaranda FM mirror: good articles, and one small resource per fault.

`fault_routes(origin)` builds the routes of a LocalSite (crawler.demo_site): robots.txt, a
sitemap index that lists itself and hostile sitemaps (billion laughs, an external entity on a
local file), a malformed RSS feed, a section page, the good articles, and one article URL per
fault (`FAULTS`). `generated_routes(origin, n)` is a plain site of n generated articles for the
crash/resume test. Articles are built from the fixtures' own paragraphs, so each one has
different, realistic text.
"""

from __future__ import annotations

import gzip
import random
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from html import escape

from crawler.demo_site import Resource
from crawler.fixtures import all_fixtures

SECTION = "/news/entertainment/"
CANONICAL = "https://www.jacarandafm.com"
MB = 1024 * 1024
BOMB_SIZE = 200 * MB  # decompressed size of the gzip bomb (about 200 kB on the wire)


@cache
def paragraphs() -> tuple[str, ...]:
    """Every expected body paragraph of the fixtures that is a full sentence or more."""
    found = []
    for fixture in all_fixtures():
        for text in fixture.expected.get("body", []):
            if len(text.split()) >= 12 and text not in found:
                found.append(text)
    return tuple(found)


def article_html(slug: str, title: str, body: list[str], published: datetime) -> str:
    """A Jacaranda-style article page (canonical URL on the real domain)."""
    paras = "".join(f"<p>{escape(p)}</p>" for p in body)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)} | Jacaranda FM</title>"
        f'<link rel="canonical" href="{CANONICAL}{SECTION}{slug}/">'
        f'<meta property="article:published_time" content="{published.isoformat()}">'
        f'</head><body><article><h1>{escape(title)}</h1><div class="article--body">{paras}'
        "</div></article></body></html>"
    )


@dataclass(frozen=True)
class Article:
    """One generated article: its path, lastmod and page bytes."""

    slug: str
    title: str
    lastmod: datetime
    html: str

    @property
    def path(self) -> str:
        """The article's path on the site."""
        return f"{SECTION}{self.slug}/"


def generate(count: int, prefix: str = "story", seed: int = 5) -> list[Article]:
    """`count` articles, each with a distinct title and 4 to 7 paragraphs from the fixtures."""
    pool = paragraphs()
    rng = random.Random(seed)
    start = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    articles = []
    for number in range(count):
        slug = f"{prefix}-{number:03d}"
        body = rng.sample(pool, rng.randint(4, 7))
        title = f"{rng.choice(pool).split(',')[0][:60].rstrip('. ')} ({prefix} {number})"
        lastmod = start + timedelta(hours=7 * number)
        articles.append(Article(slug, title, lastmod, article_html(slug, title, body, lastmod)))
    return articles


def _xml(text: str, content_type: str = "application/xml") -> Resource:
    return Resource(text.encode("utf-8"), headers={"Content-Type": content_type})


def urlset(origin: str, paths: list[str], dates: dict[str, datetime] | None = None) -> str:
    """A sitemap urlset of `paths` under `origin` (with lastmod where `dates` has one)."""
    dates = dates or {}
    entries = "".join(
        f"<url><loc>{escape(origin + p)}</loc>"
        + (f"<lastmod>{dates[p].isoformat()}</lastmod>" if p in dates else "")
        + "</url>"
        for p in paths
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    )


def section_page(articles: list[Article]) -> Resource:
    """The section listing: one link per article."""
    links = "".join(f'<li><a href="{a.path}">{escape(a.title)}</a></li>' for a in articles)
    body = f"<!doctype html><html><head><title>Entertainment</title></head><body><ul>{links}</ul>"
    return Resource((body + "</body></html>").encode("utf-8"))


def generated_routes(origin: str, articles: list[Article]) -> dict[str, Resource]:
    """A well-behaved mirror of `articles`: robots.txt, sitemap with lastmod, RSS, sections."""
    return {
        "/robots.txt": Resource(
            f"User-agent: *\nSitemap: {origin}/sitemap.xml\n".encode(),
            headers={"Content-Type": "text/plain"},
        ),
        "/sitemap.xml": _xml(
            urlset(origin, [a.path for a in articles], {a.path: a.lastmod for a in articles})
        ),
        "/rss/": _xml(
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Jacaranda FM</title>'
            + "".join(
                f"<item><title>{escape(a.title)}</title><link>{origin}{a.path}</link></item>"
                for a in articles
            )
            + "</channel></rss>",
            "application/rss+xml",
        ),
        SECTION: section_page(articles),
        "/moremusicyoulove/": section_page([]),
        **{a.path: Resource(a.html.encode("utf-8")) for a in articles},
    }


def gzip_bomb(size: int) -> bytes:
    """`size` bytes of zeros, gzipped (a few hundred bytes per MB), built in 1 MB steps."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(MB)
    out = [compressor.compress(block) for _ in range(size // MB)]
    return b"".join([*out, compressor.flush()])


LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE urlset [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";" if i > 1 else "&lol;") * 10}">'
        for i in range(1, 10)
    )
    + ']>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    "<url><loc>{origin}/news/entertainment/&lol9;/</loc></url></urlset>"
)
XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    "<url><loc>{origin}/news/entertainment/&xxe;/</loc></url></urlset>"
)


def fault_pages(origin: str, good: Article) -> dict[str, Resource]:
    """One article URL per fault, each served as that fault (paths under SECTION)."""
    page = good.html.encode("utf-8")
    offsite = origin.replace("127.0.0.1", "localhost")
    cp1252 = article_html(
        "wrong-charset", "Beyoncé and Morné: “wrong charset”", [good_text(1), good_text(2)],
        good.lastmod,
    ).replace('<meta charset="utf-8">', "")  # fmt: skip
    no_charset = article_html(
        "no-charset", "Chané’s no-charset café story", [good_text(3), good_text(4)], good.lastmod
    ).replace('<meta charset="utf-8">', "")
    nul = article_html(
        "nul-bytes", "NUL bytes and unclosed tags", [good_text(5), good_text(6)], good.lastmod
    )
    nul = nul.replace("</p>", "\x00").replace("</div></article></body></html>", "<div><b><i>")
    return {
        f"{SECTION}http-500/": Resource(b"<h1>Internal error</h1>", status=500),
        f"{SECTION}http-503/": Resource(
            b"<h1>Busy</h1>", status=503, headers={"Retry-After": "1", "Content-Type": "text/html"}
        ),
        f"{SECTION}timeout/": Resource(page, delay=4),
        f"{SECTION}slow-drip/": Resource(page, drip=0.25, chunk_size=64),
        f"{SECTION}reset-mid-body/": Resource(page, reset_after=len(page) // 2),
        f"{SECTION}truncated-gzip/": Resource(
            gzip.compress(page)[: len(gzip.compress(page)) // 2],
            headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"},
        ),
        f"{SECTION}gzip-bomb/": Resource(
            gzip_bomb(BOMB_SIZE),
            headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"},
        ),
        f"{SECTION}huge-page/": Resource(b"<p>" + b"x" * (MB - 3), repeat=50),
        f"{SECTION}huge-stream/": Resource(b"<p>" + b"y" * (MB - 3), repeat=50, length=False),
        f"{SECTION}binary/": Resource(bytes(range(256)) * 64),
        f"{SECTION}redirect-loop/": Resource(
            status=302, headers={"Location": f"{SECTION}redirect-loop-b/"}
        ),
        f"{SECTION}redirect-loop-b/": Resource(
            status=302, headers={"Location": f"{SECTION}redirect-loop/"}
        ),
        f"{SECTION}redirect-offsite/": Resource(
            status=302, headers={"Location": f"{offsite}/elsewhere/offsite-story/"}
        ),
        f"{SECTION}redirect-to-fetched/": Resource(status=301, headers={"Location": good.path}),
        "/elsewhere/offsite-story/": Resource(
            article_html(
                "offsite-story", "Offsite story", [good_text(7), good_text(8)], good.lastmod
            ).encode()
        ),
        f"{SECTION}redirect-to-file/": Resource(
            status=302, headers={"Location": "file:///etc/passwd"}
        ),
        f"{SECTION}wrong-charset/": Resource(
            cp1252.encode("windows-1252"), headers={"Content-Type": "text/html; charset=utf-8"}
        ),
        f"{SECTION}no-charset/": Resource(
            no_charset.encode("utf-8"), headers={"Content-Type": "text/html"}
        ),
        f"{SECTION}nul-bytes/": Resource(nul.encode("utf-8")),
        f"{SECTION}empty/": Resource(b""),
        f"{SECTION}private-story/": Resource(page),
    }


def good_text(number: int) -> str:
    """The `number`-th paragraph of the fixture pool."""
    return paragraphs()[number]


SITEMAPS = (
    "/sitemap.xml",
    "/sitemap-articles.xml",
    "/sitemap-laughs.xml",
    "/sitemap-xxe.xml",
    "/sitemap-bomb.xml.gz",
)
# The fault pages whose content is a good article and must be stored (once, readable).
STORED_FAULTS = ("wrong-charset", "no-charset", "nul-bytes")


def fault_routes(origin: str, articles: list[Article]) -> dict[str, Resource]:
    """Every route of the fault site: the good `articles` plus every fault."""
    faults = fault_pages(origin, articles[0])
    paths = [a.path for a in articles] + [p for p in faults if p.startswith(SECTION)]
    paths.remove(f"{SECTION}redirect-loop-b/")  # a loop is found from one of its URLs
    rss_items = "".join(
        f"<item><title>{escape(a.title)}</title><link>{origin}{a.path}</link></item>"
        for a in articles[:3]
    )
    return {
        **generated_routes(origin, articles),
        "/robots.txt": Resource(
            f"User-agent: *\nDisallow: {SECTION}private-story/\n".encode()
            + f"Sitemap: {origin}/sitemap.xml\n".encode(),
            headers={"Content-Type": "text/plain"},
        ),
        "/sitemap.xml": _xml(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(f"<sitemap><loc>{origin}{p}</loc></sitemap>" for p in SITEMAPS)
            + "</sitemapindex>"
        ),
        "/sitemap-articles.xml": _xml(urlset(origin, paths)),
        "/sitemap-laughs.xml": _xml(LAUGHS.replace("{origin}", origin)),
        "/sitemap-xxe.xml": _xml(XXE.replace("{origin}", origin)),
        "/sitemap-bomb.xml.gz": Resource(
            gzip_bomb(BOMB_SIZE), headers={"Content-Type": "application/x-gzip"}
        ),
        "/rss/": _xml(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Broken & bad</title>'
            f"{rss_items}<item><title>unclosed<link>{origin}{articles[3].path}</item>"
            "</channel>",
            "application/rss+xml",
        ),
        **faults,
    }

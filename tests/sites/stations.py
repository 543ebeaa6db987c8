"""Five small station sites built like real ones, for crawling with `radioscrape crawl --url`.

Each style has its own markup (written for these tests, not copied from any site) and its own
way of being discovered:

- `wagtail`: a Django/Wagtail-style site; robots.txt names one sitemap of every page; stories
  under /news/<section>/ and under their show (/shows/<show>/<story>/).
- `wordpress`: WordPress with a Yoast sitemap index (posts, pages, categories, authors), date
  permalinks (/2026/11/27/<slug>/, so a day archive is the parent of a story) and an RSS feed.
- `custom`: a custom CMS whose robots.txt has two `Sitemap:` lines (a news sitemap and a site
  sitemap); the first paragraph of every story is a `<p class="intro">` inside the body.
- `global`: a Global-style site with no sitemap anywhere (robots.txt names none, the
  conventional locations answer 404), found from its home page; a tune-in line follows the body.
- `drupal`: Drupal with its stock robots.txt (no Sitemap: line), a sitemap at /sitemap.xml and
  an RSS feed; URLs without a trailing slash; the author in Drupal's user field.

Every site has show pages and a show hub, competition pages, day archives, a category listing
and a player page besides its stories. `others` names each such page that generic discovery
finds as a candidate (a path of two or more segments, linked or listed): each must be fetched
and refused, never stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from html import escape

from crawler.demo_site import Resource
from tests.sites.text import Story, story

STYLES = ("wagtail", "wordpress", "custom", "global", "drupal")
NOW_PLAYING = "Now playing on {name}: Cape Static \u2013 Low Tide. Up next: Lerato Sky."


@dataclass
class StationSite:
    """A built site: its routes, its stories and the other pages discovery finds."""

    style: str
    name: str
    stories: list[Story]
    others: dict[str, str]  # path -> kind, for every non-story page found as a candidate
    routes: dict[str, Resource] = field(default_factory=dict)


def _html(text: str) -> Resource:
    return Resource(text.encode("utf-8"))


def _xml(text: str, content_type: str = "application/xml") -> Resource:
    return Resource(text.encode("utf-8"), headers={"Content-Type": content_type})


def _text(text: str) -> Resource:
    return Resource(text.encode("utf-8"), headers={"Content-Type": "text/plain"})


def _urlset(origin: str, paths: list[str], news: dict[str, Story] | None = None) -> str:
    entries = []
    for path in paths:
        extra = ""
        if news and path in news:
            extra = (
                "<news:news><news:publication><news:name>Station</news:name>"
                "<news:language>en</news:language></news:publication>"
                f"<news:publication_date>{news[path].published}</news:publication_date>"
                f"<news:title>{escape(news[path].title)}</news:title></news:news>"
            )
        entries.append(f"<url><loc>{origin}{path}</loc>{extra}</url>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        + "".join(entries)
        + "</urlset>"
    )


def _rss(origin: str, name: str, stories: list[Story]) -> str:
    items = "".join(
        f"<item><title>{escape(s.title)}</title><link>{origin}{s.path}</link>"
        f"<pubDate>{format_datetime(datetime.fromisoformat(s.published))}</pubDate>"
        f"<dc:creator>{escape(s.author)}</dc:creator></item>"
        for s in stories
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>{escape(name)}</title><link>{origin}/</link>{items}</channel></rss>"
    )


def _teasers(stories: list[Story], tag: str = "h3") -> str:
    return "".join(
        f'<div class="teaser"><{tag}><a href="{s.path}">{escape(s.title)}</a></{tag}>'
        f'<p class="teaser-summary">{escape(s.paragraphs[0][:90])}...</p></div>'
        for s in stories
    )


def _date_line(iso: str) -> str:
    return datetime.fromisoformat(iso).strftime("%d %B %Y, %H:%M")


# --- Wagtail ---------------------------------------------------------------------------------


def wagtail(origin: str) -> StationSite:
    """A Wagtail-style station: one sitemap of every page, stories under sections and shows."""
    name, host = "Lowveld Beat FM", "Khanyi Nkosi"
    stories = [
        story(0, "/news/entertainment/velvet-lanterns-homecoming/", "Thandi Mokoena", 27,
              "The Breakfast Club", host),
        story(1, "/news/entertainment/karabo-acoustic-set/", "Thandi Mokoena", 27,
              "The Breakfast Club", host),
        story(2, "/news/music/ayanda-summer-tour/", "Pieter van Wyk", 28, "Drive with Jono",
              "Jono Pillay"),
        story(3, "/shows/breakfast-club/lerato-sky-orchestra/", "Khanyi Nkosi", 28,
              "The Breakfast Club", host),
        story(4, "/shows/drive-with-jono/mpho-dlamini-charity-gig/", "Jono Pillay", 29,
              "Drive with Jono", "Jono Pillay"),
    ]  # fmt: skip
    others = {
        "/shows/breakfast-club/": "show",
        "/shows/drive-with-jono/": "show",
        "/shows/all-shows/": "show-hub",
        "/win/weekend-in-the-bush/": "competition",
        "/win/concert-tickets/": "competition",
        "/news/entertainment/": "category",
        "/news/music/": "category",
        "/news/2026-11-28/": "day-archive",
        "/radio/listen-live/": "player",
    }

    def page(template: str, title: str, main: str, og_type: str = "website", head: str = ""):
        return _html(
            f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}"
            f" | {name}</title><meta property='og:type' content='{og_type}'>"
            f"<meta property='og:site_name' content='{name}'>{head}</head>"
            f"<body class='template-{template}'><header><a class='btn-listen-live' "
            f"href='/radio/listen-live/'>Listen Live</a><nav class='nav'><ul class='nav--list'>"
            "<li><a href='/'>Home</a></li><li><a href='/news/entertainment/'>Entertainment</a>"
            "</li><li><a href='/news/music/'>Music</a></li><li><a href='/shows/all-shows/'>"
            "Shows</a></li><li><a href='/win/weekend-in-the-bush/'>Win</a></li>"
            "<li><a href='/news/2026-11-28/'>Yesterday</a></li></ul></nav>"
            "<section class='timeline-section'><span class='timeline-show--current--title'>"
            f"{host}</span> NEXT SHOW: Drive with Jono</section></header>"
            f"<main>{main}</main><footer><p>Connect with us</p><p>&copy; Lowveld Beat Media"
            "</p></footer></body></html>"
        )

    routes = {
        "/robots.txt": _text(f"User-agent: *\nDisallow: /admin/\nSitemap: {origin}/sitemap.xml\n"),
        "/": page("home-page", name, "<h1>Lowveld Beat FM</h1>" + _teasers(stories)),
    }
    for s in stories:
        body = "".join(f"<p>{escape(p)}</p>" for p in s.paragraphs)
        routes[s.path] = page(
            "article-page",
            s.title,
            f"<article><h1>{escape(s.title)}</h1><div class='article-meta'>Updated "
            f"<time datetime='{s.published}'>{_date_line(s.published)}</time> | "
            f"<span class='article-author'>By {escape(s.author)}</span></div>"
            f"<div class='article-body'>{body}</div><div class='article-ad-unit'>"
            f"<h3>MORE FROM {name.upper()}</h3>{_teasers(stories[:2])}</div></article>",
            og_type="article",
            head=f"<meta property='article:published_time' content='{s.published}'>",
        )
    shows = {
        "/shows/breakfast-club/": ("The Breakfast Club", host, "06:00 - 09:00", [stories[3]]),
        "/shows/drive-with-jono/": ("Drive with Jono", "Jono Pillay", "15:00 - 18:00",
                                    [stories[4]]),
    }  # fmt: skip
    for path, (show, presenter, slot, own) in shows.items():
        routes[path] = page(
            "show-page",
            show,
            f"<div class='show-header'><h1>{show}</h1><p class='show-time'>Weekdays {slot}</p>"
            f"</div><div class='show-about'><p>{presenter} wakes up the Lowveld with the "
            "biggest hits, the latest entertainment news and listeners' stories from across "
            "the province. Call in, send a voice note or join the conversation online: every "
            f"morning somebody goes home with a prize.</p></div><h2>Show's Stories</h2>"
            + _teasers(own),
        )
    routes["/shows/all-shows/"] = page(
        "show-index-page",
        "Shows",
        "<h1>Our shows</h1>"
        + "".join(
            f"<div class='show-card'><h3><a href='{p}'>{v[0]}</a></h3><p>{v[2]}</p></div>"
            for p, v in shows.items()
        ),
    )
    routes["/win/weekend-in-the-bush/"] = page(
        "competition-page",
        "Win a weekend in the bush",
        "<h1>Win a weekend in the bush</h1><p>Five listeners can win a weekend for two at a "
        "private game lodge, with meals, game drives and spa treatments included. Answer "
        "the question below and tell us who you would take along.</p><form><label>Which "
        "animal is known as the king of the jungle?</label><input name='answer'></form>"
        "<p>Competition closes 12 December 2026. T&amp;Cs apply.</p>",
    )
    routes["/win/concert-tickets/"] = page(
        "competition-page",
        "Win concert tickets",
        "<h1>Win double tickets to Ayanda and the Tides</h1><p>We have ten sets of double "
        "tickets to give away for the summer tour. Listen out for the cue to call between "
        "seven and eight every weekday morning this week.</p><p>T&amp;Cs apply.</p>",
    )
    for path, title, own in (
        ("/news/entertainment/", "Entertainment", stories[:2]),
        ("/news/music/", "Music", stories[2:3]),
        ("/news/2026-11-28/", "Stories from 28 November 2026", stories[2:4]),
    ):
        routes[path] = page("section-page", title, f"<h1>{title}</h1>" + _teasers(own, "h2"))
    routes["/radio/listen-live/"] = page(
        "player-page",
        "Listen live",
        f"<div class='player'><p>{NOW_PLAYING.format(name=name)}</p><button>Play</button></div>",
    )
    sitemap = ["/", *[s.path for s in stories], *others, "/about/", "/contact/"]
    routes["/sitemap.xml"] = _xml(_urlset(origin, sitemap))
    return StationSite("wagtail", name, stories, others, routes)


# --- WordPress with Yoast ----------------------------------------------------------------------


def wordpress(origin: str) -> StationSite:
    """WordPress with a Yoast sitemap index, date permalinks and an RSS feed."""
    name = "Coastline 88.4"
    stories = [
        story(5, "/2026/11/27/cape-static-album-launch/", "Naledi Mahlangu", 27,
              "Coastline Mornings", "Naledi Mahlangu"),
        story(6, "/2026/11/27/zinhle-maseko-summer-tour/", "Ruan Botha", 27,
              "Coastline Mornings", "Naledi Mahlangu"),
        story(7, "/2026/11/28/northern-lights-choir-orchestra/", "Naledi Mahlangu", 28,
              "Afternoon Drive", "Ruan Botha"),
        story(8, "/2026/11/29/thabo-mokoena-charity-concert/", "Ruan Botha", 29,
              "Afternoon Drive", "Ruan Botha"),
    ]  # fmt: skip
    others = {
        "/2026/11/27/": "day-archive",
        "/2026/11/28/": "day-archive",
        "/2026/11/29/": "day-archive",
        "/shows/coastline-mornings/": "show",
        "/shows/afternoon-drive/": "show",
        "/win/festival-passes/": "competition",
        "/listen/live-stream/": "player",
    }
    authors = {"Naledi Mahlangu": "naledi", "Ruan Botha": "ruan"}

    def page(body_class: str, title: str, main: str, head: str = ""):
        return _html(
            f'<!DOCTYPE html><html lang="en-ZA"><head><meta charset="UTF-8"><title>'
            f"{escape(title)} - {name}</title>"
            f'<link rel="alternate" type="application/rss+xml" title="{name} Feed" '
            f'href="{origin}/feed/"><link rel="alternate" type="application/rss+xml" '
            f'title="{name} Comments Feed" href="{origin}/comments/feed/">{head}</head>'
            f'<body class="{body_class}"><div id="page" class="site"><header id="masthead">'
            f'<p class="site-title"><a href="{origin}/" rel="home">{name}</a></p>'
            '<nav id="site-navigation" class="main-navigation"><ul id="primary-menu">'
            f'<li><a href="{origin}/shows/coastline-mornings/">Mornings</a></li>'
            f'<li><a href="{origin}/shows/afternoon-drive/">Drive</a></li>'
            f'<li><a href="{origin}/win/festival-passes/">Win</a></li>'
            f'<li><a href="{origin}/listen/live-stream/">Listen live</a></li>'
            f'<li><a href="{origin}/category/music/">Music</a></li></ul></nav></header>'
            f'<div id="content" class="site-content">{main}</div><footer id="colophon">'
            f'<div class="site-info">&copy; 2026 {name}. Proudly powered by WordPress</div>'
            "</footer></div></body></html>"
        )

    def yoast(s: Story) -> str:
        person = f"{origin}/#/schema/person/{authors[s.author]}"
        graph = {
            "@context": "https://schema.org",
            "@graph": [
                {"@type": "Article", "@id": f"{origin}{s.path}#article",
                 "author": {"name": s.author, "@id": person}, "headline": s.title,
                 "datePublished": s.published, "mainEntityOfPage": {"@id": f"{origin}{s.path}"}},
                {"@type": "WebPage", "@id": f"{origin}{s.path}", "url": f"{origin}{s.path}",
                 "name": f"{s.title} - {name}"},
                {"@type": "Person", "@id": person, "name": s.author,
                 "url": f"{origin}/author/{authors[s.author]}/"},
            ],
        }  # fmt: skip
        return (
            f'<meta property="og:type" content="article"><meta name="author" '
            f'content="{s.author}"><meta property="article:published_time" '
            f'content="{s.published}"><script type="application/ld+json" class="yoast-schema-'
            f'graph">{json.dumps(graph)}</script>'
        )

    routes = {
        "/robots.txt": _text(
            "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\n"
            f"Sitemap: {origin}/sitemap_index.xml\n"
        ),
        "/": page(
            "home blog",
            name,
            "<main>"
            + _teasers(stories, "h2")
            + '</main><aside class="widget widget_calendar"><table id="wp-calendar"><caption>'
            "November 2026</caption><tbody><tr>"
            + "".join(
                f'<td><a href="{origin}/2026/11/{d}/" aria-label="Posts published on November '
                f'{d}, 2026">{d}</a></td>'
                for d in ("27", "28", "29")
            )
            + "</tr></tbody></table></aside>",
        ),
        "/feed/": _xml(_rss(origin, name, stories), "application/rss+xml; charset=UTF-8"),
        "/comments/feed/": _xml(_rss(origin, f"Comments for {name}", []), "application/rss+xml"),
    }
    for s in stories:
        body = "".join(f"<p>{escape(p)}</p>" for p in s.paragraphs)
        slug = authors[s.author]
        routes[s.path] = page(
            "post-template-default single single-post",
            s.title,
            f'<main id="main"><article class="post type-post status-publish format-standard">'
            f'<header class="entry-header"><h1 class="entry-title">{escape(s.title)}</h1>'
            f'<div class="entry-meta"><span class="posted-on">Posted on <time class="entry-date '
            f'published" datetime="{s.published}">{_date_line(s.published)}</time></span> '
            f'<span class="byline"> by <span class="author vcard"><a class="url fn n" '
            f'href="{origin}/author/{slug}/">{escape(s.author)}</a></span></span></div>'
            f'</header><div class="entry-content">{body}</div><footer class="entry-footer">'
            f'<span class="cat-links">Posted in <a href="{origin}/category/music/" '
            'rel="category tag">Music</a></span></footer></article>'
            '<div class="sharedaddy"><h3 class="sd-title">Share this:</h3></div></main>',
            head=yoast(s),
        )
    for day in ("27", "28", "29"):
        own = [s for s in stories if s.path.startswith(f"/2026/11/{day}/")]
        routes[f"/2026/11/{day}/"] = page(
            "archive date",
            f"{day} November 2026",
            f'<main><header class="page-header"><h1 class="page-title">Day: <span>November '
            f"{day}, 2026</span></h1></header>" + _teasers(own, "h2") + "</main>",
        )
    for path, show, presenter, slot in (
        ("/shows/coastline-mornings/", "Coastline Mornings", "Naledi Mahlangu", "06:00-09:00"),
        ("/shows/afternoon-drive/", "Afternoon Drive", "Ruan Botha", "15:00-18:00"),
    ):
        routes[path] = page(
            "page-template-show page",
            show,
            f'<main><article class="page type-page"><h1 class="entry-title">{show}</h1>'
            f'<div class="entry-content"><p><strong>Weekdays {slot}</strong></p><p>Join '
            f"{presenter} for the best mix of music, entertainment news and the stories the "
            "coast is talking about, with traffic and weather on the half hour and the "
            "Coastline Cash Call every day.</p><p>Send us a WhatsApp any time during the "
            "show.</p></div></article></main>",
        )
    routes["/win/festival-passes/"] = page(
        "page-template-competition page",
        "Win festival passes",
        '<main><article class="page type-page"><h1 class="entry-title">Win weekend passes to '
        'Coastline Fest</h1><div class="entry-content"><p>Three listeners will each win two '
        "weekend passes and a camping spot at Coastline Fest. Fill in the form below and tell "
        "us which act you can't wait to see.</p><div class='wpforms-container'><form><input "
        "name='name'><textarea name='why'></textarea></form></div><p>Entries close 5 December"
        " 2026. Terms and conditions apply.</p></div></article></main>",
    )
    routes["/listen/live-stream/"] = page(
        "page-template-player page",
        "Listen live",
        f'<main><div class="radio-player"><p>{NOW_PLAYING.format(name=name)}</p>'
        "<audio controls></audio></div></main>",
    )
    routes["/category/music/"] = page(
        "archive category",
        "Music",
        "<main><h1>Category: Music</h1>" + _teasers(stories) + "</main>",
    )
    routes["/sitemap_index.xml"] = _xml(
        '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/'
        'schemas/sitemap/0.9">'
        + "".join(
            f"<sitemap><loc>{origin}/{kind}-sitemap.xml</loc>"
            "<lastmod>2026-11-29T10:00:00+00:00</lastmod></sitemap>"
            for kind in ("post", "page", "category", "author")
        )
        + "</sitemapindex>"
    )
    routes["/post-sitemap.xml"] = _xml(_urlset(origin, [s.path for s in stories]))
    pages = ["/", "/shows/coastline-mornings/", "/shows/afternoon-drive/",
             "/win/festival-passes/", "/listen/live-stream/", "/about-us/"]  # fmt: skip
    routes["/page-sitemap.xml"] = _xml(_urlset(origin, pages))
    routes["/category-sitemap.xml"] = _xml(_urlset(origin, ["/category/music/"]))
    routes["/author-sitemap.xml"] = _xml(
        _urlset(origin, [f"/author/{slug}/" for slug in authors.values()])
    )
    return StationSite("wordpress", name, stories, others, routes)


# --- Custom CMS with two Sitemap: lines -------------------------------------------------------


def custom(origin: str) -> StationSite:
    """A custom CMS: robots.txt names a news sitemap and a site sitemap; the lede is a
    `<p class="intro">` inside the body."""
    name = "Metro Pulse 101"
    stories = [
        story(9, "/stories/10234-kea-ramaphosa-tour", "Sibusiso Ndlovu", 28,
              "Pulse Breakfast", "Ntombi Cele"),
        story(10, "/stories/10235-sipho-and-the-saints-gig", "Ntombi Cele", 28,
              "Pulse Breakfast", "Ntombi Cele"),
        story(11, "/stories/10236-nomsa-khumalo-launch", "Sibusiso Ndlovu", 29,
              "Late Night Pulse", "Andile Mthembu"),
        story(12, "/stories/10237-velvet-lanterns-acoustic", "Andile Mthembu", 29,
              "Late Night Pulse", "Andile Mthembu"),
    ]  # fmt: skip
    others = {
        "/shows/pulse-breakfast": "show",
        "/shows/late-night-pulse": "show",
        "/shows/schedule-and-presenters": "show-hub",
        "/competitions/win-a-car": "competition",
        "/competitions/golden-ticket-hunt": "competition",
        "/archive/2026-11-28": "day-archive",
        "/archive/2026-11-29": "day-archive",
        "/live/player": "player",
    }

    def page(kind: str, title: str, main: str, head: str = ""):
        return _html(
            f"<!doctype html><html><head><meta charset=utf-8><title>{escape(title)} \u2014 "
            f"{name}</title>{head}</head><body data-page-kind='{kind}'><div class='topbar'>"
            "<a class='listen' href='/live/player'>LISTEN LIVE</a><span class='onair'>On Air "
            "Now: Pulse Breakfast</span></div><div class='menu'><a href='/'>Home</a> "
            "<a href='/shows/schedule-and-presenters'>Shows</a> <a href='/competitions/win-a-car'>"
            "Win a car</a> <a href='/archive/2026-11-29'>Today</a></div>"
            f"<div class='page'>{main}</div><div class='foot'>Metro Pulse 101 is a "
            "Metro Media station.</div></body></html>"
        )

    routes = {
        "/robots.txt": _text(
            f"User-agent: *\nDisallow: /search\n\nSitemap: {origin}/sitemaps/news.xml\n"
            f"Sitemap: {origin}/sitemaps/site.xml\n"
        ),
        "/": page("home", name, "<h1>Metro Pulse 101</h1>" + _teasers(stories)),
    }
    for s in stories:
        intro, *rest = s.paragraphs
        body = f"<p class='intro'>{escape(intro)}</p>" + "".join(
            f"<p>{escape(p)}</p>" for p in rest
        )
        routes[s.path] = page(
            "story",
            s.title,
            f"<div class='story'><h1 class='story-title'>{escape(s.title)}</h1>"
            f"<div class='story-byline'>By <a rel='author' href='/people/"
            f"{s.author.lower().replace(' ', '-')}'>{escape(s.author)}</a> \u00b7 "
            f"<span class='story-date' data-ts='{s.published}'>{_date_line(s.published)}"
            f"</span></div><div class='story-body'>{body}</div><div class='related'><h4>"
            f"Related</h4>{_teasers(stories[:2], 'h4')}</div></div>",
            head=f"<meta property='og:title' content='{escape(s.title)}'>"
            f"<meta property='og:type' content='article'>",
        )
    for path, show, presenter in (
        ("/shows/pulse-breakfast", "Pulse Breakfast", "Ntombi Cele"),
        ("/shows/late-night-pulse", "Late Night Pulse", "Andile Mthembu"),
    ):
        routes[path] = page(
            "show",
            show,
            f"<div class='show'><h1>{show}</h1><p class='presenter'>with {presenter}</p>"
            f"<p>{presenter} brings you the city's soundtrack, the conversations everybody is "
            "having and the guests everybody wants to hear from. Tune in, text in and win "
            "with the Pulse every weekday.</p><h3>Latest from the show</h3>"
            + _teasers(stories[:1])
            + "</div>",
        )
    routes["/shows/schedule-and-presenters"] = page(
        "show-hub",
        "Shows and presenters",
        "<h1>Shows and presenters</h1><ul class='lineup'><li><a href='/shows/pulse-breakfast'>"
        "Pulse Breakfast</a> 06:00 - 10:00</li><li><a href='/shows/late-night-pulse'>Late "
        "Night Pulse</a> 22:00 - 01:00</li></ul>",
    )
    routes["/competitions/win-a-car"] = page(
        "competition",
        "Win a car",
        "<h1>Win a brand-new hatchback</h1><p>One listener will drive away in a brand-new "
        "hatchback this December. Every weekday at 08:10 we call a listener from our entry "
        "list: answer with the Pulse phrase of the day and you are in the final draw.</p>"
        "<p>Competition closes 15 December 2026. T&amp;Cs apply.</p>",
    )
    routes["/competitions/golden-ticket-hunt"] = page(
        "competition",
        "Golden ticket hunt",
        "<h1>The golden ticket hunt</h1><p>Find the golden ticket hidden at one of our "
        "outside broadcasts this week and win a holiday for four. Clues are read on air every "
        "morning and posted on our social pages.</p><p>T&amp;Cs apply.</p>",
    )
    for day, own in (("28", stories[:2]), ("29", stories[2:])):
        routes[f"/archive/2026-11-{day}"] = page(
            "archive",
            f"{day} November 2026",
            f"<h1>All stories: {day} November 2026</h1>" + _teasers(own, "h2"),
        )
    routes["/live/player"] = page(
        "player", "Listen live", f"<div class='player'><p>{NOW_PLAYING.format(name=name)}</p></div>"
    )
    news = {s.path: s for s in stories}
    routes["/sitemaps/news.xml"] = _xml(_urlset(origin, list(news), news))
    routes["/sitemaps/site.xml"] = _xml(_urlset(origin, ["/", *others, "/about"]))
    return StationSite("custom", name, stories, others, routes)


# --- Global-style, no sitemap ---------------------------------------------------------------


def global_style(origin: str) -> StationSite:
    """A Global-style site found from its home page alone; a tune-in line after the body."""
    name = "Capital Coast"
    stories = [
        story(13, "/news/showbiz/dj-karabo-stadium-show/", "Holly Evans", 28, "Capital Breakfast",
              "Roman and Sian"),
        story(14, "/news/showbiz/ayanda-tides-tour-dates/", "Tom Ashby", 28, "Capital Breakfast",
              "Roman and Sian"),
        story(15, "/music/lerato-sky-new-single/", "Holly Evans", 29, "Capital Drive",
              "Jordan North"),
        story(16, "/music/mpho-dlamini-album/", "Tom Ashby", 29, "Capital Drive", "Jordan North"),
    ]  # fmt: skip
    others = {
        "/radio/shows/": "show-hub",
        "/radio/shows/capital-breakfast/": "show",
        "/radio/shows/capital-drive/": "show",
        "/win/summer-of-sound/": "competition",
        "/news/showbiz/": "category",
        "/player/capital-coast/": "player",
    }

    def page(title: str, main: str, head: str = "", kicker: str = ""):
        return _html(
            f'<!DOCTYPE html><html lang="en-GB"><head><title>{escape(title)} - {name}</title>'
            f'<meta property="og:site_name" content="{name}">{head}</head><body>'
            '<div class="site-header"><a class="logo" href="/">Capital Coast</a><ul '
            'class="nav"><li><a href="/news/showbiz/">Showbiz</a></li><li><a href="/radio/'
            'shows/">Shows</a></li><li><a href="/win/summer-of-sound/">Win</a></li><li><a '
            'href="/player/capital-coast/">Listen on Global Player</a></li></ul></div>'
            f'<div class="page-content">{kicker}{main}</div><div class="footer">Listen to '
            f"{name} on Global Player</div></body></html>"
        )

    routes = {
        "/robots.txt": _text("User-agent: *\nDisallow: /search/\n"),
        "/": page(
            name,
            "<h1>Capital Coast</h1>"
            + _teasers(stories)
            + '<div class="shows-rail"><a href="/radio/shows/capital-breakfast/">Capital '
            'Breakfast</a><a href="/radio/shows/capital-drive/">Capital Drive</a></div>',
        ),
    }
    for s in stories:
        ld = {
            "@context": "https://schema.org", "@type": "NewsArticle", "headline": s.title,
            "datePublished": s.published, "author": {"@type": "Person", "name": s.author},
            "publisher": {"@type": "Organization", "name": name},
        }  # fmt: skip
        body = "".join(f"<p>{escape(p)}</p>" for p in s.paragraphs)
        routes[s.path] = page(
            s.title,
            f'<article class="article"><h1 class="article__title">{escape(s.title)}</h1>'
            f'<div class="article__meta"><span class="author">By {escape(s.author)}</span>, '
            f'<time class="article__date" datetime="{s.published}">{_date_line(s.published)}'
            f'</time></div><div class="article__body">{body}</div><p class="tune-in">Listen '
            f"to {name} live on the {name} app, online and on 97.2 FM.</p></article>"
            f'<div class="trending"><h3>Trending on {name}</h3>{_teasers(stories[:2])}</div>',
            head=f'<meta property="og:type" content="article"><script type="application/ld+'
            f'json">{json.dumps(ld)}</script>',
            kicker='<span class="kicker">Exclusive</span>',
        )
    for path, show, presenter, slot in (
        ("/radio/shows/capital-breakfast/", "Capital Breakfast", "Roman and Sian", "6am - 10am"),
        ("/radio/shows/capital-drive/", "Capital Drive", "Jordan North", "4pm - 7pm"),
    ):
        routes[path] = page(
            show,
            f'<div class="show-page"><h1>{show} with {presenter}</h1><p class="show-times">'
            f"Weekdays {slot}</p><p>{presenter} bring you the biggest hits, the best guests and "
            "the games everybody is talking about, plus your chance to win every single day "
            "of the week.</p><h2>Latest</h2>" + _teasers(stories[:2]) + "</div>",
        )
    routes["/radio/shows/"] = page(
        "Shows",
        "<h1>Capital Coast shows</h1>"
        + "".join(
            f'<div class="show-card"><h3><a href="{p}">{t}</a></h3></div>'
            for p, t in (
                ("/radio/shows/capital-breakfast/", "Capital Breakfast"),
                ("/radio/shows/capital-drive/", "Capital Drive"),
            )
        ),
    )
    routes["/win/summer-of-sound/"] = page(
        "Win the Summer of Sound",
        '<div class="competition"><h1>Win tickets to every gig of the Summer of Sound</h1>'
        "<p>We are giving one listener tickets for two to every gig of the Summer of Sound "
        "season, with travel and hotels. To enter, answer the question and leave your details."
        "</p><form><input name='email'></form><p>Competition closes at midnight on 10 "
        "December 2026. Terms and conditions apply.</p></div>",
    )
    routes["/news/showbiz/"] = page(
        "Showbiz news", "<h1>Showbiz</h1>" + _teasers(stories[:2], "h2")
    )
    routes["/player/capital-coast/"] = page(
        "Listen live",
        f'<div class="player-strip"><p>{NOW_PLAYING.format(name=name)}</p><a href="/">'
        "Open Global Player</a></div>",
    )
    return StationSite("global", name, stories, others, routes)


# --- Drupal -----------------------------------------------------------------------------------

DRUPAL_ROBOTS = """#
# robots.txt
#
User-agent: *
# CSS, JS, Images
Allow: /core/*.css$
Allow: /core/*.js$
# Directories
Disallow: /core/
Disallow: /profiles/
# Paths (clean URLs)
Disallow: /admin/
Disallow: /comment/reply/
Disallow: /node/add/
Disallow: /search/
Disallow: /user/register
Disallow: /user/login
"""


def drupal(origin: str) -> StationSite:
    """Drupal: stock robots.txt, a sitemap at the conventional /sitemap.xml, an RSS feed."""
    name = "Valley 93.7"
    stories = [
        story(17, "/news/cape-static-homecoming", "Lindiwe Zungu", 28, "Valley Mornings",
              "Lindiwe Zungu"),
        story(18, "/news/zinhle-maseko-acoustic", "Marco Pretorius", 28, "Valley Mornings",
              "Lindiwe Zungu"),
        story(19, "/news/choir-summer-tour", "Lindiwe Zungu", 29, "Home Run", "Marco Pretorius"),
        story(20, "/news/thabo-mokoena-orchestra", "Marco Pretorius", 29, "Home Run",
              "Marco Pretorius"),
    ]  # fmt: skip
    others = {
        "/shows/valley-mornings": "show",
        "/shows/home-run": "show",
        "/competitions/school-makeover": "competition",
        "/events/valley-carols": "event",
        "/news/archive/2026-11-29": "day-archive",
        "/listen/hd-stream": "player",
    }

    def page(node_type: str, title: str, main: str, head: str = ""):
        return _html(
            f'<!DOCTYPE html><html lang="en" dir="ltr"><head><meta charset="utf-8"><title>'
            f"{escape(title)} | {name}</title>"
            f'<link rel="alternate" type="application/rss+xml" title="{name}" '
            f'href="{origin}/rss.xml">{head}</head><body class="path-node page-node-type-'
            f'{node_type}"><div class="dialog-off-canvas-main-canvas"><header role="banner">'
            '<nav role="navigation" class="menu--main"><ul class="menu"><li class="menu__item">'
            '<a href="/">Home</a></li><li class="menu__item"><a href="/shows/valley-mornings">'
            'Mornings</a></li><li class="menu__item"><a href="/competitions/school-makeover">'
            'Competitions</a></li><li class="menu__item"><a href="/events/valley-carols">Events'
            '</a></li><li class="menu__item"><a href="/listen/hd-stream">Listen</a></li></ul>'
            f'</nav></header><main role="main"><div class="region region-content">{main}'
            '</div></main><footer class="site-footer">Powered by Drupal</footer></div>'
            "</body></html>"
        )

    routes = {
        "/robots.txt": _text(DRUPAL_ROBOTS),
        "/": page("page", name, "<h1>Valley 93.7</h1>" + _teasers(stories)),
        "/rss.xml": _xml(_rss(origin, name, stories), "application/rss+xml; charset=utf-8"),
    }
    for number, s in enumerate(stories, 41):
        body = "".join(f"<p>{escape(p)}</p>" for p in s.paragraphs)
        routes[s.path] = page(
            "article",
            s.title,
            f'<article role="article" about="{s.path}" class="node node--type-article '
            f'node--view-mode-full"><h1 class="page-title"><span class="field field--name-'
            f'title">{escape(s.title)}</span></h1><div class="node__meta"><span class="node__'
            f'author">By <span class="field field--name-uid field--type-entity-reference '
            f'field--label-hidden"><a title="View user profile." href="/user/{number}" '
            f'typeof="schema:Person" property="schema:name" class="username">'
            f'{escape(s.author)}</a></span></span> <span class="node__date"><span class="'
            f'field field--name-created">{_date_line(s.published)}</span></span></div>'
            f'<div class="node__content"><div class="clearfix text-formatted field field--name-'
            f'body field--type-text-with-summary field--label-hidden field__item">{body}</div>'
            "</div></article>",
            head=f'<meta property="og:type" content="article"><meta property="article:'
            f'published_time" content="{s.published}">'
            f'<link rel="canonical" href="{origin}{s.path}">',
        )
    for path, show, presenter in (
        ("/shows/valley-mornings", "Valley Mornings", "Lindiwe Zungu"),
        ("/shows/home-run", "Home Run", "Marco Pretorius"),
    ):
        routes[path] = page(
            "show",
            show,
            f'<article class="node node--type-show"><h1 class="page-title">{show}</h1><div '
            f'class="field field--name-field-presenter">{presenter}</div><div class="field '
            f'field--name-body"><p>{presenter} is your companion through the valley, with '
            "music you love, local news that matters and the community noticeboard. The show "
            "has been on air since 2019 and loves hearing from listeners.</p></div></article>",
        )
    routes["/competitions/school-makeover"] = page(
        "competition",
        "School makeover",
        '<article class="node node--type-competition"><h1 class="page-title">Win a makeover '
        'for your school</h1><div class="field field--name-body"><p>Nominate a school in the '
        "valley that deserves a makeover: new paint, a library corner and sports kit for every "
        "team. Tell us in a hundred words why your school should win.</p><p>Entries close 1 "
        "December 2026. T&amp;Cs apply.</p></div><form class='webform-submission-form'>"
        "<textarea name='nomination'></textarea></form></article>",
    )
    routes["/events/valley-carols"] = page(
        "event",
        "Valley Carols",
        '<article class="node node--type-event"><h1 class="page-title">Valley Carols by '
        'Candlelight</h1><div class="field field--name-field-date">Sunday 20 December 2026, '
        '18:00</div><div class="field field--name-field-venue">Town Square</div><div class='
        '"field field--name-body"><p>Bring a blanket and a candle for an evening of carols '
        "with the Northern Lights Choir and the Valley 93.7 team. Entry is free and food "
        "stalls open at five.</p></div></article>",
    )
    routes["/news/archive/2026-11-29"] = page(
        "page",
        "News archive",
        "<h1>News: 29 November 2026</h1>" + _teasers(stories[2:], "h2"),
    )
    routes["/listen/hd-stream"] = page(
        "page", "Listen live", f'<div class="player"><p>{NOW_PLAYING.format(name=name)}</p></div>'
    )
    sitemap = ["/", *[s.path for s in stories], *others]
    routes["/sitemap.xml"] = _xml(_urlset(origin, sitemap))
    return StationSite("drupal", name, stories, others, routes)


BUILDERS: dict[str, Callable[[str], StationSite]] = {
    "wagtail": wagtail,
    "wordpress": wordpress,
    "custom": custom,
    "global": global_style,
    "drupal": drupal,
}


def build_site(style: str, origin: str) -> StationSite:
    """The site of one style, with absolute URLs on `origin` (scheme://host:port)."""
    return BUILDERS[style](origin)

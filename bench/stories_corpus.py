"""Build the labelled syndication corpus in fixtures-stories/ (pages and labels.json).

Each story (the twelve longest dated fixture articles, and six written for the corpus in
fixtures-stories/authored.json, in pairs that must stay apart) is carried by 3-5 sister stations
of one group, each copy the way group stations publish it: the group's page template, a station
intro paragraph, a promo paragraph, a trimmed (or cut to 60%) or an added paragraph, a lede
rewritten, a changed headline, its own publication time. The choices are seeded: the same
corpus every time.

    python bench/stories_corpus.py        # rewrites fixtures-stories/pages and labels.json
"""

from __future__ import annotations

import html
import json
import random
import re
import shutil
import sys
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.fixtures import all_fixtures
from pipelines.core.items import dumps

CORPUS = Path(__file__).resolve().parent.parent / "fixtures-stories"
FIXTURE_STORIES = 12
GROUPS = {
    "global": ["heart", "capital", "smooth", "magic", "greatest-hits"],
    "primedia": ["947", "kfm", "capetalk", "702"],
    "iheart": ["z100", "kiis", "power105", "wild949", "b96"],
}
HOSTS = {"DJ Sam", "Thando", "Roman", "Amanda", "Elvis", "Maya"}
INTROS = [
    "{station} Breakfast with {host}: this is the story everyone in the studio is talking about.",
    "Good morning! {host} here on {station}, and you will want to hear this one.",
    "If you missed it on air this morning, {host} brought you this story on {station}.",
]
PROMOS = [
    "Listen to {station} live on the free app, and never miss a moment of the music you love.",
    "Want more like this? Sign up for the {station} newsletter and get the week's biggest "
    "stories every Friday.",
    "Win tickets to every big show this summer: text WIN to 33123, only on {station}.",
]
ADDED = [
    "{station} has contacted representatives for further comment and will update this story.",
    "What do you think? Tell us on the {station} WhatsApp line, and you could hear yourself "
    "on air tomorrow morning.",
]
HEADLINES = ["WATCH: {title}", "{title} (and fans are loving it)", "{station} exclusive: {title}"]


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60]


def sources() -> list[dict]:
    """The stories: the longest dated fixture articles, and the written ones."""
    articles = sorted(
        (f for f in all_fixtures() if "not_article" not in f.expected and f.expected["published"]),
        key=lambda f: (-f.expected["word_count"], f.name),
    )
    stories = [
        {"key": f.name.replace("/", "-"), "title": f.expected["title"],
         "author": f.expected["author"], "published": f.expected["published"],
         "body": f.expected["body"], "hard_negative_of": None}
        for f in articles[:FIXTURE_STORIES]
    ]  # fmt: skip
    authored = json.loads((CORPUS / "authored.json").read_text(encoding="utf-8"))["stories"]
    return stories + authored


def page_html(group: str, station: str, url: str, title: str, author: str | None,
              published: str, paragraphs: list[str], related: list[str]) -> str:  # fmt: skip
    """A station's article page in its group's template: JSON-LD, chrome, promo boxes."""
    name = station.replace("-", " ").title()
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
          "datePublished": published, "mainEntityOfPage": url,
          "author": {"@type": "Person", "name": author} if author else None,
          "publisher": {"@type": "Organization", "name": name}}  # fmt: skip
    ps = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    aside = "".join(f'<li><a href="/news/{_slug(t)}/">{html.escape(t)}</a></li>' for t in related)
    byline = f"By {html.escape(author)}" if author else name
    head = (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">\n'
        f"<title>{html.escape(title)} | {name}</title>\n"
        f'<link rel="canonical" href="{url}">\n<meta property="og:type" content="article">\n'
        f'<meta property="og:title" content="{html.escape(title)}">\n'
        f'<meta property="og:site_name" content="{name}">\n'
        f'<script type="application/ld+json">{json.dumps(ld)}</script>\n</head>\n'
    )
    nav = (
        f'<nav><a href="/">{name}</a> <a href="/news/">News</a>'
        ' <a href="/listen/">Listen live</a></nav>'
    )
    time = f'<time datetime="{published}">{published[:10]}</time>'
    if group == "global":
        body = (
            f'<body><header class="site-header">{nav}</header>\n<main><article class="article">\n'
            f'<h1 class="article__title">{html.escape(title)}</h1>\n'
            f'<div class="article__meta">{byline}, {time}</div>\n'
            f'<div class="article__body">\n{ps}\n'
            f'<aside class="promo-box">Listen to {name} on Global Player</aside>\n</div>\n'
            f'</article>\n<aside class="trending"><h2>Trending on {name}</h2><ul>{aside}</ul>'
            "</aside></main>\n"
        )
    elif group == "primedia":
        body = (
            f'<body><div id="top">{nav}</div>\n<div class="content"><div class="story">\n'
            f'<h1>{html.escape(title)}</h1>\n<p class="author">{byline}</p>\n'
            f'<time datetime="{published}">{published[:16].replace("T", " ")}</time>\n'
            f'<div class="story-body">\n{ps}\n</div>\n'
            f'<div class="share">Share this story: Facebook, X, WhatsApp</div></div>\n'
            f'<div class="sidebar"><h3>Most read</h3><ol>{aside}</ol>'
            '<div class="ad">Advertisement</div></div></div>\n'
        )
    else:
        body = (
            f'<body><header>{nav}</header>\n<div class="component-content"><article>\n'
            f'<header class="content-header"><h1>{html.escape(title)}</h1>\n'
            f'<span class="author">{byline}</span> {time}</header>\n'
            f'<section class="content-body">\n{ps}\n</section>\n'
            f'<aside class="podcast-promo">Listen on the iHeartRadio app</aside>\n'
            f'</article>\n<section class="more-content"><h2>More from {name}</h2>'
            f"<ul>{aside}</ul></section></div>\n"
        )
    return head + body + f"<footer>© {name}. All rights reserved.</footer></body></html>\n"


def copies(story: dict, rng: random.Random, titles: list[str]) -> list[dict]:
    """The station copies of one story: the group's first chosen station carries the original."""
    group = rng.choice(sorted(GROUPS))
    stations = rng.sample(GROUPS[group], rng.randint(3, min(5, len(GROUPS[group]))))
    start = datetime.fromisoformat(story["published"])
    body = story["body"]
    made = []
    for n, station in enumerate(stations):
        name = station.replace("-", " ").title()
        host = rng.choice(sorted(HOSTS))
        kept = list(range(len(body)))
        extra: list[str] = []
        title = story["title"]
        if n:  # a syndicated copy: how group stations change it
            if rng.random() < 0.15 and len(kept) > 5:
                kept = kept[: round(len(kept) * 0.6)]  # cut hard: the first 60% only
            elif rng.random() < 0.4 and len(kept) > 4:
                kept = kept[: -rng.choice([1, 1, 2])]  # trimmed
            if rng.random() < 0.2:
                kept = kept[1:]  # the lede rewritten by the station
                extra.append(f"{name} can reveal: {title.rstrip('.')}.")
            if rng.random() < 0.5:
                extra.append(rng.choice(INTROS).format(station=name, host=host))
            if rng.random() < 0.25:
                extra.append(rng.choice(ADDED).format(station=name))
            if rng.random() < 0.6:
                extra.append(rng.choice(PROMOS).format(station=name))
            if rng.random() < 0.5:
                title = rng.choice(HEADLINES).format(title=title, station=name)
        paragraphs = [body[i] for i in kept]
        intro = [p for p in extra if p.startswith((*(i[:12] for i in INTROS), name))]
        rest = [p for p in extra if p not in intro]
        paragraphs = intro + paragraphs[:-1] + rest[:1] + paragraphs[-1:] + rest[1:]
        published = (start + timedelta(hours=3 * n + rng.randint(0, 2))).isoformat()
        date = published[:10]
        slug = _slug(story["title"])
        path = f"/content/{date}-{slug}/" if group == "iheart" else f"/news/{slug}/"
        url = f"https://www.{station}.example{path}"
        related = rng.sample([t for t in titles if t != story["title"]], 3)
        made.append({
            "file": f"pages/{story['key']}/{station}.html", "url": url, "station": station,
            "story": story["key"], "hard_negative_of": story.get("hard_negative_of"),
            "original": n == 0, "kept": kept, "extra_words": sum(len(p.split()) for p in extra),
            "html": page_html(group, station, url, title, story.get("author"), published,
                              paragraphs, related),
        })  # fmt: skip
    return made


def build() -> list[dict]:
    """Write the pages and labels.json; return the labels."""
    stories = sources()
    titles = [s["title"] for s in stories]
    rng = random.Random(17)
    pages = shutil.rmtree(CORPUS / "pages", ignore_errors=True) or []
    words = {s["key"]: [len(p.split()) for p in s["body"]] for s in stories}
    for story in stories:
        pages.extend(copies(story, rng, titles))
    for page in pages:
        target = CORPUS / page["file"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.pop("html"), encoding="utf-8")
    labels = {"paragraph_words": words, "pages": pages}
    (CORPUS / "labels.json").write_text(dumps(labels, indent=1) + "\n", encoding="utf-8")
    return pages


if __name__ == "__main__":
    built = build()
    print(f"{len(built)} pages of {len({p['story'] for p in built})} stories in {CORPUS}")

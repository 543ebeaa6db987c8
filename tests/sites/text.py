"""Story text for the test station sites: distinct, plausible entertainment-news paragraphs.

Deterministic: story N of a site always reads the same, and no two stories share a paragraph.
"""

from __future__ import annotations

from dataclasses import dataclass

ARTISTS = [
    ("Nomsa Khumalo", "Khumalo", "singer"),
    ("The Velvet Lanterns", "The band", "band"),
    ("DJ Karabo", "Karabo", "DJ"),
    ("Ayanda and the Tides", "Ayanda", "group"),
    ("Lerato Sky", "Sky", "singer"),
    ("Mpho Dlamini", "Dlamini", "rapper"),
    ("Cape Static", "The duo", "duo"),
    ("Zinhle Maseko", "Maseko", "songwriter"),
    ("The Northern Lights Choir", "The choir", "choir"),
    ("Thabo Mokoena", "Mokoena", "pianist"),
    ("Kea Ramaphosa", "Ramaphosa", "producer"),
    ("Sipho and the Saints", "Sipho", "band"),
]
EVENTS = [
    "a homecoming concert",
    "a surprise acoustic set",
    "a ten-city summer tour",
    "a one-off orchestral show",
    "a charity gig for local schools",
    "an album launch party",
]
VENUES = [
    ("the Union Theatre", "Durban"),
    ("Carnival Arena", "Johannesburg"),
    ("the Old Mill", "Cape Town"),
    ("Riverside Hall", "Gqeberha"),
    ("the Dome", "Pretoria"),
    ("Lakeside Amphitheatre", "Bloemfontein"),
]
ALBUMS = ["Salt Water", "Night Bus Home", "Paper Suns", "Golden Hour", "Low Tide", "Static"]
SUPPORT = [
    ("Lindiwe Shange", "opened for the band on its last tour"),
    ("The Quiet Hours", "won the regional talent search in May"),
    ("Bongani Zulu", "releases his debut single next week"),
]
MONTHS = ["December", "January", "February", "March"]
PARAGRAPHS = [
    "{artist} has announced {event} at {venue} in {city}, with tickets going on sale on "
    "Friday morning. The news was shared with listeners on {show}, where {host} asked the "
    "{role} about the last twelve months and what fans can expect from the night.",
    "\u201cWe have been working on these songs for a long time, and playing them in {city} "
    "first feels right,\u201d {short} said. \u201cThe crowd there carried us when nobody else "
    "knew our name, so this one is for them.\u201d",
    "The {number}-date run follows the release of {album}, which spent {weeks} weeks on the "
    "local charts and produced two singles that were played on radio stations across the "
    "country. Support on every night comes from {support}, who {support_fact}.",
    "Fans who miss out on tickets will not be left behind: the {city} show will be recorded "
    "for a live album, and {host} confirmed that {show} will play the first track from the "
    "recording before the end of {month}.",
    "{short} last played {venue} in {year}, when the show sold out in under an hour. "
    "Promoters say extra security and water points will be in place this time, after "
    "complaints about long queues at the entrance during the previous visit.",
]


@dataclass(frozen=True)
class Story:
    """One story of a test site: where it lives and what the stored record must say."""

    path: str
    title: str
    author: str
    published: str  # ISO 8601 with offset
    paragraphs: tuple[str, ...]


def story(n: int, path: str, author: str, day: int, show: str, host: str) -> Story:
    """Story number `n` of a site (n picks the artist, event and venue), published on `day`
    of November 2026."""
    artist, short, role = ARTISTS[n % len(ARTISTS)]
    event = EVENTS[n % len(EVENTS)]
    venue, city = VENUES[(n * 5 + 1) % len(VENUES)]
    support, support_fact = SUPPORT[n % len(SUPPORT)]
    values = {
        "artist": artist, "short": short, "role": role, "event": event, "venue": venue,
        "city": city, "show": show, "host": host, "number": 3 + n % 9,
        "album": ALBUMS[n % len(ALBUMS)], "weeks": 4 + n % 7, "support": support,
        "support_fact": support_fact, "month": MONTHS[n % len(MONTHS)], "year": 2019 + n % 5,
    }  # fmt: skip
    count = 3 + n % 3
    paragraphs = tuple(PARAGRAPHS[(n + i) % len(PARAGRAPHS)].format(**values) for i in range(count))
    title = f"{artist} announce {event} at {venue}"
    if n >= len(ARTISTS):
        title += f" ({city} edition)"
    return Story(path, title, author, f"2026-11-{day:02d}T08:{n % 60:02d}:00+02:00", paragraphs)

"""The store's schema, declared once: its tables, columns, indexes and views as ordered
migrations, rendered for SQLite and for PostgreSQL.

A column's type names what it holds (TEXT, INTEGER, REAL, JSON, BLOB, SERIAL, ID); each dialect
spells it: JSON is TEXT in SQLite and JSONB in PostgreSQL, where every text column also takes
the "C" collation so that sorting and comparisons match SQLite's byte order. The full-text
index, spelled differently by each, is a `Native` step (pipelines/store/search.py).

MIGRATIONS: index + 1 is the schema version a store records in `schema_version`. A migration
that has shipped is never edited (tests/store_migrations.json holds the statements as shipped);
to add a table, a column or an index, append one migration at the end, for example:

    # 6: what the frontier knows of each URL (crawler/frontier.py)
    (
        Table("url_state", (
            Column("url_key", TEXT, primary_key=True),
            Column("station", TEXT, not_null=True),
            Column("next_fetch", TEXT),
        )),
        Index("url_state_station", "url_state", ("station",)),
    ),

and append its statements, as `render(SQLITE)[-1]` and `render(POSTGRES)[-1]` give them, to
tests/store_migrations.json, so tests/test_store_schema.py upgrades stores from it too. A new
ArticleRecord field is such a migration: `AddColumn("articles", Column(name, type))` (a JSON
one also goes in JSON_FIELDS); the columns of migration 1 are the fields it shipped with.

Both stores apply a migration when they next open a store (SQLite: one transaction per
migration; PostgreSQL: all under an advisory lock, so concurrent workers migrate once).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.store.search import POSTGRES_SEARCH_MIGRATION, SQLITE_SEARCH_MIGRATION

TEXT, INTEGER, REAL, JSON, BLOB = "text", "integer", "real", "json", "blob"
SERIAL = "serial"  # an integer key numbered by the store (its own PRIMARY KEY)
ID = "id"  # a column that refers to a SERIAL one


@dataclass(frozen=True)
class Dialect:
    """How one backend spells the schema's column types."""

    name: str
    types: dict[str, str]

    def type(self, kind: str) -> str:
        """This dialect's column type for `kind` (TEXT, JSON, ...)."""
        return self.types[kind]


SQLITE = Dialect(
    "sqlite",
    {TEXT: "TEXT", INTEGER: "INTEGER", REAL: "REAL", JSON: "TEXT", BLOB: "BLOB",
     SERIAL: "INTEGER PRIMARY KEY AUTOINCREMENT", ID: "INTEGER"},
)  # fmt: skip
POSTGRES = Dialect(
    "postgres",
    {TEXT: 'TEXT COLLATE "C"', INTEGER: "INTEGER", REAL: "DOUBLE PRECISION", JSON: "JSONB",
     BLOB: "BYTEA", SERIAL: "BIGSERIAL PRIMARY KEY", ID: "BIGINT"},
)  # fmt: skip


@dataclass(frozen=True)
class Column:
    """One column: name, type (TEXT, JSON, ...), constraints, and the column it refers to
    (`references`: "table (column)")."""

    name: str
    type: str
    not_null: bool = False
    primary_key: bool = False
    references: str | None = None
    default: str | None = None  # an SQL literal: what rows that exist get when it is added

    def render(self, dialect: Dialect) -> str:
        """The column's definition in `dialect`."""
        return " ".join(
            part
            for part in (
                self.name,
                dialect.type(self.type),
                "NOT NULL" if self.not_null else "",
                f"DEFAULT {self.default}" if self.default is not None else "",
                "PRIMARY KEY" if self.primary_key else "",
                f"REFERENCES {self.references}" if self.references else "",
            )
            if part
        )


@dataclass(frozen=True)
class Table:
    """A table as created; `primary_key`: a key of several columns."""

    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()

    def statements(self, dialect: Dialect) -> tuple[str, ...]:
        """The CREATE TABLE statement in `dialect`."""
        lines = [column.render(dialect) for column in self.columns]
        if self.primary_key:
            lines.append(f"PRIMARY KEY ({', '.join(self.primary_key)})")
        return (f"CREATE TABLE {self.name} (\n    " + ",\n    ".join(lines) + "\n)",)


@dataclass(frozen=True)
class Index:
    """An index on some columns of a table."""

    name: str
    table: str
    columns: tuple[str, ...]

    def statements(self, dialect: Dialect) -> tuple[str, ...]:
        """The CREATE INDEX statement (the same in every dialect)."""
        return (f"CREATE INDEX {self.name} ON {self.table} ({', '.join(self.columns)})",)


@dataclass(frozen=True)
class AddColumn:
    """A column added to a table that exists."""

    table: str
    column: Column

    def statements(self, dialect: Dialect) -> tuple[str, ...]:
        """The ALTER TABLE statement in `dialect`."""
        return (f"ALTER TABLE {self.table} ADD COLUMN {self.column.render(dialect)}",)


@dataclass(frozen=True)
class View:
    """A view: its name and its SELECT (written in SQL both dialects read alike)."""

    name: str
    select: str

    def statements(self, dialect: Dialect) -> tuple[str, ...]:
        """The CREATE VIEW statement (the same in every dialect)."""
        return (f"CREATE VIEW {self.name} AS\n{self.select}",)


@dataclass(frozen=True)
class Native:
    """Statements each dialect spells its own way (the full-text index)."""

    sqlite: tuple[str, ...]
    postgres: tuple[str, ...]

    def statements(self, dialect: Dialect) -> tuple[str, ...]:
        """The statements of `dialect`."""
        return getattr(self, dialect.name)


Step = Table | Index | AddColumn | View | Native

# Record fields kept as JSON (a list or an object); word_count is a number, the rest text.
JSON_FIELDS = frozenset({"body", "headings", "image", "tags", "embeds", "clutter"})
_RECORD_TYPES = {"word_count": INTEGER, **dict.fromkeys(JSON_FIELDS, JSON)}
# The record's fields when migration 1 shipped (a later field is a later migration's column).
_RECORD_FIELDS_1 = (
    "url", "canonical_url", "station", "station_name", "section", "show", "title", "standfirst",
    "author", "published", "updated", "body", "image", "tags", "embeds", "language",
    "word_count", "content_hash", "fetched_at", "clutter",
)  # fmt: skip

# The earliest-published copy of a story first: its original (pipelines/store/stories.py).
_ORIGINAL_FIRST = "o.published_utc IS NULL, o.published_utc, o.url_key"
STORIES_VIEW = View(
    "stories",
    f"""SELECT story_id,
       (SELECT o.title FROM articles o WHERE o.story_id = a.story_id
        ORDER BY {_ORIGINAL_FIRST} LIMIT 1) AS headline,
       (SELECT o.canonical_url FROM articles o WHERE o.story_id = a.story_id
        ORDER BY {_ORIGINAL_FIRST} LIMIT 1) AS original_url,
       MIN(published_utc) AS first_published,
       COUNT(*) AS copies,
       COUNT(DISTINCT station) AS stations
FROM articles a WHERE story_id IS NOT NULL GROUP BY story_id""",
)

# Each stored article's last fetched page (pipelines/store/pages.py).
PAGES = Table(
    "pages",
    (
        Column("url_key", TEXT, primary_key=True, references="articles (url_key)"),
        Column("url", TEXT, not_null=True),
        Column("request_url", TEXT),
        Column("station", TEXT),
        Column("status", INTEGER, not_null=True),
        Column("headers", TEXT, not_null=True),
        Column("fetched_at", TEXT, not_null=True),
        Column("html", BLOB, not_null=True),
    ),
)

# Each station's learned chrome: the lines its stored stories repeat (pipelines/store/chrome.py).
CHROME = Table(
    "chrome",
    (
        Column("station", TEXT, not_null=True),
        Column("line_key", TEXT, not_null=True),  # the line folded (pipelines.clean.text.fold)
        Column("text", TEXT, not_null=True),
        Column("show", TEXT),  # the show whose line it is; NULL: the station's
        Column("pages", INTEGER, not_null=True),
        Column("stories", INTEGER, not_null=True),
        Column("position", TEXT, not_null=True),
        Column("first_seen", TEXT, not_null=True),
        Column("last_seen", TEXT, not_null=True),
        Column("example_url", TEXT, not_null=True),
        Column("learned_at", TEXT, not_null=True),
    ),
    primary_key=("station", "line_key"),
)

# Migration 10: story_bands (band, url_key) becomes band_articles (band, article), `article` the
# article's rowid (pipelines/store/stories.py), its rows copied.
_BAND_ARTICLES_COPY = (
    "INSERT INTO band_articles (band, article)"
    " SELECT b.band, a.rowid FROM story_bands b JOIN articles a ON a.url_key = b.url_key",
    "DROP TABLE story_bands",
    "CREATE INDEX band_articles_article ON band_articles (article)",
)
_BAND_ARTICLES_SQLITE = (
    "CREATE TABLE band_articles (band TEXT NOT NULL, article INTEGER NOT NULL,"
    " PRIMARY KEY (band, article)) WITHOUT ROWID",
    *_BAND_ARTICLES_COPY,
)
_BAND_ARTICLES_POSTGRES = (
    "ALTER TABLE articles ADD COLUMN rowid BIGSERIAL",
    "CREATE UNIQUE INDEX articles_rowid ON articles (rowid)",
    'CREATE TABLE band_articles (band TEXT COLLATE "C" NOT NULL, article BIGINT NOT NULL,'
    " PRIMARY KEY (band, article))",
    *_BAND_ARTICLES_COPY,
)

MIGRATIONS: list[tuple[Step, ...]] = [
    # 1: articles (latest version of each story), their versions, fetch state, runs
    (
        Table("articles", (
            Column("url_key", TEXT, primary_key=True),
            Column("version", INTEGER, not_null=True),
            *(Column(name, _RECORD_TYPES.get(name, TEXT)) for name in _RECORD_FIELDS_1),
            Column("published_utc", TEXT),
            Column("first_seen", TEXT, not_null=True),
            Column("last_seen", TEXT, not_null=True),
        )),
        Index("articles_station_published", "articles", ("station", "published_utc")),
        Index("articles_published", "articles", ("published_utc",)),
        Table("runs", (
            Column("id", SERIAL),
            Column("started_at", TEXT, not_null=True),
            Column("finished_at", TEXT),
            Column("finish_reason", TEXT),
        )),
        Table("article_versions", (
            Column("url_key", TEXT, not_null=True, references="articles (url_key)"),
            Column("version", INTEGER, not_null=True),
            Column("content_hash", TEXT, not_null=True),
            Column("fetched_at", TEXT),
            Column("run_id", ID, references="runs (id)"),
            Column("record", JSON, not_null=True),
        ), primary_key=("url_key", "version")),
        Table("fetch_state", (
            Column("url_key", TEXT, primary_key=True),
            Column("url", TEXT, not_null=True),
            Column("station", TEXT, not_null=True),
            Column("etag", TEXT),
            Column("last_modified", TEXT),
            Column("lastmod", TEXT),
            Column("content_hash", TEXT),
            Column("last_status", INTEGER, not_null=True),
            Column("fetched_at", TEXT, not_null=True),
        )),
        Index("fetch_state_station", "fetch_state", ("station",)),
        Table("run_stations", (
            Column("run_id", ID, not_null=True, references="runs (id)"),
            Column("station", TEXT, not_null=True),
            *(Column(name, INTEGER, not_null=True) for name in
              ("pages", "new", "updated", "unchanged", "errors", "records", "empty_bodies")),
            Column("median_words", REAL, not_null=True),
            Column("field_presence", JSON, not_null=True),
        ), primary_key=("run_id", "station")),
        Index("run_stations_station", "run_stations", ("station", "run_id")),
    ),
    # 2: full-text search; how a run ended, as the crawl report said
    (
        Native(sqlite=SQLITE_SEARCH_MIGRATION, postgres=POSTGRES_SEARCH_MIGRATION),
        AddColumn("runs", Column("status", TEXT)),  # success, partial, failure
        AddColumn("runs", Column("exit_code", INTEGER)),
        AddColumn("runs", Column("warnings", JSON)),  # {station: [warning, ...]}
    ),
    # 3: stories (pipelines/store/stories.py)
    (
        AddColumn("articles", Column("story_id", TEXT)),
        Index("articles_story", "articles", ("story_id",)),
        Table("story_bands", (
            Column("band", TEXT, not_null=True),
            Column("url_key", TEXT, not_null=True, references="articles (url_key)"),
        ), primary_key=("band", "url_key")),
        Index("story_bands_url_key", "story_bands", ("url_key",)),
        STORIES_VIEW,
    ),
    # 4: stored pages; why each version was written ('fetched', 'recleaned')
    (
        PAGES,
        AddColumn("article_versions", Column("reason", TEXT)),
    ),
    # 5: which body paragraphs are sub-headings (NULL: stored before the field existed)
    (
        AddColumn("articles", Column("headings", JSON)),
    ),
    # 6: what the frontier remembers of each URL (crawler/frontier.py): what it was (article,
    # page, discovery), where it redirected, its publication date, 404/410 answers in a row
    (
        AddColumn("fetch_state", Column("kind", TEXT, not_null=True, default="'article'")),
        AddColumn("fetch_state", Column("redirect_to", TEXT)),
        AddColumn("fetch_state", Column("published", TEXT)),
        AddColumn("fetch_state", Column("failures", INTEGER, not_null=True, default="0")),
    ),
    # 7: each station's learned chrome
    (CHROME,),
    # 8: each article's body shingles as numbers (pipelines/store/stories.py), so a candidate of
    # the story matcher is compared without reading and shingling its body
    (
        AddColumn("articles", Column("shingles", BLOB)),
    ),
    # 9: each article's story beside its key, so the story matcher reads its candidates'
    # stories from this index alone, not from their rows
    (
        Index("articles_key_story", "articles", ("url_key", "story_id")),
    ),
    # 10: the band index by article number (SQLite's rowid; a `rowid` column in PostgreSQL)
    # instead of by URL key, a sixth of its size: each batch of records dirties most of its
    # pages, so every commit wrote them all again
    (Native(sqlite=_BAND_ARTICLES_SQLITE, postgres=_BAND_ARTICLES_POSTGRES),),
]  # fmt: skip


def render(dialect: Dialect) -> list[tuple[str, ...]]:
    """Every migration's statements in `dialect`, in order (index + 1: the schema version)."""
    return [
        tuple(statement for step in migration for statement in step.statements(dialect))
        for migration in MIGRATIONS
    ]


# The table of applied migrations, created when missing (before any migration runs).
VERSION_TABLE = {
    dialect.name: "CREATE TABLE IF NOT EXISTS schema_version"
    f" (version INTEGER PRIMARY KEY, applied_at {dialect.type(TEXT)} NOT NULL)"
    for dialect in (SQLITE, POSTGRES)
}

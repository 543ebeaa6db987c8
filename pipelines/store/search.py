"""Full-text search over stored articles: the index each store keeps, and how a query runs.

SQLite: an FTS5 table `articles_fts` (title, standfirst, body as plain text; rowid = the
articles rowid) filled by triggers on `articles`, so every write that changes those columns
changes the index in the same transaction (a crash leaves both or neither). PostgreSQL: a
generated `search` tsvector column (title weight A, standfirst B, body C) with a GIN index,
in the text search configuration of the record's language (`simple` when unknown).
"""

from __future__ import annotations

SNIPPET_WORDS = 16
MARK_START, MARK_END = "[", "]"  # around the matched words in a snippet

# Plain text of the JSON array of paragraphs in an articles row (SQLite).
_SQLITE_BODY_TEXT = "(SELECT group_concat(value, char(10)) FROM json_each({row}.body))"
_SQLITE_INDEX_ROW = (
    "INSERT INTO articles_fts (rowid, title, standfirst, body)"
    f" VALUES (new.rowid, new.title, new.standfirst, {_SQLITE_BODY_TEXT.format(row='new')});"
)

# Schema migration of the SQLite store that adds the index (and fills it for existing rows).
SQLITE_SEARCH_MIGRATION: tuple[str, ...] = (
    "CREATE VIRTUAL TABLE articles_fts USING fts5("
    "title, standfirst, body, tokenize = 'porter unicode61 remove_diacritics 2')",
    f"""CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    {_SQLITE_INDEX_ROW}
END""",
    f"""CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, standfirst, body ON articles
BEGIN
    DELETE FROM articles_fts WHERE rowid = old.rowid;
    {_SQLITE_INDEX_ROW}
END""",
    """CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    DELETE FROM articles_fts WHERE rowid = old.rowid;
END""",
    "INSERT INTO articles_fts (rowid, title, standfirst, body) SELECT rowid, title, standfirst,"
    f" {_SQLITE_BODY_TEXT.format(row='articles')} FROM articles",
)


def sqlite_search(filters: str) -> str:
    """The SQLite search query, with `filters` (` AND ...` of search_filters) added; bm25
    weighs a match in the title 10, in the standfirst 4, in the body 1."""
    return f"""SELECT a.url, a.canonical_url, a.station, a.title, a.published,
    snippet(articles_fts, -1, '{MARK_START}', '{MARK_END}', '…', {SNIPPET_WORDS}) AS snippet,
    bm25(articles_fts, 10.0, 4.0, 1.0) AS rank
FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid
WHERE articles_fts MATCH ?{filters}
ORDER BY rank, a.published_utc DESC LIMIT ?"""


# The PostgreSQL text search configuration of each language code the records carry.
TS_CONFIGS = {
    "da": "danish", "de": "german", "en": "english", "es": "spanish", "fi": "finnish",
    "fr": "french", "hu": "hungarian", "it": "italian", "nb": "norwegian", "nl": "dutch",
    "nn": "norwegian", "no": "norwegian", "pt": "portuguese", "ro": "romanian",
    "ru": "russian", "sv": "swedish", "tr": "turkish",
}  # fmt: skip
_PG_CASES = " ".join(f"WHEN '{code}' THEN '{name}'" for code, name in TS_CONFIGS.items())
_PG_VECTOR = (
    "setweight(to_tsvector(radioscrape_ts_config(language), coalesce(title, '')), 'A')"
    " || setweight(to_tsvector(radioscrape_ts_config(language), coalesce(standfirst, '')), 'B')"
    " || setweight(jsonb_to_tsvector(radioscrape_ts_config(language),"
    " coalesce(body, '[]'::jsonb), '[\"string\"]'), 'C')"
)

# Schema migration of the PostgreSQL store that adds the index (computed for existing rows).
POSTGRES_SEARCH_MIGRATION: tuple[str, ...] = (
    # IMMUTABLE so that a generated column may use it: it maps codes to built-in configurations.
    f"""CREATE FUNCTION radioscrape_ts_config(language text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (CASE lower(split_part(replace(coalesce(language, ''), '_', '-'), '-', 1))
        {_PG_CASES} ELSE 'simple' END)::regconfig
$$""",
    f"ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS ({_PG_VECTOR}) STORED",
    "CREATE INDEX articles_search ON articles USING GIN (search)",
)

# One tsquery for every configuration an article may be indexed in, so the GIN index serves it.
_PG_QUERY = " || ".join(
    f"websearch_to_tsquery('{name}', words.text)"
    for name in ["simple", *sorted(set(TS_CONFIGS.values()))]
)


def postgres_search(filters: str) -> str:
    """The PostgreSQL search query, with `filters` (` AND ...` of search_filters) added;
    ts_rank weighs the title (A) above the standfirst (B) and the body (C)."""
    return f"""WITH words AS (SELECT %s::text AS text),
    q AS (SELECT {_PG_QUERY} AS query FROM words)
SELECT a.url, a.canonical_url, a.station, a.title, a.published,
    ts_headline(radioscrape_ts_config(a.language),
        concat_ws(' ', a.standfirst, (SELECT string_agg(p, ' ')
            FROM jsonb_array_elements_text(coalesce(a.body, '[]'::jsonb)) AS p)),
        q.query, 'StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS},
        MinWords=6, MaxFragments=2, FragmentDelimiter=" … "') AS snippet,
    -ts_rank(a.search, q.query) AS rank
FROM articles a, q
WHERE a.search @@ q.query{filters}
ORDER BY rank, a.published_utc DESC NULLS LAST LIMIT %s"""


def fts5_query(text: str) -> str:
    """A user's words as an FTS5 query: every word must occur (each quoted, so punctuation
    and FTS5 operators in the text are searched for, not obeyed)."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in text.split())

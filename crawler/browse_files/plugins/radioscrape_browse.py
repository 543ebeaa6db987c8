"""Datasette plugin of `radioscrape browse`: a from_json template filter for the article page,
and url_key cells of canned queries linked to that page."""

from __future__ import annotations

import json

from datasette import hookimpl
from datasette.utils import tilde_encode
from markupsafe import Markup, escape


@hookimpl
def prepare_jinja2_environment(env) -> None:
    """`{{ row["body"]|from_json }}`: a JSON text column as a value (None stays None)."""
    env.filters["from_json"] = lambda text: json.loads(text) if text else None


@hookimpl
def render_cell(value, column, table, database, datasette):
    """In a query's results, a url_key links to the article page."""
    if table is None and column == "url_key" and isinstance(value, str):
        href = datasette.urls.row(database, "articles", tilde_encode(value))
        return Markup(f'<a href="{escape(href)}">{escape(value)}</a>')
    return None

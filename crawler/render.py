"""Render a record for people and pipes: JSON, JSON lines, plain text or Markdown."""

from __future__ import annotations

import re
from typing import Any

from pipelines.core.items import dumps

# Characters Markdown would read as markup inside a line, and markup that only counts at the
# start of a line (a heading, a quote, a list item, a rule).
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_MD_LINE_START = re.compile(r"^(\s*)(?:([#>+=-])|(\d+)([.)]))(?=\s|$)")


def md_escape(text: str) -> str:
    """Text that Markdown shows as written: markup characters backslash-escaped."""
    inline = _MD_INLINE.sub(r"\\\1", text)
    return _MD_LINE_START.sub(
        lambda m: f"{m[1]}\\{m[2]}" if m[2] else f"{m[1]}{m[3]}\\{m[4]}", inline
    )


def _byline(record: dict[str, Any]) -> str:
    parts = [
        record.get("station_name") or record.get("station"),
        record.get("show") or record.get("section"),
    ]
    if record.get("author"):
        parts.append(f"by {record['author']}")
    if record.get("published"):
        parts.append(record["published"])
    return " · ".join(p for p in parts if p)


def render_record(record: dict[str, Any], fmt: str, batch: bool = False) -> str:
    """One record in `fmt` (json: indented alone, one line in a batch). In a batch, text and
    Markdown records start with a line naming their source, so they can be told apart."""
    if fmt == "jsonl" or (fmt == "json" and batch):
        return dumps(record)
    if fmt == "json":
        return dumps(record, indent=2)
    image = record.get("image") or {}
    source = record.get("source")
    if fmt == "markdown":
        lines = [f"<!-- source: {source} -->", ""] if batch and source else []
        lines += [f"# {md_escape(record['title'])}", ""]
        if record.get("standfirst"):
            lines += [f"*{md_escape(record['standfirst'])}*", ""]
        lines += [f"<small>{md_escape(_byline(record))}</small>", ""]
        if image.get("url"):
            alt = md_escape(image.get("caption") or record["title"])
            credit = f" ({md_escape(image['credit'])})" if image.get("credit") else ""
            lines += [f"![{alt}](<{image['url']}>){credit}", ""]
        headings = set(record.get("headings") or ())  # null: stored before the field existed
        for i, para in enumerate(record["body"]):
            lines += [f"## {md_escape(para)}" if i in headings else md_escape(para), ""]
        lines += [f"- {e['type']}: <{e['url']}>" for e in record.get("embeds", [])]
        lines += ["", f"Source: <{record['canonical_url']}>"]
        if batch:
            lines += ["", "---"]
        return "\n".join(lines).rstrip() + "\n"
    lines = [f"==> {source} <==", ""] if batch and source else []
    lines += [record["title"], _byline(record), ""]
    if record.get("standfirst"):
        lines += [record["standfirst"], ""]
    lines += [p + "\n" for p in record["body"]]
    return "\n".join(lines).rstrip() + "\n"

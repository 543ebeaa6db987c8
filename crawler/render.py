"""Render a record for people and pipes: JSON, JSON lines, plain text or Markdown."""

from __future__ import annotations

from typing import Any

from crawler.items import dumps


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
    """One record in `fmt` (json: indented alone, one line in a batch)."""
    if fmt == "jsonl" or (fmt == "json" and batch):
        return dumps(record)
    if fmt == "json":
        return dumps(record, indent=2)
    image = record.get("image") or {}
    if fmt == "markdown":
        lines = [f"# {record['title']}", ""]
        if record.get("standfirst"):
            lines += [f"*{record['standfirst']}*", ""]
        lines += [f"<small>{_byline(record)}</small>", ""]
        if image.get("url"):
            alt = image.get("caption") or record["title"]
            credit = f" ({image['credit']})" if image.get("credit") else ""
            lines += [f"![{alt}]({image['url']}){credit}", ""]
        for para in record["body"]:
            lines += [para, ""]
        lines += [f"- {e['type']}: <{e['url']}>" for e in record.get("embeds", [])]
        lines += ["", f"Source: <{record['canonical_url']}>"]
        return "\n".join(lines).rstrip() + "\n"
    lines = [record["title"], _byline(record), ""]
    if record.get("standfirst"):
        lines += [record["standfirst"], ""]
    lines += [p + "\n" for p in record["body"]]
    return "\n".join(lines).rstrip() + "\n"

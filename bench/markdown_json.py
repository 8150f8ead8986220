"""The JSON form of the project's Markdown reports (``--json`` of the commands that print one).

A report is a title (``# ...``), then sections under ``##`` / ``###`` headings holding
bullet lines, paragraphs and pipe tables; the JSON keeps that structure, with each table
as a list of rows keyed by its header, so a script reads the figures without parsing text.
"""

from __future__ import annotations

from typing import Any


def report_json(markdown: str) -> dict[str, Any]:
    """``{"title", "sections": [{"heading", "level", "items", "tables"}]}`` of a Markdown report."""
    title, sections = "", [{"heading": "", "level": 1, "items": [], "tables": []}]
    table: list[list[str]] = []

    def close_table() -> None:
        if table:
            header, rows = table[0], [r for r in table[1:] if not all(set(c) <= set("-: ") for c in r)]
            sections[-1]["tables"].append([dict(zip(header, row)) for row in rows])
            table.clear()

    for line in markdown.splitlines():
        text = line.strip()
        if text.startswith("|"):
            table.append([cell.strip() for cell in text.strip("|").split("|")])
            continue
        close_table()
        if text.startswith("# ") and not title:
            title = text[2:]
        elif text.startswith("#"):
            level = len(text) - len(text.lstrip("#"))
            sections.append({"heading": text[level:].strip(), "level": level, "items": [], "tables": []})
        elif text:
            sections[-1]["items"].append(text[2:] if text.startswith("- ") else text)
    close_table()
    return {"title": title, "sections": [s for s in sections if s["heading"] or s["items"] or s["tables"]]}

"""Text files that end in a line holding the sha256 of the lines above it (result logs, reports).

Each kind of file writes that line its own way (a JSON object in a log, an HTML comment in
a report); both hash and split the text here, so they agree on what "the lines above" are.
"""

from __future__ import annotations

import hashlib


def text_sha256(text: str) -> str:
    """sha256 (hex) of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def split_last_line(text: str) -> tuple[str, str]:
    """``(the lines above, the last line)`` of ``text``: the lines above end in a newline (or are empty), the last line
    has none."""
    body, _, last = text.rstrip("\n").rpartition("\n")
    return (body + "\n" if body else ""), last

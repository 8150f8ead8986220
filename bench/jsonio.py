"""Strict JSON reading: duplicate keys refused, size and nesting bounded, every error naming its source.

Python's ``json`` keeps the last of duplicate keys, recurses until ``RecursionError`` on
deep nesting and raises ``UnicodeDecodeError`` without a file name. :func:`loads_strict`
and :func:`read_json` turn each of those into one :class:`bench.errors.DataError` line (or
the subclass the caller names) that says which file or input it was and quotes at most a
short prefix of any value.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from bench.errors import DataError

MAX_DEPTH = 64  # deeper than any document of the project (a config is 6 levels deep)
MAX_BYTES = 256 * 2**20  # a manifest or a fitted MLP ensemble is a few MB; nothing reads more than this


def short(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to at most ``limit`` characters."""
    text = repr(value) if not isinstance(value, str) or len(value) <= limit else repr(value[:limit])
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(key)
        out[key] = value
    return out


class _Duplicate(ValueError):
    pass


def _depth(value: Any) -> int:
    """Nesting depth of a parsed document (iterative: a document json could parse is never too deep for this)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            stack += [(child, depth + 1) for child in (item.values() if isinstance(item, dict) else item)]
    return deepest


def loads_strict(
    text: str | bytes, source: str, error: type[DataError] | type[ValueError] = DataError, max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
) -> Any:
    """Parse ``text`` (from ``source``, named in every error) as JSON, refusing duplicate keys, more than
    ``max_bytes`` and nesting deeper than ``max_depth``; raises ``error``."""
    if len(text) > max_bytes:
        raise error(f"{source}: {len(text)} bytes, more than the {max_bytes} allowed")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as err:
            raise error(f"{source}: not UTF-8 text (byte {err.start}: {text[err.start:err.start + 1]!r})") from None
    try:
        document = json.loads(text, object_pairs_hook=_refuse_duplicates)
    except _Duplicate as err:
        raise error(f"{source}: duplicate key {short(err.args[0])} (JSON objects must not repeat a key)") from None
    except json.JSONDecodeError as err:
        raise error(f"{source}: not valid JSON ({err.msg} at line {err.lineno} column {err.colno})") from None
    except RecursionError:
        raise error(f"{source}: nested deeper than {max_depth} levels") from None
    if _depth(document) > max_depth:
        raise error(f"{source}: nested deeper than {max_depth} levels")
    return document


def read_json(path: str | Path, error: type[DataError] | type[ValueError] = DataError, max_bytes: int = MAX_BYTES) -> Any:
    """:func:`loads_strict` of the file ``path`` (a missing or unreadable file is ``error`` too)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise error(f"{path}: {size} bytes, more than the {max_bytes} allowed")
        raw = path.read_bytes()
    except OSError as err:
        raise error(f"{path}: cannot be read ({err.strerror or err})") from None
    return loads_strict(raw, str(path), error, max_bytes)


CHECKSUM = "checksum"  # key of a self-checksummed document: "sha256:" + the sha256 of the rest as canonical JSON


def with_checksum(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with its :data:`CHECKSUM` key set (written by the owner of a document others must not edit)."""
    rest = {k: v for k, v in document.items() if k != CHECKSUM}
    return {**rest, CHECKSUM: _checksum_of(rest)}


def checked(document: Any, source: str, error: type[DataError] | type[ValueError] = DataError) -> Any:
    """``document`` after its :data:`CHECKSUM` is verified (documents written before checksums have none).

    Raises:
        ``error``: naming ``source`` when the checksum does not match the document.
    """
    if isinstance(document, dict) and CHECKSUM in document:
        if document[CHECKSUM] != _checksum_of({k: v for k, v in document.items() if k != CHECKSUM}):
            raise error(f"{source}: its content does not match its checksum (edited by hand?): rebuild it with the command that wrote it")
    return document


def _checksum_of(document: dict[str, Any]) -> str:
    return "sha256:" + hashlib.sha256(json.dumps(document, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()

"""Atomic file writes: every file the project writes appears whole or not at all.

A writer gets a temporary path beside the target (same folder, so the rename is atomic),
and the target is replaced only when the writer returns without error; on error the
temporary file is removed and the previous version of the target stays as it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.errors import DataError

TEMP_SUFFIX = ".tmp"


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` (``.<name>.<random>.tmp``) to write to; renamed over ``path`` at the end of
    the block, removed if the block raises. The target's folder is created if needed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; returns ``path``."""
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return Path(path)


def inside(folder: str | Path, name: str) -> Path:
    """``folder / name``, refused (:class:`bench.errors.DataError`) unless it resolves inside ``folder``: names built
    from data (a job kind, a host slug, a column) must never write elsewhere."""
    base = Path(folder).resolve()
    path = (base / name).resolve()
    if path == base or base not in path.parents:
        raise DataError(f"refusing to write {name[:80]!r}: it resolves outside {folder}")
    return base / name


def is_temporary(path: Path) -> bool:
    """Whether ``path`` is an unfinished temporary file of :func:`atomic_path` (left by a killed writer)."""
    return path.name.startswith(".") and path.name.endswith(TEMP_SUFFIX)

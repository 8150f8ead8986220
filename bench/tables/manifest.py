"""The manifest of a task's committed tables, and verified loading.

A release is replaced file by file (every file through a temporary name and a rename), so
a reader could see the new data with the old manifest. :func:`release_lock` prevents that
on one host: :func:`load_table` reads the manifest and the file under a shared lock on
``<task>/.release.lock``, and an export writes under the exclusive one, so a reader sees
the old release or the new one, never a mix. A release folder the reader cannot write (an
installed data release) is never exported into, so it is read without a lock.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from bench.errors import DataError
from bench.files import is_temporary
from bench.jsonio import read_json

SCHEMA_VERSION = 1
MANIFEST = "manifest.json"
LOCK = ".release.lock"


class TableError(DataError):
    """A committed table or its manifest is missing, corrupt or from another schema."""


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def is_release_file(path: Path) -> bool:
    """Whether a file in a task folder belongs to the release (not a writer's temporary file, not the lock)."""
    return path.is_file() and path.name != LOCK and not is_temporary(path)


@contextlib.contextmanager
def release_lock(task_dir: Path, exclusive: bool = False) -> Iterator[None]:
    """Hold the release's lock: shared for readers, ``exclusive`` for the export that replaces it."""
    try:
        import fcntl
    except ImportError:  # no POSIX locks (Windows): readers rely on the checksums alone
        yield
        return
    try:
        handle = open(task_dir / LOCK, "a+b")
    except OSError:
        if exclusive:
            raise
        yield  # a folder this process cannot write: nobody exports into it from here
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_manifest(task_dir: Path) -> dict[str, Any]:
    """The parsed manifest of ``task_dir``; checks its schema version."""
    path = task_dir / MANIFEST
    if not path.is_file():
        where = "the tables folder does not exist" if not task_dir.parent.is_dir() else f"no tables of task {task_dir.name!r} there"
        raise TableError(
            f"no {MANIFEST} in {task_dir}: {where} (`mmnas tables path` says which folder is read and why; "
            "a sweep writes one with `mmnas tables export`)"
        )
    try:
        manifest = read_json(path, TableError)
        version = manifest["schema_version"]
        manifest["files"].items()
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as err:
        raise TableError(f"{path} is corrupt: {err!r}") from err
    if version != SCHEMA_VERSION:
        raise TableError(f"{path}: schema version {version}, this release reads {SCHEMA_VERSION}")
    return manifest


def verify_file(task_dir: Path, name: str, manifest: dict[str, Any]) -> Path:
    """Check a listed file's sha256 against the manifest; returns its path."""
    return _verified_bytes(task_dir, name, manifest)[0]


def _verified_bytes(task_dir: Path, name: str, manifest: dict[str, Any]) -> tuple[Path, bytes]:
    """A listed file's path and contents, read once and checked against the manifest's sha256."""
    entry = manifest["files"].get(name)
    if entry is None:
        raise TableError(f"{task_dir / MANIFEST} lists no file {name!r}")
    path = task_dir / name
    if not path.is_file():
        raise TableError(f"{path} is listed in the manifest but missing")
    raw = path.read_bytes()
    actual = hashlib.sha256(raw).hexdigest()
    if actual != entry["sha256"]:
        raise TableError(f"{path}: sha256 {actual[:12]}... does not match the manifest ({entry['sha256'][:12]}...): corrupt or edited")
    return path, raw


def load_table(task_dir: str | Path, name: str) -> pd.DataFrame:
    """A verified table, e.g. ``load_table("tables/soundmnist", "joint")``.

    Raises:
        TableError: missing or corrupt manifest, checksum mismatch, unreadable parquet.
    """
    task_dir = Path(task_dir)
    with release_lock(task_dir):  # a missing folder: no lock, and read_manifest says what is missing
        manifest = read_manifest(task_dir)
        path, raw = _verified_bytes(task_dir, f"{name}.parquet", manifest)
    try:
        frame = pd.read_parquet(io.BytesIO(raw))
    except Exception as err:  # pyarrow raises several types for a damaged file
        raise TableError(f"{path} is not a readable parquet file: {err}") from err
    expected = manifest["files"][f"{name}.parquet"].get("rows")
    if expected is not None and len(frame) != expected:
        raise TableError(f"{path}: {len(frame)} rows, the manifest says {expected}")
    return frame

"""The manifest of a task's committed tables, and verified loading."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd

from bench.errors import DataError

SCHEMA_VERSION = 1
MANIFEST = "manifest.json"


class TableError(DataError):
    """A committed table or its manifest is missing, corrupt or from another schema."""


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


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
        manifest = json.loads(path.read_text())
        version = manifest["schema_version"]
        manifest["files"].items()
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as err:
        raise TableError(f"{path} is corrupt: {err!r}") from err
    if version != SCHEMA_VERSION:
        raise TableError(f"{path}: schema version {version}, this release reads {SCHEMA_VERSION}")
    return manifest


def verify_file(task_dir: Path, name: str, manifest: dict[str, Any]) -> Path:
    """Check a listed file's sha256 against the manifest; returns its path."""
    entry = manifest["files"].get(name)
    if entry is None:
        raise TableError(f"{task_dir / MANIFEST} lists no file {name!r}")
    path = task_dir / name
    if not path.is_file():
        raise TableError(f"{path} is listed in the manifest but missing")
    actual = sha256_of(path)
    if actual != entry["sha256"]:
        raise TableError(f"{path}: sha256 {actual[:12]}... does not match the manifest ({entry['sha256'][:12]}...): corrupt or edited")
    return path


def load_table(task_dir: str | Path, name: str) -> pd.DataFrame:
    """A verified table, e.g. ``load_table("tables/soundmnist", "joint")``.

    Raises:
        TableError: missing or corrupt manifest, checksum mismatch, unreadable parquet.
    """
    task_dir = Path(task_dir)
    manifest = read_manifest(task_dir)
    path = verify_file(task_dir, f"{name}.parquet", manifest)
    try:
        frame = pd.read_parquet(path)
    except Exception as err:  # pyarrow raises several types for a damaged file
        raise TableError(f"{path} is not a readable parquet file: {err}") from err
    expected = manifest["files"][f"{name}.parquet"].get("rows")
    if expected is not None and len(frame) != expected:
        raise TableError(f"{path}: {len(frame)} rows, the manifest says {expected}")
    return frame

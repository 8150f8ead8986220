"""Readers of the raw data (MNIST IDX files, FSDD recordings), their checksums, and the
cache of prepared task arrays. The tasks built from them are in :mod:`bench.tasks`."""

from __future__ import annotations

import os
from pathlib import Path

from bench.data.arrays import MODALITIES, SPLITS, SplitArrays, TaskData, default_cache_dir
from bench.errors import DataError


def resolve_data_dir(data_dir: str | Path | None = None) -> Path:
    """The data directory: ``data_dir`` if given, else the ``MMNAS_DATA`` environment variable.

    Raises:
        DataError: when neither is set or the directory does not exist.
    """
    chosen = data_dir if data_dir is not None else os.environ.get("MMNAS_DATA")
    if not chosen:
        raise DataError("no data directory: pass --data-dir or set MMNAS_DATA (see scripts/fetch_data.py)")
    path = Path(chosen).expanduser()
    if not path.is_dir():
        raise DataError(f"data directory {path} does not exist")
    return path


__all__ = ["MODALITIES", "SPLITS", "SplitArrays", "TaskData", "default_cache_dir", "resolve_data_dir"]

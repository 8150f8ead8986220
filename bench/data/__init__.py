"""Task data sets: a registry of recipes that build verified, cached arrays.

Example:
    >>> from bench.data import load_task
    >>> data = load_task("soundmnist", data_dir="../shared/data")
    >>> len(data.train), len(data.val), len(data.test)
    (900, 150, 450)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from bench.data.arrays import SplitArrays, TaskData, default_cache_dir
from bench.data.soundmnist import PROTOCOL as SOUNDMNIST_PROTOCOL
from bench.data.soundmnist import build_soundmnist
from bench.errors import DataError, UnknownNameError

# name -> (recipe, sub-folders the data directory must hold, protocol settings)
TASKS: dict[str, tuple[Callable[[Path, Path], TaskData], tuple[str, ...], dict]] = {
    "soundmnist": (build_soundmnist, ("mnist", "fsdd"), SOUNDMNIST_PROTOCOL),
}


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


def load_task(name: str, data_dir: str | Path | None = None, cache_dir: str | Path | None = None) -> TaskData:
    """Verified train/val/test arrays of task ``name``.

    Args:
        name: a registered task ('soundmnist').
        data_dir: folder holding the task's raw data (default: ``MMNAS_DATA``).
        cache_dir: where prepared arrays are cached (default: ``MMNAS_CACHE`` or ~/.cache).

    Raises:
        UnknownNameError: unknown task.
        DataError: missing directory, missing or corrupt file.
    """
    if name not in TASKS:
        raise UnknownNameError(f"unknown task {name!r}, expected one of {sorted(TASKS)}")
    recipe, folders, _ = TASKS[name]
    root = resolve_data_dir(data_dir)
    for folder in folders:
        if not (root / folder).is_dir():
            raise DataError(f"data directory {root} has no {folder}/ folder (task {name!r} needs {list(folders)})")
    return recipe(root, Path(cache_dir) if cache_dir is not None else default_cache_dir())


def task_protocol(name: str) -> dict:
    """The protocol settings of task ``name`` (recorded in table manifests)."""
    if name not in TASKS:
        raise UnknownNameError(f"unknown task {name!r}, expected one of {sorted(TASKS)}")
    return TASKS[name][2]


__all__ = ["SplitArrays", "TaskData", "load_task", "resolve_data_dir", "task_protocol", "TASKS"]

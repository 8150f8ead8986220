"""Prepared task arrays and their on-disk cache keyed by input hashes."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.files import atomic_path

logger = logging.getLogger(__name__)

SPLITS = ("train", "val", "test")
MODALITIES = ("image", "audio")
"""The modalities of every task: the search space has one backbone per modality."""


@dataclass(frozen=True)
class SplitArrays:
    """One split: ``image (n, 1, 28, 28)``, ``audio (n, 1, 20, 20)`` float32, ``label (n,)`` int64."""

    image: np.ndarray
    audio: np.ndarray
    label: np.ndarray

    def __len__(self) -> int:
        return int(self.label.shape[0])


@dataclass(frozen=True)
class TaskData:
    """The three splits of a task plus the key (hash of inputs and protocol) they came from."""

    name: str
    train: SplitArrays
    val: SplitArrays
    test: SplitArrays
    key: str

    def split(self, name: str) -> SplitArrays:
        """The split called ``name`` ('train', 'val' or 'test')."""
        return {"train": self.train, "val": self.val, "test": self.test}[name]


def default_cache_dir() -> Path:
    """``MMNAS_CACHE`` if set, else ``$XDG_CACHE_HOME/mmnas-bench`` (``~/.cache/mmnas-bench``)."""
    if os.environ.get("MMNAS_CACHE"):
        return Path(os.environ["MMNAS_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "mmnas-bench"


def cache_key(task: str, input_hashes: dict[str, str], protocol: dict) -> str:
    """sha256 over the task name, every input file hash and the protocol settings."""
    text = json.dumps({"task": task, "inputs": input_hashes, "protocol": protocol}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def load_cached(cache_dir: Path, task: str, key: str) -> TaskData | None:
    """The cached arrays for ``key``, or None when absent or unreadable (then rebuilt)."""
    path = cache_dir / f"{task}-{key[:16]}.npz"
    if not path.is_file():
        return None
    try:
        with np.load(path) as z:
            if str(z["key"]) != key:
                return None
            splits = {s: SplitArrays(z[f"{s}_image"], z[f"{s}_audio"], z[f"{s}_label"]) for s in SPLITS}
    except (OSError, KeyError, ValueError) as err:
        logger.warning("ignoring unreadable cache %s (%s); rebuilding", path, err)
        return None
    return TaskData(name=task, key=key, **splits)


def save_cached(cache_dir: Path, data: TaskData) -> Path:
    """Write the arrays atomically (temp file, then rename) and return the path."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"{data.name}-{data.key[:16]}.npz"
    arrays = {f"{s}_{field}": getattr(data.split(s), field) for s in SPLITS for field in ("image", "audio", "label")}
    with atomic_path(path) as temporary, temporary.open("wb") as fh:
        np.savez(fh, key=np.array(data.key), **arrays)
    return path

"""Tasks: one recipe per task in one registry (DESIGN.md section 2b).

A :class:`Task` says everything the benchmark needs to know about a task: its
modalities and their input shapes, its number of classes, the builder of its verified
train / val / test arrays, the check of its raw data's checksums, the data folders it
reads, its protocol settings (recorded in the manifests) and the family of the
Harmonic-NAS look-up tables that price its backbones. A new task is one module that
builds a :class:`Task` and registers it, plus one line in :data:`BUILT_IN`; a project
outside this one registers its task in a module named by an entry point of the group
``mmnas.tasks`` (``name = "module"``), so that every process (sweep workers too) finds it.

Example:
    >>> from bench.tasks import get_task
    >>> data = get_task("soundmnist").load(data_dir="../shared/data")
    >>> len(data.train), len(data.val), len(data.test)
    (900, 150, 450)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from bench.data import MODALITIES, TaskData, default_cache_dir, resolve_data_dir
from bench.errors import DataError, UnknownNameError

DEFAULT_TASK = "soundmnist"
BUILT_IN = ("bench.tasks.soundmnist", "bench.tasks.avmnist")
"""Modules whose import registers a built-in task (each calls :func:`register_task` once)."""
ENTRY_POINT_GROUP = "mmnas.tasks"
CALIBRATION_PAIRS = 64  # batch-1 training pairs that calibrate an int8 model's activation ranges


@dataclass(frozen=True)
class Task:
    """The recipe of one task.

    Attributes:
        name: registry name, also the ``task`` field of its configs and its tables folder.
        build: ``(data_dir, cache_dir) -> TaskData``: verified, cached train / val / test arrays.
        verify: ``data_dir -> {input name: sha256}``: checks every raw input file, raising
            :class:`bench.errors.DataError` naming a missing or corrupt one.
        protocol: the task's protocol settings, recorded in the manifests.
        data_folders: sub-folders the data directory must hold.
        input_shapes: per modality, one sample's shape (channels, height, width).
        n_classes: number of classes (the models' heads have 10 outputs).
        lut_family: family of the Harmonic-NAS backbone look-up tables that price its
            backbones (``lut_ofa_<family>_<board>.json``); None when no table fits its shapes.
        fusion_schedule: the task's overrides of the fusion-training defaults
            (:class:`bench.train.fusion.FusionSettings`), recorded in every job spec.
    """

    name: str
    build: Callable[[Path, Path], TaskData]
    verify: Callable[[Path], dict[str, str]]
    protocol: Mapping[str, Any]
    data_folders: tuple[str, ...] = ()
    input_shapes: Mapping[str, tuple[int, ...]] = field(default_factory=lambda: {"image": (1, 28, 28), "audio": (1, 20, 20)})
    n_classes: int = 10
    lut_family: str | None = "mnist"
    fusion_schedule: Mapping[str, Any] = field(default_factory=dict)

    @property
    def modalities(self) -> tuple[str, ...]:
        """The modalities, in the order of the search space's backbones."""
        return tuple(m for m in MODALITIES if m in self.input_shapes)

    def input_shape(self, modality: str) -> tuple[int, ...]:
        """Shape of one sample of ``modality`` (without the batch axis)."""
        if modality not in self.input_shapes:
            raise UnknownNameError(f"task {self.name!r} has no modality {modality!r}, expected one of {list(self.modalities)}")
        return tuple(self.input_shapes[modality])

    def load(self, data_dir: str | Path | None = None, cache_dir: str | Path | None = None) -> TaskData:
        """Verified train / val / test arrays, from the cache when it holds them.

        Args:
            data_dir: folder holding the raw data (default: ``MMNAS_DATA``).
            cache_dir: where prepared arrays are cached (default: ``MMNAS_CACHE`` or ~/.cache).

        Raises:
            DataError: missing directory, missing folder, missing or corrupt file.
        """
        root = resolve_data_dir(data_dir)
        for folder in self.data_folders:
            if not (root / folder).is_dir():
                raise DataError(f"data directory {root} has no {folder}/ folder (task {self.name!r} needs {list(self.data_folders)})")
        return self.build(root, Path(cache_dir) if cache_dir is not None else default_cache_dir())

    def calibration_inputs(self, data_dir: str | Path | None, n: int = CALIBRATION_PAIRS) -> list[tuple[np.ndarray, np.ndarray]]:
        """The first ``n`` training pairs as batch-1 (image, audio) float32 arrays: int8 calibration data.

        Only the training split: validation and test never calibrate anything.
        """
        train = self.load(data_dir).split("train")
        return [(train.image[i : i + 1], train.audio[i : i + 1]) for i in range(min(n, len(train)))]


_TASKS: dict[str, Task] = {}
_loaded = False


def register_task(task: Task) -> Task:
    """Add ``task`` to the registry; returns it.

    Raises:
        ValueError: a task of that name is registered already, or its modalities are not
            the search space's (one backbone per modality: image and audio).
    """
    if task.name in _TASKS:
        raise ValueError(f"task {task.name!r} is registered twice")
    if set(task.input_shapes) != set(MODALITIES):
        raise ValueError(f"task {task.name!r}: modalities {sorted(task.input_shapes)}, the search space has {list(MODALITIES)}")
    _TASKS[task.name] = task
    return task


def _load_built_in() -> None:
    """Import the built-in tasks' modules and those of the ``mmnas.tasks`` entry points, once."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    for module in BUILT_IN:
        importlib.import_module(module)
    for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
        importlib.import_module(entry.value)


def get_task(name: str) -> Task:
    """The registered task called ``name``.

    Raises:
        UnknownNameError: no such task, listing the registered ones.
    """
    _load_built_in()
    if name not in _TASKS:
        raise UnknownNameError(f"unknown task {name!r}, expected one of {sorted(_TASKS)}")
    return _TASKS[name]


def task_names() -> list[str]:
    """Names of the registered tasks, sorted."""
    _load_built_in()
    return sorted(_TASKS)


def load_task(name: str, data_dir: str | Path | None = None, cache_dir: str | Path | None = None) -> TaskData:
    """``get_task(name).load(data_dir, cache_dir)``: the verified arrays of task ``name``."""
    return get_task(name).load(data_dir, cache_dir)


__all__ = ["BUILT_IN", "CALIBRATION_PAIRS", "DEFAULT_TASK", "ENTRY_POINT_GROUP", "Task", "get_task", "load_task", "register_task", "task_names"]

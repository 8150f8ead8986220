"""The learning curves of the joint table: values after any recorded epoch (the benchmark's fidelity axis)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.columns import CURVE_KEYS, CURVE_STEMS, fidelity_column
from bench.errors import UnknownNameError


def recorded_epochs(joint: pd.DataFrame, task: str) -> int:
    """Epochs every seed's curve records (raises :class:`UnknownNameError` for a table without curves)."""
    if "val_acc_curve_seeds" not in joint.columns:
        raise UnknownNameError(f"the {task} joint table has no learning curves, so it has no fidelities")
    return int(joint["val_acc_curve_seeds"].map(lambda seeds: min(len(c) for c in seeds)).min())


def curve_values(joint: pd.DataFrame, epoch: int, task: str) -> dict[str, np.ndarray]:
    """Per curve key, ``(rows, seeds)`` values after ``epoch`` of every seed's learning curve.

    Raises:
        UnknownNameError: a table without learning curves, or an epoch they do not record.
    """
    epochs = recorded_epochs(joint, task)
    if not isinstance(epoch, (int, np.integer)) or not 1 <= epoch <= epochs:
        raise UnknownNameError(f"fidelity {epoch!r}: the {task} learning curves record epochs 1 to {epochs}")
    return _at_epoch(joint, epoch)


def _at_epoch(joint: pd.DataFrame, epoch: int) -> dict[str, np.ndarray]:
    return {
        key: np.array([[curve[epoch - 1] for curve in seeds] for seeds in joint[f"{key}_curve_seeds"]], dtype=float)
        for key in CURVE_KEYS
    }


def with_fidelity_columns(joint: pd.DataFrame, task: str) -> pd.DataFrame:
    """``joint`` with the seed-mean validation / test accuracy and seconds after every recorded epoch
    (:func:`bench.columns.fidelity_column`), the targets of the fidelity surrogates; unchanged without curves."""
    if "val_acc_curve_seeds" not in joint.columns:
        return joint
    derived = {}
    for epoch in range(1, recorded_epochs(joint, task) + 1):
        for key, values in _at_epoch(joint, epoch).items():
            derived[fidelity_column(CURVE_STEMS[key], epoch)] = values.mean(axis=1)
    return joint.assign(**derived)

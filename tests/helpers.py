"""Builders of small synthetic tables shared by the tests."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from bench.space import encode_ordinal
from bench.tables.manifest import sha256_of

COMMITTED = Path(__file__).resolve().parents[1] / "tables" / "soundmnist"
"""The committed soundmnist release (its backbone tables are complete)."""


def write_tables(task_dir, frames):
    """Parquet tables plus a manifest with their sha256, as an export writes them."""
    task_dir.mkdir(parents=True)
    files = {}
    for name, frame in frames.items():
        frame.to_parquet(task_dir / f"{name}.parquet", index=False)
        files[f"{name}.parquet"] = {"sha256": sha256_of(task_dir / f"{name}.parquet"), "rows": len(frame)}
    (task_dir / "manifest.json").write_text(json.dumps({"schema_version": 1, "files": files}))


def write_release_tables(task_dir, joint: pd.DataFrame) -> None:
    """``joint`` plus the committed backbone and fusion parts tables, as an export writes them."""
    committed = {name: pd.read_parquet(COMMITTED / f"{name}.parquet") for name in ("backbones_image", "backbones_audio", "fusion_parts")}
    write_tables(task_dir, {"joint": joint, **committed})


@lru_cache(maxsize=1)
def _static_costs():
    from bench.tables.static_costs import StaticCosts

    return StaticCosts(COMMITTED, "soundmnist")


def synthetic_joint(configs) -> pd.DataFrame:
    """A joint table of ``configs``: accuracy and training seconds are simple functions of their
    encodings; static costs are the configs' real ones (:class:`StaticCosts` on the committed backbones)."""
    static = _static_costs().totals(configs)
    X = encode_ordinal(configs)
    depth = X[:, :2].sum(axis=1)
    acc = 90.0 + depth + 0.1 * (np.arange(len(configs)) % 7)
    return pd.DataFrame(
        {
            "config_id": [c.id for c in configs], "config_json": [c.to_json() for c in configs],
            "n_cells": [c.fusion.n_cells for c in configs],
            "val_acc": acc, "test_acc": acc - 1, "train_seconds": 10.0 + depth,
            "val_acc_seeds": [[a - 0.5, a + 0.5] for a in acc], "test_acc_seeds": [[a - 1.5, a - 0.5] for a in acc],
            "train_seconds_seeds": [[10.0 + d, 10.0 + d] for d in depth],
            **{f"total_{column}": values for column, values in static.items()},
        }
    )

"""The fitted surrogates of a release: one file per table column x model beside the tables.

``tables/<task>/surrogates/`` holds ``<column>.<format>.json`` for every learned target of
:func:`surrogates.quality.joint_targets` (the static costs ``Benchmark`` computes exactly
are not) and model, fitted on all rows of the joint table on the inputs its ``encoding``
names (:func:`bench.space.features.encode_for_surrogate`), and ``index.json`` listing them with their sha256 and the sha256 of the joint table they
were fitted on. :func:`load_fitted` checks both, so a corrupt file or a surrogate of
another table version is refused instead of silently answering.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench.errors import UnknownNameError
from bench.files import inside, write_text_atomic
from bench.jsonio import checked, read_json, with_checksum
from bench.progress import progress
from bench.space import parse_config
from bench.space.features import DEFAULT_ENCODING, ENCODINGS, encode_for_surrogate
from bench.tables.curves import with_fidelity_columns
from bench.tables.manifest import TableError, read_manifest, sha256_of
from surrogates.base import Surrogate, VersionMismatchError
from surrogates.quality import joint_targets

SURROGATES_DIR = "surrogates"
INDEX = "index.json"

def joint_sha256(task_dir: Path) -> str:
    """sha256 of the joint table in ``task_dir``'s manifest."""
    entry = read_manifest(task_dir)["files"].get("joint.parquet")
    if entry is None:
        raise TableError(f"{task_dir} has no joint table in its manifest")
    return entry["sha256"]


def fit_release(task_dir: Path, joint: pd.DataFrame, models: dict[str, Callable[[], Surrogate]]) -> Path:
    """Fit every learned target x model on all finite rows of ``joint`` (and, for a table with learning curves,
    accuracy and seconds after each recorded epoch: the fidelity surrogates); write the files and the index."""
    sha = joint_sha256(task_dir)
    joint = with_fidelity_columns(joint, task_dir.name)
    out = task_dir / SURROGATES_DIR
    X = encode_for_surrogate([parse_config(text) for text in joint["config_json"]], DEFAULT_ENCODING)
    entries: dict[str, dict[str, Any]] = {}
    for target in progress([t for t in joint_targets(joint.columns) if t.learned], desc="fit", unit="target"):
        y = joint[target.column].to_numpy(dtype=float)
        rows = np.isfinite(y)
        for make in models.values():
            model = make().fit(X[rows], y[rows])
            path = inside(out, f"{target.column}.{model.format_name}.json")
            model.save(path, table_sha256=sha)
            entries.setdefault(target.column, {})[model.format_name] = {
                "file": path.name, "sha256": sha256_of(path), "n_train": int(rows.sum()), "params": model.get_params(),
            }
    index = {"table_sha256": sha, "encoding": DEFAULT_ENCODING, "n_joint_rows": len(joint), "targets": entries}
    write_text_atomic(out / INDEX, json.dumps(with_checksum(index), indent=1) + "\n")
    written = {entry["file"] for by_model in entries.values() for entry in by_model.values()} | {INDEX}
    for stale in sorted(out.glob("*.json")):  # surrogates of an earlier release that this one no longer fits
        if stale.name not in written:
            stale.unlink()
    return out / INDEX


def read_index(task_dir: Path) -> dict[str, Any]:
    """The parsed index of the fitted surrogates, checked against the current joint table."""
    path = task_dir / SURROGATES_DIR / INDEX
    try:
        index = checked(read_json(path, TableError), str(path), TableError)
        index["targets"].items()
        if index["encoding"] not in ENCODINGS:
            raise KeyError(f"unknown encoding {index['encoding']!r}")
    except (TableError, KeyError, TypeError, AttributeError) as err:
        raise TableError(f"{path} is missing or corrupt ({err}): run mmnas surrogates fit") from err
    sha = joint_sha256(task_dir)
    if index.get("table_sha256") != sha:
        raise VersionMismatchError(
            f"the surrogates in {path.parent} were fitted on joint table {str(index.get('table_sha256'))[:12]}..., "
            f"the tables in use are {sha[:12]}...: refit them with mmnas surrogates fit"
        )
    return index


def load_fitted(task_dir: Path, column: str, model: str) -> Surrogate:
    """The fitted surrogate of ``column`` (a joint-table column) by ``model`` (a format name)."""
    from surrogates import load_surrogate

    index = read_index(task_dir)
    entry = index["targets"].get(column, {}).get(model)
    if entry is None:
        available = sorted({m for by_model in index["targets"].values() for m in by_model})
        raise UnknownNameError(f"no fitted {model!r} surrogate of {column!r} in {task_dir}; models: {available}")
    path = task_dir / SURROGATES_DIR / entry["file"]
    if not path.is_file() or sha256_of(path) != entry["sha256"]:
        raise TableError(f"surrogate file {path} is missing or does not match its sha256 in {INDEX}: corrupt or edited")
    return load_surrogate(path, index["table_sha256"])


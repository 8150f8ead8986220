"""Named benchmark problems ``task/device/objectives`` and their fixed constants.

A problem fixes, per release of the tables: objective directions, normalisation bounds
(min / max over the table rows), the hypervolume reference point in normalised
minimisation space (1.1 in every objective) and the exact Pareto front of the
table-restricted variant (search only among table rows). They are published in
``tables/<task>/problems.json`` by ``mmnas problems build`` and read back here; nothing
is recomputed silently at query time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench.benchmark import OBJECTIVES, objective_columns
from bench.errors import UnknownNameError
from bench.tables.columns import measured_hosts
from bench.tables.manifest import TableError, read_manifest

PROBLEMS_FILE = "problems.json"
REF_POINT = 1.1
# device -> objective sets published for it
_OBJECTIVE_SETS = {"lut": ("acc", "lat", "energy"), "model": ("acc", "energy"), "measured": ("acc", "lat")}


@dataclass(frozen=True)
class Problem:
    """One named problem with its fixed constants (all objectives minimised once normalised)."""

    name: str
    task: str
    device: str
    objectives: tuple[str, ...]
    directions: tuple[str, ...]
    bounds: tuple[tuple[float, float], ...]
    ref_point: tuple[float, ...]
    table_front: tuple[tuple[str, tuple[float, ...]], ...]  # (config id, raw objective values)

    def normalise(self, values: np.ndarray) -> np.ndarray:
        """Raw objective values ``(n, k)`` -> minimisation space, 0..1 over the table's range."""
        values = np.atleast_2d(np.asarray(values, dtype=float))
        lo, hi = np.array(self.bounds).T
        scaled = (values - lo) / np.where(hi > lo, hi - lo, 1.0)
        flip = np.array([d == "max" for d in self.directions])
        return np.where(flip, 1.0 - scaled, scaled)


def pareto_mask(points: np.ndarray) -> np.ndarray:
    """Non-dominated rows of ``points`` ``(n, k)`` (all objectives minimised); duplicates kept once."""
    points = np.asarray(points, dtype=float)
    keep = np.ones(len(points), dtype=bool)
    for i in range(len(points)):
        if not keep[i]:
            continue
        dominated = np.all(points[i] <= points, axis=1) & np.any(points[i] < points, axis=1)
        duplicate = np.all(points == points[i], axis=1) & (np.arange(len(points)) > i)
        keep &= ~(dominated | duplicate)
    return keep


def _problem_entry(joint: pd.DataFrame, task: str, device: str, objectives: tuple[str, ...]) -> dict[str, Any]:
    columns = objective_columns(device, "total_")
    raw = joint[[columns[o] for o in objectives]].to_numpy(dtype=float)
    ids = joint["config_id"].to_numpy()
    finite = np.isfinite(raw).all(axis=1)
    raw, ids = raw[finite], ids[finite]
    bounds = [(float(lo), float(hi)) for lo, hi in zip(raw.min(axis=0), raw.max(axis=0))]
    directions = [OBJECTIVES[o][0] for o in objectives]
    problem = Problem("", task, device, objectives, tuple(directions), tuple(bounds), (), ())
    mask = pareto_mask(problem.normalise(raw))
    order = np.argsort(raw[mask][:, 0])
    return {
        "task": task, "device": device, "objectives": list(objectives), "directions": directions,
        "bounds": bounds, "ref_point": [REF_POINT] * len(objectives), "n_table_rows": int(finite.sum()),
        "table_front": [[str(i), [float(v) for v in row]] for i, row in zip(ids[mask][order], raw[mask][order])],
    }


def build_problems(joint: pd.DataFrame, task: str) -> dict[str, Any]:
    """Every problem the joint table supports: LUT boards, the analytical model, measured hosts."""
    devices = ["lut:tx2", "lut:agx", "model:horowitz45"] + [f"measured:{h.replace('_', '-')}" for h in measured_hosts(joint.columns)]
    problems = {}
    for device in devices:
        objectives = _OBJECTIVE_SETS[device.split(":")[0]]
        problems[f"{task}/{device}/{'-'.join(objectives)}"] = _problem_entry(joint, task, device, objectives)
    return problems


def write_problems(task_dir: Path, joint: pd.DataFrame, task: str) -> Path:
    """Write ``problems.json`` for the current joint table; returns its path."""
    manifest = read_manifest(task_dir)
    doc = {
        "task": task,
        "joint_sha256": manifest["files"]["joint.parquet"]["sha256"],
        "problems": build_problems(joint, task),
    }
    path = task_dir / PROBLEMS_FILE
    path.write_text(json.dumps(doc, indent=1) + "\n")
    return path


def load_problem(name: str, tables_dir: str | Path = "tables") -> Problem:
    """The published problem called ``name`` (e.g. ``soundmnist/lut:tx2/acc-lat-energy``).

    Raises:
        UnknownNameError: no such problem.
        TableError: problems.json missing, corrupt, or from another joint table.
    """
    task = name.split("/", 1)[0]
    task_dir = Path(tables_dir) / task
    path = task_dir / PROBLEMS_FILE
    try:
        doc = json.loads(path.read_text())
        problems = doc["problems"]
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as err:
        raise TableError(f"{path} is missing or corrupt ({err!r}): run mmnas problems build") from err
    if doc.get("joint_sha256") != read_manifest(task_dir)["files"].get("joint.parquet", {}).get("sha256"):
        raise TableError(f"{path} was built for another joint table: rebuild it with mmnas problems build")
    if name not in problems:
        raise UnknownNameError(f"unknown problem {name!r}, expected one of {sorted(problems)}")
    entry = problems[name]
    return Problem(
        name=name,
        task=entry["task"],
        device=entry["device"],
        objectives=tuple(entry["objectives"]),
        directions=tuple(entry["directions"]),
        bounds=tuple(tuple(b) for b in entry["bounds"]),
        ref_point=tuple(entry["ref_point"]),
        table_front=tuple((i, tuple(v)) for i, v in entry["table_front"]),
    )

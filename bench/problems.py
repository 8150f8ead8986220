"""Named benchmark problems ``task/device/objectives`` and their fixed constants.

A problem fixes, per release of the tables: objective directions, normalisation bounds
(min / max over the table rows), the hypervolume reference point in normalised
minimisation space (1.1 in every objective) and two reference Pareto fronts, one per
variant:

* ``table``: search only among the table's rows, answered exactly from the table; the
  reference front is the exact front of those rows.
* ``full``: search the whole space, answered by the release's surrogates; the reference
  front is the best known one (a large surrogate-based search stored with the release,
  :mod:`bench.leaderboard.reference`).

They are published in ``tables/<task>/problems.json`` by ``mmnas problems build`` and
read back here; nothing is recomputed silently at query time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench.benchmark import OBJECTIVES, Benchmark, objective_columns
from bench.columns import PRECISION_COLUMNS
from bench.devices import devices_in
from bench.errors import UnknownNameError
from bench.files import write_text_atomic
from bench.jsonio import checked, read_json, with_checksum
from bench.locations import tables_root
from bench.space import FP32_ONLY, PRECISIONS, Config, parse_config
from bench.tables.curves import recorded_epochs
from bench.tables.manifest import TableError, read_manifest

PROBLEMS_FILE = "problems.json"
REF_POINT = 1.1
VARIANTS = ("table", "full")


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
    variant: str = "table"
    pool: tuple[Config, ...] = ()  # the configs a table-variant search may evaluate
    full_front: tuple[tuple[str, tuple[float, ...]], ...] = ()  # best known front of the full space
    precisions: tuple[str, ...] = FP32_ONLY  # what a component's precision may be (the table has values at each)
    epochs: int = 0  # epochs the learning curves record (the fidelity axis, 1 to epochs); 0: no curves

    @property
    def searches_precision(self) -> bool:
        """Whether searchers explore the precision tier (problems with a ``bytes`` objective and quantised rows)."""
        return len(self.precisions) > 1

    @property
    def label(self) -> str:
        """``name@variant``."""
        return f"{self.name}@{self.variant}"

    def reference_front(self) -> np.ndarray:
        """Raw objective values ``(m, k)`` of the variant's reference front."""
        front = self.table_front if self.variant == "table" else self.full_front
        return np.array([values for _, values in front], dtype=float).reshape(len(front), len(self.objectives))

    def benchmark(self, tables_dir: str | Path | None = None) -> Benchmark:
        """The benchmark that answers this problem: the table (table variant) or the surrogates (full)."""
        mode = "table" if self.variant == "table" else "surrogate"
        return Benchmark(self.task, self.device, self.objectives, mode=mode, tables_dir=tables_dir)

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


def _problem_entry(joint: pd.DataFrame, task: str, device: str, objectives: tuple[str, ...]) -> dict[str, Any] | None:
    """The entry of one problem, or None when it would search the precision tier without quantised rows to answer it."""
    columns = objective_columns(device)
    raw = joint[[columns[o] for o in objectives]].to_numpy(dtype=float)
    ids = joint["config_id"].to_numpy()
    finite = np.isfinite(raw).all(axis=1)
    precisions = FP32_ONLY
    if "bytes" in objectives:  # the precisions the table has values at, e.g. no int4 where a runtime has no int4 kernel
        present = set(joint.loc[finite, list(PRECISION_COLUMNS)].to_numpy().ravel()) if set(PRECISION_COLUMNS) <= set(joint) else set()
        precisions = tuple(p for p in PRECISIONS if p in present)
        if len(precisions) < 2:
            return None
    finite &= within_precisions(joint, precisions)
    raw, ids = raw[finite], ids[finite]
    bounds = [(float(lo), float(hi)) for lo, hi in zip(raw.min(axis=0), raw.max(axis=0))]
    directions = [OBJECTIVES[o][0] for o in objectives]
    problem = Problem("", task, device, objectives, tuple(directions), tuple(bounds), (), ())
    mask = pareto_mask(problem.normalise(raw))
    order = np.argsort(raw[mask][:, 0])
    return {
        "task": task, "device": device, "objectives": list(objectives), "directions": directions,
        "bounds": bounds, "ref_point": [REF_POINT] * len(objectives), "n_table_rows": int(finite.sum()), "precisions": list(precisions),
        "table_front": [[str(i), [float(v) for v in row]] for i, row in zip(ids[mask][order], raw[mask][order])],
        **({"epochs": recorded_epochs(joint, task)} if "val_acc_curve_seeds" in joint else {}),  # the fidelity axis
    }


def within_precisions(joint: pd.DataFrame, precisions: tuple[str, ...]) -> np.ndarray:
    """Rows of ``joint`` whose every component is at one of ``precisions`` (all rows of a table without precision columns)."""
    if not set(PRECISION_COLUMNS) <= set(joint.columns):
        return np.ones(len(joint), dtype=bool)
    return joint[list(PRECISION_COLUMNS)].isin(precisions).all(axis=1).to_numpy()


def build_problems(joint: pd.DataFrame, task: str) -> dict[str, Any]:
    """Every problem the joint table has the columns of: each device's objective sets (:mod:`bench.devices`; sets with
    ``bytes`` search the precision tier too)."""
    problems = {}
    for device in devices_in(joint.columns):
        columns = objective_columns(device.name)
        for objectives in device.kind.objective_sets:
            if any(columns[o] not in joint.columns for o in objectives):
                continue
            entry = _problem_entry(joint, task, device.name, objectives)
            if entry is not None:
                problems[f"{task}/{device.name}/{'-'.join(objectives)}"] = entry
    return problems


def problems_document(task_dir: Path, joint: pd.DataFrame, task: str) -> dict[str, Any]:
    """The ``problems.json`` document of the current joint table (table fronts only)."""
    manifest = read_manifest(task_dir)
    return {"task": task, "joint_sha256": manifest["files"]["joint.parquet"]["sha256"], "problems": build_problems(joint, task)}


def write_problems_document(task_dir: Path, doc: dict[str, Any]) -> Path:
    """Write ``problems.json`` atomically (an interrupted build leaves the previous one); returns its path."""
    return write_text_atomic(task_dir / PROBLEMS_FILE, json.dumps(with_checksum(doc), indent=1) + "\n")


def write_problems(task_dir: Path, joint: pd.DataFrame, task: str) -> Path:
    """Write ``problems.json`` with the table fronts of the current joint table; returns its path."""
    return write_problems_document(task_dir, problems_document(task_dir, joint, task))


def published_problems(task_dir: Path) -> dict[str, dict[str, Any]]:
    """Name -> ``problems.json`` entry of the problems published for ``task_dir``'s current joint table.

    Raises:
        TableError: problems.json missing, corrupt, or built for another joint table.
    """
    path = task_dir / PROBLEMS_FILE
    try:
        doc = checked(read_json(path, TableError), str(path), TableError)
        problems = doc["problems"]
        problems.items()
    except (TableError, KeyError, TypeError, AttributeError) as err:
        raise TableError(f"{path} is missing or corrupt ({err}): run mmnas problems build") from err
    if doc.get("joint_sha256") != read_manifest(task_dir)["files"].get("joint.parquet", {}).get("sha256"):
        raise TableError(f"{path} was built for another joint table: rebuild it with mmnas problems build")
    return problems


def problem_summary(name: str, entry: dict[str, Any]) -> dict[str, Any]:
    """What ``mmnas problems list`` says of one problem: variants, objectives with directions, device, sizes."""
    return {
        "name": name,
        "variants": [v for v in VARIANTS if v == "table" or entry.get("full_front")],
        "device": entry["device"],
        "objectives": dict(zip(entry["objectives"], entry["directions"])),
        "precisions": entry.get("precisions", list(FP32_ONLY)),
        "n_table_rows": entry["n_table_rows"],
        "table_front": len(entry["table_front"]),
        "full_front": len(entry.get("full_front", [])),
    }


def load_problem(name: str, tables_dir: str | Path | None = None, variant: str | None = None) -> Problem:
    """The published problem called ``name`` in a variant: ``name@variant`` (e.g.
    ``soundmnist/lut:tx2/acc-lat-energy@table``), or the bare name and ``variant``.

    The table variant carries its pool of configs.

    Raises:
        UnknownNameError: no such problem or variant.
        TableError: problems.json missing, corrupt, or from another joint table; the full
            variant without a published best-known front.
    """
    if "@" in name:
        name, variant = name.split("@", 1)
    if variant is None:
        raise UnknownNameError(f"problem {name!r} names no variant: say {name}@table (exact table answers) or {name}@full (surrogates)")
    if variant not in VARIANTS:
        raise UnknownNameError(f"unknown problem variant {variant!r}, expected one of {list(VARIANTS)}")
    task = name.split("/", 1)[0]
    task_dir = tables_root(tables_dir) / task
    problems = published_problems(task_dir)
    path = task_dir / PROBLEMS_FILE
    if name not in problems:
        raise UnknownNameError(f"unknown problem {name!r}, expected one of {sorted(problems)}")
    entry = problems[name]
    if variant == "full" and not entry.get("full_front"):
        raise TableError(f"{path} has no best-known front of {name}@full: run mmnas problems build with surrogates fitted")
    pool: tuple[Config, ...] = ()
    if variant == "table":
        from bench.tables.manifest import load_table

        joint = load_table(task_dir, "joint")
        columns = [objective_columns(entry["device"])[o] for o in entry["objectives"]]
        finite = np.isfinite(joint[columns].to_numpy(dtype=float)).all(axis=1)
        finite &= within_precisions(joint, tuple(entry.get("precisions", FP32_ONLY)))
        pool = tuple(parse_config(text) for text in joint["config_json"][finite])
    return problem_from_entry(name, entry, variant, pool)


def problem_from_entry(name: str, entry: dict[str, Any], variant: str, pool: tuple[Config, ...] = ()) -> Problem:
    """A :class:`Problem` from its ``problems.json`` entry."""
    return Problem(
        name=name,
        task=entry["task"],
        device=entry["device"],
        objectives=tuple(entry["objectives"]),
        directions=tuple(entry["directions"]),
        bounds=tuple(tuple(b) for b in entry["bounds"]),
        ref_point=tuple(entry["ref_point"]),
        table_front=tuple((i, tuple(v)) for i, v in entry["table_front"]),
        variant=variant,
        pool=pool,
        full_front=tuple((i, tuple(v)) for i, v in entry.get("full_front", [])),
        precisions=tuple(entry.get("precisions", FP32_ONLY)),
        epochs=int(entry.get("epochs", 0)),
    )

"""Anytime quality of a run: hypervolume, log hypervolume difference and IGD+ after each evaluation.

Every value is computed in the problem's fixed normalised space with its fixed
reference point and reference front, so runs of different searchers are comparable.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from bench.leaderboard.indicators import hypervolume, igd_plus, log_hv_difference
from bench.problems import Problem, pareto_mask


def reference_hypervolume(problem: Problem) -> float:
    """Hypervolume of the problem's reference front (its variant's)."""
    return hypervolume(problem.normalise(problem.reference_front()), problem.ref_point)


def trajectory(problem: Problem, records: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """One row per evaluation: ``n``, ``sim_seconds``, ``hv``, ``log_hv_diff``, ``igd_plus``, ``hv_fraction``."""
    reference = problem.normalise(problem.reference_front())
    reference_hv = hypervolume(reference, problem.ref_point)
    front = np.zeros((0, len(problem.objectives)))
    rows, hv, igd = [], 0.0, float("inf")
    for record in records:
        point = problem.normalise([record["objectives"]])
        if not np.isfinite(point).all():
            raise ValueError(f"evaluation {record['n']} has non-finite objectives {record['objectives']}")
        if not len(front) or not np.any(np.all(front <= point, axis=1)):  # the front changes
            front = np.vstack([front, point])
            front = front[pareto_mask(front)]
            hv, igd = hypervolume(front, problem.ref_point), igd_plus(front, reference)
        rows.append({
            "n": record["n"], "sim_seconds": record["sim_seconds"], "hv": hv,
            "hv_fraction": hv / reference_hv if reference_hv > 0 else float("nan"),
            "log_hv_diff": log_hv_difference(hv, reference_hv), "igd_plus": igd,
        })
    return pd.DataFrame(rows)

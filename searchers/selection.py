"""Non-dominated sorting and crowding distance (NSGA-II's survival order), minimisation."""

from __future__ import annotations

import numpy as np


def pareto_ranks(points: np.ndarray) -> np.ndarray:
    """Front index of every row of ``points`` ``(n, k)``; 0 is non-dominated."""
    import moocore

    points = np.asarray(points, dtype=float)
    return np.asarray(moocore.pareto_rank(points), dtype=int) if len(points) else np.zeros(0, dtype=int)


def crowding_distance(points: np.ndarray) -> np.ndarray:
    """NSGA-II crowding distance of the rows of one front ``(n, k)``; the extremes get ``inf``."""
    points = np.asarray(points, dtype=float)
    n = len(points)
    distance = np.zeros(n)
    if n <= 2:
        return np.full(n, np.inf)
    for column in points.T:
        order = np.argsort(column, kind="stable")
        span = column[order[-1]] - column[order[0]]
        distance[order[[0, -1]]] = np.inf
        if span > 0:
            distance[order[1:-1]] += (column[order[2:]] - column[order[:-2]]) / span
    return distance


def survival_order(points: np.ndarray) -> np.ndarray:
    """Row indices from best to worst: by front, then by decreasing crowding distance."""
    ranks = pareto_ranks(points)
    crowding = np.zeros(len(points))
    for rank in np.unique(ranks):
        members = np.flatnonzero(ranks == rank)
        crowding[members] = crowding_distance(points[members])
    return np.lexsort((-crowding, ranks))

"""Quality indicators of a set of objective vectors in a problem's normalised minimisation space.

Hypervolume and IGD+ come from moocore (exact algorithms); the inputs are the
normalised values of :meth:`bench.problems.Problem.normalise`, so every searcher is
scored with the problem's fixed bounds and reference point.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def hypervolume(points: np.ndarray, ref_point: Sequence[float]) -> float:
    """Volume dominated by ``points`` ``(n, k)`` and bounded by ``ref_point`` (minimisation)."""
    import moocore

    points = np.atleast_2d(np.asarray(points, dtype=float))
    ref = np.asarray(ref_point, dtype=float)
    inside = points[np.all(points < ref, axis=1)]
    return float(moocore.hypervolume(inside, ref=ref)) if len(inside) else 0.0


def igd_plus(points: np.ndarray, reference_front: np.ndarray) -> float:
    """IGD+ of ``points`` to ``reference_front`` (both ``(n, k)``, minimisation); 0 is best."""
    import moocore

    return float(moocore.igd_plus(np.atleast_2d(points), ref=np.atleast_2d(reference_front)))


def log_hv_difference(hv: float, reference_hv: float) -> float:
    """``log10(reference_hv - hv)``; ``-inf`` once the reference is reached."""
    gap = reference_hv - hv
    return float(np.log10(gap)) if gap > 0 else float("-inf")

from __future__ import annotations

import itertools

import numpy as np
import pytest

from bench.leaderboard.indicators import hypervolume, igd_plus, log_hv_difference


def _brute_force_hv(points: np.ndarray, ref: np.ndarray) -> float:
    """Exact HV by coordinate compression: add every grid cell some point dominates."""
    axes = [np.unique(np.concatenate([points[:, j], [ref[j]]])) for j in range(points.shape[1])]
    volume = 0.0
    for cell in itertools.product(*(range(len(a) - 1) for a in axes)):
        low = np.array([axes[j][i] for j, i in enumerate(cell)])
        high = np.array([axes[j][i + 1] for j, i in enumerate(cell)])
        if np.any(np.all(points <= low, axis=1)):
            volume += float(np.prod(high - low))
    return volume


@pytest.mark.parametrize(("n", "k", "seed"), [(5, 2, 0), (8, 2, 1), (6, 3, 2), (10, 3, 3)])
def test_hypervolume_matches_brute_force(n, k, seed):
    points = np.random.default_rng(seed).random((n, k))
    ref = np.full(k, 1.1)
    assert hypervolume(points, ref) == pytest.approx(_brute_force_hv(points, ref))


def test_hypervolume_by_hand_and_outside_points():
    assert hypervolume(np.array([[1, 2], [2, 1]]), [3, 3]) == pytest.approx(3.0)
    assert hypervolume(np.array([[1, 2], [4, 0]]), [3, 3]) == pytest.approx(2.0)  # (4, 0) lies beyond the reference
    assert hypervolume(np.array([[5, 5]]), [3, 3]) == 0.0


def test_igd_plus_and_log_difference():
    assert igd_plus(np.array([[1, 2], [2, 1]]), np.array([[1, 1]])) == pytest.approx(1.0)
    assert igd_plus(np.array([[0, 0]]), np.array([[1, 1], [0, 2]])) == 0.0
    assert log_hv_difference(0.9, 1.0) == pytest.approx(-1.0)
    assert log_hv_difference(1.0, 1.0) == float("-inf")

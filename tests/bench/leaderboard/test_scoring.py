"""Anytime scoring of a run, checked by hand (the indicators themselves: test_indicators)."""

from __future__ import annotations

import numpy as np
import pytest

from bench.leaderboard.scoring import trajectory
from bench.problems import Problem


def test_trajectory_is_monotone_and_reaches_the_reference():
    problem = Problem(
        name="toy", task="soundmnist", device="lut:tx2", objectives=("acc", "lat"), directions=("max", "min"),
        bounds=((90.0, 100.0), (0.0, 10.0)), ref_point=(1.1, 1.1),
        table_front=(("a", (100.0, 5.0)), ("b", (95.0, 2.0))),
    )
    records = [
        {"n": 1, "sim_seconds": 1.0, "objectives": [90.0, 9.0]},
        {"n": 2, "sim_seconds": 2.0, "objectives": [95.0, 2.0]},
        {"n": 3, "sim_seconds": 3.0, "objectives": [94.0, 3.0]},  # dominated: nothing changes
        {"n": 4, "sim_seconds": 4.0, "objectives": [100.0, 5.0]},
    ]
    frame = trajectory(problem, records)
    assert frame["hv"].is_monotonic_increasing and frame["igd_plus"].is_monotonic_decreasing
    assert frame["hv"][2] == frame["hv"][1]
    assert frame["hv_fraction"].iloc[-1] == pytest.approx(1.0) and frame["igd_plus"].iloc[-1] == 0.0
    assert frame["log_hv_diff"].iloc[-1] == -np.inf
    # by hand: after 2 evaluations (0.5, 0.2) in normalised space dominates (1, 0.9)
    assert frame["hv"][0] == pytest.approx(0.1 * 0.2) and frame["hv"][1] == pytest.approx(0.6 * 0.9)

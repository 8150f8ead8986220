"""The leaderboard report's statistics: evaluations to target over all seeds, Holm-corrected p values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bench.leaderboard.report import evaluations_to_targets, holm, min_attainable_p, summary


def _scores(fractions_by_seed: dict[int, list[float]], searcher: str = "s") -> pd.DataFrame:
    rows = [{"problem": "p", "searcher": searcher, "seed": seed, "n": n + 1, "hv": f, "hv_fraction": f, "log_hv_diff": -1.0,
             "igd_plus": 0.1} for seed, fractions in fractions_by_seed.items() for n, f in enumerate(fractions)]
    return pd.DataFrame(rows)


def test_evaluations_to_target_count_every_seed_and_stay_monotone():
    # seed 0 reaches 80 % at 1 (inside the shared initial design), the others never: a median over the one seed that
    # reached it would say 1; over all seeds, unreached counted at the budget (4), it is no time to target at all
    scores = _scores({0: [0.85, 0.85, 0.85, 0.85], 1: [0.1, 0.2, 0.3, 0.4], 2: [0.1, 0.2, 0.3, 0.4]})
    row = evaluations_to_targets(scores).iloc[0]
    assert np.isnan(row["evals_to_80pct"]) and row["seeds_reaching_80pct"] == "1/3"
    scores = _scores({0: [0.85, 0.95, 0.95, 0.95], 1: [0.5, 0.81, 0.91, 0.91], 2: [0.5, 0.6, 0.85, 0.85]})
    row = evaluations_to_targets(scores).iloc[0]
    assert (row["evals_to_80pct"], row["evals_to_90pct"]) == (2.0, 3.0)  # seeds at 1, 2, 3 and 2, 3, 4 (unreached)
    assert row["seeds_reaching_90pct"] == "2/3" and row["evals_to_80pct"] <= row["evals_to_90pct"]


def test_seconds_to_target_count_simulated_seconds():
    scores = _scores({0: [0.85, 0.95, 0.95], 1: [0.5, 0.81, 0.91]})
    scores["sim_seconds"] = scores["n"] * 10.0 + scores["seed"]  # seed 1 a second slower per evaluation
    row = evaluations_to_targets(scores, "sim_seconds").iloc[0]
    assert (row["seconds_to_80pct"], row["seconds_to_90pct"]) == (15.5, 25.5) and row["seeds_reaching_90pct"] == "2/2"


def test_holm_by_hand():
    assert holm([0.01, 0.04, 0.03, float("nan")])[:3] == pytest.approx([0.03, 0.06, 0.06])
    assert np.isnan(holm([0.01, float("nan")])[1]) and holm([0.5, 0.9]) == [1.0, 1.0]


def test_summary_corrects_across_the_searchers_of_one_budget():
    parts = [_scores({s: [0.1 + 0.01 * s, 0.2] for s in range(10)}, "random")]
    parts += [_scores({s: [0.1 + 0.01 * s, 0.3 + 0.01 * k] for s in range(10)}, f"better{k}") for k in range(3)]
    table = summary(pd.concat(parts, ignore_index=True), [2])
    better = table[table["searcher"] != "random"]
    assert np.allclose(better["wilcoxon_p_vs_random"], min_attainable_p(10))
    assert np.allclose(better["wilcoxon_p_holm"], 3 * min_attainable_p(10))
    assert min_attainable_p(10) == pytest.approx(0.001953125)

"""Benchmark-level validity: the same searchers, seeds and budget on the table and on cross-fitted surrogates."""

from __future__ import annotations

import numpy as np
import pytest

from bench.leaderboard.validity import FixedAnswers, cross_fitted_values, ranking_agreement, run_validity, validity_markdown
from bench.problems import load_problem
from tests.conftest import PROBLEM


def test_cross_fitted_accuracy_is_predicted_out_of_fold_and_costs_stay_exact(release):
    problem = load_problem(f"{PROBLEM}@table", release)
    values = cross_fitted_values(problem, release, n_folds=3)
    truth = {o.config_id: o.objectives for o in problem.benchmark(release).evaluate_many(list(problem.pool))}
    assert set(values) == set(truth)
    assert any(values[i]["acc"] != truth[i]["acc"] for i in truth)
    assert all(values[i]["lat"] == truth[i]["lat"] and values[i]["energy"] == truth[i]["energy"] for i in truth)
    answers = FixedAnswers(problem.benchmark(release), values, "cross-fitted:test")
    obs = answers.evaluate_many(list(problem.pool[:2]))
    assert obs[0].objectives == values[obs[0].config_id] and obs[0].provenance["acc"] == "cross-fitted:test"


def test_a_validity_run_compares_rankings_in_both_worlds(release):
    runs = run_validity(f"{PROBLEM}@table", ["random", "nsga2", "harmonic-nas"], seeds=2, budget=20, n_folds=3, workers=1, tables_dir=release)
    assert len(runs) == 12 and set(runs["world"]) == {"table", "cross-fitted"}
    table_random = runs[(runs.world == "table") & (runs.searcher == "random")]["anytime"].tolist()
    fitted_random = runs[(runs.world == "cross-fitted") & (runs.searcher == "random")]["anytime"].tolist()
    assert [len(c) for c in table_random] == [20, 20] and table_random != fitted_random  # same configs, other answers
    agreement = ranking_agreement(runs, [15, 20])
    assert np.isfinite(agreement["kendall_tau"]).all() and -1 <= agreement["kendall_tau"].min() <= agreement["kendall_tau"].max() <= 1
    text = validity_markdown(f"{PROBLEM}@table", runs, 3, release)
    assert "Kendall tau between the two worlds' searcher rankings at 20 evaluations" in text and "| harmonic-nas |" in text


def test_validity_needs_a_table_problem(release):
    with pytest.raises(ValueError, match="expected name@table"):
        run_validity(f"{PROBLEM}@full", ["random"], tables_dir=release)

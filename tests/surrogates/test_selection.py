"""Model choice on architecture-grouped folds, learning curves, and the MLP ensemble's calibrated intervals."""

from __future__ import annotations

import numpy as np
import pytest

from surrogates import MLPEnsemble, XGBoostQuantile
from surrogates.candidates import Candidate, report_candidates
from surrogates.selection import choose, cross_validate, grouped_folds, learning_curve


def test_grouped_folds_keep_each_group_in_one_test_fold_and_cover_every_row():
    groups = np.repeat(np.arange(30), 3)  # 30 architectures, 3 precision mixes each
    folds = grouped_folds(groups, 5, seed=1)
    tested = np.concatenate([test for _, test in folds])
    assert np.array_equal(np.sort(tested), np.arange(90))
    for train, test in folds:
        assert not set(groups[train]) & set(groups[test]) and len(set(groups[test])) == 6


class _Constant:
    """A model that ignores its inputs: its tau on any fold is undefined or 0, never better than a real fit."""

    def fit(self, X, y):
        self.value = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.value) + np.random.default_rng(0).normal(0, 1e-9, len(X))


def test_cross_validation_chooses_the_model_that_ranks_better():
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(200, 4))
    y = X[:, 0] * 3 + X[:, 1] + rng.normal(0, 0.05, 200)
    candidates = [Candidate("constant", _Constant, "ordinal"), Candidate("xgb", lambda: XGBoostQuantile(n_estimators=40), "ordinal")]
    scores = cross_validate({"ordinal": X}, y, np.arange(200) // 2, candidates, n_folds=4)
    assert len(scores) == 8 and choose(scores) == "xgb"
    assert scores[scores["model"] == "xgb"]["kendall_tau"].min() > 0.6


def test_learning_curve_rises_with_training_rows():
    rng = np.random.default_rng(1)
    X = rng.uniform(size=(600, 3))
    y = np.sin(6 * X[:, 0]) + X[:, 1] + rng.normal(0, 0.05, 600)
    curve = learning_curve(X, y, np.arange(500), np.arange(500, 600), Candidate("xgb", lambda: XGBoostQuantile(n_estimators=60)),
                           sizes=(20, 100))
    assert curve["n_train"].tolist() == [20, 100, 500]
    assert curve["kendall_tau"].iloc[-1] > curve["kendall_tau"].iloc[0] + 0.1


def test_the_report_scores_the_mlp_on_accuracy_only_and_the_ordinal_baseline_beside():
    by_name = {c.name: c for c in report_candidates(["xgboost-quantile", "mlp-ensemble"])}
    assert set(by_name) == {"xgboost-quantile", "mlp-ensemble", "xgboost-quantile/ordinal"}
    assert by_name["mlp-ensemble"].scores("val_acc") and not by_name["mlp-ensemble"].scores("train_seconds")
    assert by_name["xgboost-quantile"].scores("train_seconds") and by_name["xgboost-quantile/ordinal"].encoding == "ordinal"


def test_mlp_intervals_include_the_noise_the_members_agree_on():
    rng = np.random.default_rng(2)
    X = rng.uniform(size=(700, 5))
    y = X @ np.array([2.0, -1.0, 0.5, 0.0, 0.0]) + rng.normal(0, 0.3, 700)  # the noise no member can learn
    model = MLPEnsemble(n_members=4, hidden=32, epochs=40).fit(X[:500], y[:500])
    mean, std = model.predict(X[500:], return_std=True)
    covered = np.mean(np.abs(y[500:] - mean) <= std)
    assert 0.55 <= covered <= 0.85, covered
    assert model.residual_var_ == pytest.approx(0.09, rel=0.5)

"""Trees compiled to numpy arrays predict what XGBoost predicts, bit for bit (so answers depend neither on the batch
size nor on whether XGBoost is installed)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from surrogates import XGBoostEnsemble, XGBoostQuantile, load_surrogate
from surrogates.forest import TreeArrays
from surrogates.gp import ExactGP
from surrogates.xgb import SMALL_BATCH, JointPredictor


def _data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 7, size=(n, 6)).astype(float)
    return X, np.sin(X[:, 0]) * 10 + X[:, 1] * X[:, 2] + rng.standard_normal(n)


@pytest.mark.parametrize("model", [XGBoostQuantile(n_estimators=60, max_depth=4), XGBoostEnsemble(n_members=2, n_estimators=40)])
def test_compiled_trees_match_xgboost(model):
    X, y = _data(300, 0)
    model.fit(X, y)
    X_new, _ = _data(50, 1)
    for booster in model.members_:
        native = np.asarray(booster.inplace_predict(X_new), dtype=float).reshape(len(X_new), -1)
        compiled = TreeArrays.from_booster(booster).predict(X_new)
        assert compiled.shape == native.shape
        np.testing.assert_array_equal(compiled, native)


def test_small_and_large_batches_agree():
    X, y = _data(300, 0)
    model = XGBoostQuantile(n_estimators=60).fit(X, y)
    X_new, _ = _data(SMALL_BATCH * 3, 2)
    large_mean, large_std = model.predict(X_new, return_std=True)
    small = [model.predict(X_new[i : i + SMALL_BATCH], return_std=True) for i in range(0, len(X_new), SMALL_BATCH)]
    np.testing.assert_array_equal(np.concatenate([m for m, _ in small]), large_mean)
    np.testing.assert_array_equal(np.concatenate([s for _, s in small]), large_std)


def test_models_walked_together_predict_what_each_predicts_alone():
    X, y = _data(300, 0)
    models = {"quantile": XGBoostQuantile(n_estimators=60, max_depth=4).fit(X, y),
              "ensemble": XGBoostEnsemble(n_members=3, n_estimators=30).fit(X, -y),
              "gp": ExactGP().fit(X[:80], y[:80])}
    joint = JointPredictor(models)
    for n in (1, SMALL_BATCH, SMALL_BATCH + 1):  # one walk through all trees, then model by model
        X_new, _ = _data(n, 3)
        together = joint.predict(X_new, with_std=frozenset({"quantile", "ensemble"}))
        for name, model in models.items():
            expected = model.predict(X_new, return_std=name != "gp")
            np.testing.assert_array_equal(np.asarray(together[name]), np.asarray(expected), err_msg=f"{name} at {n} rows")


def test_a_loaded_surrogate_without_xgboost_predicts_the_same(tmp_path, monkeypatch):
    X, y = _data(300, 0)
    XGBoostQuantile(n_estimators=60).fit(X, y).save(tmp_path / "m.json", table_sha256="0" * 64)
    X_new, _ = _data(500, 3)
    with_xgboost = load_surrogate(tmp_path / "m.json", "0" * 64)
    monkeypatch.setitem(sys.modules, "xgboost", None)  # as if not installed
    without = load_surrogate(tmp_path / "m.json", "0" * 64)
    assert with_xgboost.members_ is not None and without.members_ is None
    np.testing.assert_array_equal(without.predict(X_new, return_std=True), with_xgboost.predict(X_new, return_std=True))

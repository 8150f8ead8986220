"""One contract for every registered surrogate."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from scipy.stats import kendalltau

from bench.errors import DataError
from surrogates import SURROGATES, NotFittedError, VersionMismatchError, load_surrogate


def _data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 3, size=(n, 5)).astype(float)
    return X, X @ np.array([3.0, -2.0, 1.0, 0.5, 0.0]) + 0.05 * rng.standard_normal(n)


def _make(name: str):
    cls = SURROGATES[name]
    if name == "xgboost-ensemble":
        return cls(n_members=3, n_estimators=100)
    return cls(n_estimators=100) if name == "xgboost-quantile" else cls()


@pytest.fixture(scope="module", params=sorted(SURROGATES))
def fitted(request):
    X, y = _data(80)
    model = _make(request.param)
    assert model.fit(X, y) is model
    return model


def test_learns_a_simple_function(fitted):
    X, y = _data(60, seed=1)
    mean, std = fitted.predict(X, return_std=True)
    assert kendalltau(mean, y).statistic > 0.85
    assert mean.shape == std.shape == (60,) and (std >= 0).all()
    assert np.array_equal(fitted.predict(X), mean)


def test_save_load_gives_identical_predictions(fitted, tmp_path):
    X, _ = _data(30, seed=2)
    fitted.save(tmp_path / "m.json", table_sha256="t1")
    again = load_surrogate(tmp_path / "m.json", "t1")
    assert type(again) is type(fitted)
    for a, b in zip(fitted.predict(X, return_std=True), again.predict(X, return_std=True)):
        assert np.array_equal(a, b)


def test_other_table_version_and_corrupt_files_are_refused(fitted, tmp_path):
    fitted.save(tmp_path / "m.json", table_sha256="t1")
    with pytest.raises(VersionMismatchError, match="fitted on table t1"):
        load_surrogate(tmp_path / "m.json", "t2")
    (tmp_path / "m.json").write_text('{"format": "xgboost-ensemble"')
    with pytest.raises(DataError, match="missing or corrupt"):
        load_surrogate(tmp_path / "m.json", None)
    (tmp_path / "m.json").write_text('{"format": "forest", "params": {}, "state": {}, "table_sha256": "t1"}')
    with pytest.raises(DataError, match="unknown format 'forest'"):
        load_surrogate(tmp_path / "m.json", "t1")


def test_wrong_feature_count_is_refused(fitted):
    with pytest.raises(ValueError, match="X has 4 features"):
        fitted.predict(np.zeros((2, 4)))


@pytest.mark.parametrize("name", sorted(SURROGATES))
def test_not_fitted(name, tmp_path):
    model = _make(name)
    with pytest.raises(NotFittedError, match="not fitted"):
        model.predict(np.zeros((1, 5)))
    with pytest.raises(AttributeError):
        model.save(tmp_path / "m.json", "t")
    with pytest.raises(ValueError, match="n >= 2"):
        model.fit(np.zeros((1, 5)), np.zeros(1))


@pytest.mark.parametrize("name", sorted(SURROGATES))
def test_same_random_state_same_model(name):
    X, y = _data(50)
    a, b = _make(name).fit(X, y), _make(name).fit(X, y)
    assert np.array_equal(a.predict(X), b.predict(X))


def test_gp_is_uncertain_away_from_its_data():
    X, y = _data(40)
    model = SURROGATES["exact-gp"]().fit(X, y)
    _, near = model.predict(X[:5], return_std=True)
    _, far = model.predict(X[:5] + 10.0, return_std=True)
    assert (far > near).all()


def test_gp_predictor_equals_botorch_posterior():
    import torch

    X, y = _data(60)
    model = SURROGATES["exact-gp"]().fit(X, y)
    query = np.vstack([X[:10], _data(30, seed=1)[0] + 0.5])
    mean, std = model.predict(query, return_std=True)
    with torch.no_grad():
        posterior = model.model_.posterior(torch.as_tensor(query, dtype=torch.float64))
    np.testing.assert_allclose(mean, posterior.mean.squeeze(-1).numpy(), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(std, posterior.variance.clamp_min(0).sqrt().squeeze(-1).numpy(), rtol=1e-7, atol=1e-9)



def test_gp_fit_stops_after_maxiter_lbfgs_iterations():
    import botorch.optim.core

    results = []

    def minimise(*args, **kwargs):
        results.append(real(*args, **kwargs))
        return results[-1]

    real = botorch.optim.core.minimize_with_timeout
    X, y = _data(40)
    with mock.patch.object(botorch.optim.core, "minimize_with_timeout", minimise):
        SURROGATES["exact-gp"](maxiter=3).fit(X, y)
        SURROGATES["exact-gp"](maxiter=200).fit(X, y)
    assert [r.nit for r in results][0] == 3 and results[1].nit > 3

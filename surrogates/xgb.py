"""XGBoost surrogates with a spread estimate.

* :class:`XGBoostEnsemble`: bagged boosted trees; the spread of the members is the std.
* :class:`XGBoostQuantile`: one booster predicting the 16 / 50 / 84 % quantiles; the
  median is the prediction and half the 16-84 % range the std (one booster call per
  query, so several times faster than the ensemble).

Batches of up to :data:`SMALL_BATCH` rows are predicted from the trees compiled to numpy
arrays (:mod:`surrogates.forest`), larger ones by XGBoost itself.
"""

from __future__ import annotations

import json
from abc import abstractmethod
from collections.abc import Mapping
from typing import Any

import numpy as np

from bench.extras import require
from surrogates.base import Surrogate
from surrogates.forest import TreeArrays

SMALL_BATCH = 8


class _XGBoostSurrogate(Surrogate):
    """Shared settings, input checks and JSON (de)serialisation of a list of boosters."""

    def __init__(
        self,
        n_estimators: int = 150,
        max_depth: int = 5,
        learning_rate: float = 0.1,
        subsample: float = 0.8,
        colsample_bytree: float = 0.8,
        random_state: int = 0,
    ) -> None:
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.learning_rate = learning_rate
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.random_state = random_state

    def _booster_params(self, seed: int) -> dict[str, Any]:
        return {
            "objective": "reg:squarederror", "max_depth": self.max_depth, "eta": self.learning_rate,
            "subsample": self.subsample, "colsample_bytree": self.colsample_bytree, "seed": seed, "nthread": 1,
            "tree_method": "hist",
        }

    @staticmethod
    def _check_fit(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
        if X.ndim != 2 or len(X) != len(y) or len(y) < 2:
            raise ValueError(f"fit needs X (n, d) and y (n,) with n >= 2, got {X.shape} and {y.shape}")
        return X, y

    def _state(self) -> dict[str, Any]:
        return {"n_features": self.n_features_, "members": self.documents_}

    def _restore(self, state: dict[str, Any]) -> None:
        """The trees as arrays, and as XGBoost boosters where XGBoost is installed (faster on large batches; the
        base install predicts from the arrays alone, with the same values)."""
        self.documents_, self.n_features_ = state["members"], state["n_features"]
        self.arrays_ = [TreeArrays.from_booster_json(doc) for doc in self.documents_]
        self.members_ = None
        try:
            import xgboost as xgb
        except ImportError:
            return
        self.members_ = []
        for doc in state["members"]:
            booster = xgb.Booster()
            booster.load_model(bytearray(json.dumps(doc).encode()))
            booster.set_param({"nthread": 1})
            self.members_.append(booster)

    def _fitted(self, members: list[Any], n_features: int) -> None:
        self.members_, self.n_features_ = members, n_features
        self.documents_ = [json.loads(bytes(m.save_raw("json"))) for m in members]
        self.arrays_ = [TreeArrays.from_booster_json(doc) for doc in self.documents_]

    @abstractmethod
    def _from_raw(self, raw: list[np.ndarray], return_std: bool) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """The prediction made of every member's raw outputs (:meth:`_raw`)."""

    def _raw(self, X: np.ndarray) -> list[np.ndarray]:
        """Raw outputs ``(n, n_outputs)`` of every member."""
        X = self._check_X(X)
        if len(X) <= SMALL_BATCH or self.members_ is None:
            return [arrays.predict(X) for arrays in self.arrays_]
        return [np.asarray(m.inplace_predict(X), dtype=float).reshape(len(X), -1) for m in self.members_]


class XGBoostEnsemble(_XGBoostSurrogate):
    """``n_members`` boosted tree models, each on a bootstrap sample with its own seed."""

    format_name = "xgboost-ensemble"

    def __init__(self, n_members: int = 5, **settings: Any) -> None:
        super().__init__(**settings)
        self.n_members = n_members

    def fit(self, X: np.ndarray, y: np.ndarray) -> XGBoostEnsemble:
        xgb = require("xgboost", "fitting an XGBoost surrogate")

        X, y = self._check_fit(X, y)
        rng = np.random.default_rng(self.random_state)
        members = []
        for member in range(self.n_members):
            rows = rng.integers(len(y), size=len(y)) if self.n_members > 1 else np.arange(len(y))
            data = xgb.DMatrix(X[rows], label=y[rows])
            members.append(xgb.train(self._booster_params(self.random_state + member), data, self.n_estimators))
        self._fitted(members, X.shape[1])
        return self

    def predict(self, X: np.ndarray, return_std: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        self._check_fitted()
        return self._from_raw(self._raw(X), return_std)

    def _from_raw(self, raw: list[np.ndarray], return_std: bool) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        preds = np.stack([member[:, 0] for member in raw])
        mean = preds.mean(axis=0)
        return (mean, preds.std(axis=0, ddof=1) if self.n_members > 1 else np.zeros_like(mean)) if return_std else mean


class XGBoostQuantile(_XGBoostSurrogate):
    """One booster fitted to the 16 / 50 / 84 % quantiles (pinball loss)."""

    format_name = "xgboost-quantile"
    QUANTILES = (0.16, 0.5, 0.84)

    def _booster_params(self, seed: int) -> dict[str, Any]:
        return {**super()._booster_params(seed), "objective": "reg:quantileerror", "quantile_alpha": list(self.QUANTILES)}

    def fit(self, X: np.ndarray, y: np.ndarray) -> XGBoostQuantile:
        xgb = require("xgboost", "fitting an XGBoost surrogate")

        X, y = self._check_fit(X, y)
        self._fitted([xgb.train(self._booster_params(self.random_state), xgb.DMatrix(X, label=y), self.n_estimators)], X.shape[1])
        return self

    def predict(self, X: np.ndarray, return_std: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        self._check_fitted()
        return self._from_raw(self._raw(X), return_std)

    def _from_raw(self, raw: list[np.ndarray], return_std: bool) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        low, median, high = raw[0].T
        return (median, np.maximum(high - low, 0.0) / 2) if return_std else median


class JointPredictor:
    """Several fitted surrogates queried on the same rows (the objectives of one benchmark query).

    A small batch (at most :data:`SMALL_BATCH` rows) walks the trees of all the XGBoost surrogates in one pass
    (:meth:`surrogates.forest.TreeArrays.concatenate`), so a single query pays the walk's per-call cost once, not once
    per objective; the predictions equal each model's own. Larger batches and other surrogates are predicted model by
    model.
    """

    def __init__(self, models: Mapping[str, Surrogate]) -> None:
        self.models = dict(models)
        self._trees = {name: m for name, m in self.models.items() if isinstance(m, _XGBoostSurrogate)}
        together = len(self._trees) > 1 and len({m.n_features_ for m in self._trees.values()}) == 1  # fitted on the same inputs
        self._walk = TreeArrays.concatenate([a for m in self._trees.values() for a in m.arrays_]) if together else None

    def predict(self, X: np.ndarray, with_std: frozenset[str] = frozenset()) -> dict[str, np.ndarray | tuple[np.ndarray, np.ndarray]]:
        """Each model's predictive mean of ``X`` (and standard deviation, for the models named in ``with_std``)."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        if self._walk is None or len(X) > SMALL_BATCH:
            return {name: model.predict(X, return_std=name in with_std) for name, model in self.models.items()}
        out = {name: model.predict(X, return_std=name in with_std) for name, model in self.models.items() if name not in self._trees}
        raw, start = self._walk.predict(next(iter(self._trees.values()))._check_X(X)), 0
        for name, model in self._trees.items():
            members = []
            for arrays in model.arrays_:
                members.append(raw[:, start : start + arrays.n_outputs])
                start += arrays.n_outputs
            out[name] = model._from_raw(members, name in with_std)
        return out

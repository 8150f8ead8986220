"""Exact Gaussian-process surrogate (BoTorch ``SingleTaskGP``, double precision).

Inputs are normalised to the unit cube and targets standardised inside the model;
hyper-parameters are fitted by maximising the exact marginal likelihood. The saved form
is the training data plus the fitted hyper-parameters, so loading needs no refit and
gives identical predictions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from surrogates.base import Surrogate

PREDICT_CHUNK = 512


class ExactGP(Surrogate):
    """Exact GP regression.

    Args:
        max_train: the most training points kept (an exact GP costs O(n^3)); a seeded
            random subset is used above it.
        random_state: seed of that subset.
    """

    format_name = "exact-gp"

    def __init__(self, max_train: int = 2000, random_state: int = 0) -> None:
        self.max_train = max_train
        self.random_state = random_state

    def _model(self, X: np.ndarray, y: np.ndarray):
        import torch
        from botorch.models import SingleTaskGP
        from botorch.models.transforms import Normalize, Standardize

        train_X = torch.tensor(X, dtype=torch.float64)
        train_Y = torch.tensor(y, dtype=torch.float64).unsqueeze(-1)
        bounds = torch.stack([train_X.min(0).values, train_X.max(0).values])
        bounds[1] = torch.where(bounds[1] > bounds[0], bounds[1], bounds[0] + 1.0)  # constant columns
        return SingleTaskGP(
            train_X, train_Y, input_transform=Normalize(X.shape[1], bounds=bounds), outcome_transform=Standardize(m=1)
        )

    def fit(self, X: np.ndarray, y: np.ndarray) -> ExactGP:
        from botorch.fit import fit_gpytorch_mll
        from gpytorch.mlls import ExactMarginalLogLikelihood

        X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
        if X.ndim != 2 or len(X) != len(y) or len(y) < 2:
            raise ValueError(f"fit needs X (n, d) and y (n,) with n >= 2, got {X.shape} and {y.shape}")
        if len(y) > self.max_train:
            rows = np.sort(np.random.default_rng(self.random_state).choice(len(y), self.max_train, replace=False))
            X, y = X[rows], y[rows]
        self.model_ = self._model(X, y)
        fit_gpytorch_mll(ExactMarginalLogLikelihood(self.model_.likelihood, self.model_))
        self.train_X_, self.train_y_ = X, y
        # Rebuild from the saved form, so a loaded copy predicts bit for bit the same.
        self._restore(self._state())
        return self

    def predict(self, X: np.ndarray, return_std: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        import torch

        self._check_fitted()
        X = torch.as_tensor(self._check_X(X), dtype=torch.float64)
        means, stds = [], []
        with torch.no_grad():
            for chunk in torch.split(X, PREDICT_CHUNK):  # bounded memory: the posterior of n rows is O(n * n_train)
                posterior = self.model_.posterior(chunk)
                means.append(posterior.mean.squeeze(-1).numpy())
                stds.append(posterior.variance.clamp_min(0).sqrt().squeeze(-1).numpy())
        mean, std = np.concatenate(means), np.concatenate(stds)
        return (mean, std) if return_std else mean

    def _state(self) -> dict[str, Any]:
        return {
            "train_X": self.train_X_.tolist(),
            "train_y": self.train_y_.tolist(),
            "hyperparameters": {k: v.tolist() for k, v in self.model_.state_dict().items()},
        }

    def _restore(self, state: dict[str, Any]) -> None:
        import torch

        X, y = np.asarray(state["train_X"]), np.asarray(state["train_y"])
        self.model_ = self._model(X, y)
        self.model_.load_state_dict({k: torch.as_tensor(v, dtype=torch.float64) for k, v in state["hyperparameters"].items()})
        self.model_.eval()
        self.train_X_, self.train_y_, self.n_features_ = X, y, X.shape[1]

"""An ensemble of small multi-layer perceptrons, fitted with torch, answered with numpy.

Each member is ``d -> hidden -> hidden -> 1`` with ReLU and dropout, trained with AdamW and
a cosine learning-rate schedule on standardised inputs and targets, from its own seed and
its own bootstrap sample; the prediction is the members' mean. The spread of the members
alone is far too narrow (its 68 % interval covered 30 % of held-out soundmnist accuracies),
so the std adds the residual variance it does not explain: the out-of-bag mean squared
error of the training rows less the members' mean variance there
(``std**2 = spread**2 + max(oob_mse - mean spread**2, 0)``).
Fitting needs torch (the ``mlp`` extra); the saved form is the weights, so prediction is a
few numpy matrix products and needs no torch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bench.extras import require
from surrogates.base import Surrogate


class MLPEnsemble(Surrogate):
    """``n_members`` two-hidden-layer perceptrons.

    Args:
        n_members: ensemble size.
        hidden: width of both hidden layers.
        epochs: passes over the training rows.
        batch_size: rows per AdamW step.
        learning_rate: the initial AdamW step size (cosine-annealed to 0).
        weight_decay: AdamW's decoupled weight decay.
        dropout: dropout after each hidden layer, in training only.
        random_state: seed of the first member (member ``k`` uses ``random_state + k``).
    """

    format_name = "mlp-ensemble"

    def __init__(
        self,
        n_members: int = 5,
        hidden: int = 128,
        epochs: int = 60,
        batch_size: int = 64,
        learning_rate: float = 1e-3,
        weight_decay: float = 1e-2,
        dropout: float = 0.1,
        random_state: int = 0,
    ) -> None:
        self.n_members = n_members
        self.hidden = hidden
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.dropout = dropout
        self.random_state = random_state

    def fit(self, X: np.ndarray, y: np.ndarray) -> MLPEnsemble:
        X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
        if X.ndim != 2 or len(X) != len(y) or len(y) < 2:
            raise ValueError(f"fit needs X (n, d) and y (n,) with n >= 2, got {X.shape} and {y.shape}")
        self.x_mean_, self.x_scale_ = X.mean(axis=0), X.std(axis=0)
        self.x_scale_[self.x_scale_ == 0] = 1.0
        self.y_mean_, self.y_scale_ = float(y.mean()), float(y.std()) or 1.0
        Xs, ys = (X - self.x_mean_) / self.x_scale_, (y - self.y_mean_) / self.y_scale_
        samples = [self._bootstrap(len(y), self.random_state + k) for k in range(self.n_members)]
        self.layers_ = [self._fit_member(Xs, ys, rows, self.random_state + k) for k, rows in enumerate(samples)]
        self.n_features_ = X.shape[1]
        self.residual_var_ = self._residual_variance(X, y, samples)
        return self

    def _bootstrap(self, n: int, seed: int) -> np.ndarray:
        return np.random.default_rng(seed).integers(n, size=n) if self.n_members > 1 else np.arange(n)

    def _residual_variance(self, X: np.ndarray, y: np.ndarray, samples: list[np.ndarray]) -> float:
        """The error variance the members' spread leaves out, from the rows each member did not train on."""
        if self.n_members < 2:
            return 0.0
        preds = self._members(X)
        out_of_bag = np.ones_like(preds, dtype=bool)
        for k, rows in enumerate(samples):
            out_of_bag[k, rows] = False
        seen = out_of_bag.any(axis=0)
        oob_mean = np.where(out_of_bag, preds, 0.0).sum(axis=0)[seen] / out_of_bag.sum(axis=0)[seen]
        oob_mse = float(np.mean((y[seen] - oob_mean) ** 2))
        return max(oob_mse - float(np.mean(preds.var(axis=0, ddof=1))), 0.0)

    def _fit_member(self, X: np.ndarray, y: np.ndarray, rows: np.ndarray, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """One member's (weight, bias) per layer, trained on the rows ``rows`` (a bootstrap sample)."""
        torch = require("torch", "fitting the MLP-ensemble surrogate")
        nn = torch.nn
        torch.manual_seed(seed)
        rng = np.random.default_rng(seed)
        inputs = torch.tensor(X[rows], dtype=torch.float32)
        targets = torch.tensor(y[rows], dtype=torch.float32)
        net = nn.Sequential(
            nn.Linear(X.shape[1], self.hidden), nn.ReLU(), nn.Dropout(self.dropout),
            nn.Linear(self.hidden, self.hidden), nn.ReLU(), nn.Dropout(self.dropout), nn.Linear(self.hidden, 1),
        )
        optimiser = torch.optim.AdamW(net.parameters(), lr=self.learning_rate, weight_decay=self.weight_decay)
        schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, self.epochs)
        n_batches = max(1, len(rows) // self.batch_size)
        net.train()
        for _ in range(self.epochs):
            for batch in np.array_split(rng.permutation(len(rows)), n_batches):
                optimiser.zero_grad()
                nn.functional.mse_loss(net(inputs[batch]).squeeze(1), targets[batch]).backward()
                optimiser.step()
            schedule.step()
        linears = [m for m in net if isinstance(m, nn.Linear)]
        return [(m.weight.detach().double().numpy().T.copy(), m.bias.detach().double().numpy().copy()) for m in linears]

    def _members(self, X: np.ndarray) -> np.ndarray:
        """``(n_members, n)`` predictions in the target's units."""
        h0 = (self._check_X(X) - self.x_mean_) / self.x_scale_
        out = []
        for layers in self.layers_:
            h = h0
            for weight, bias in layers[:-1]:
                h = np.maximum(h @ weight + bias, 0.0)
            out.append((h @ layers[-1][0] + layers[-1][1])[:, 0])
        return np.stack(out) * self.y_scale_ + self.y_mean_

    def predict(self, X: np.ndarray, return_std: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        self._check_fitted()
        preds = self._members(X)
        mean = preds.mean(axis=0)
        if not return_std:
            return mean
        spread = preds.var(axis=0, ddof=1) if self.n_members > 1 else np.zeros_like(mean)
        return mean, np.sqrt(spread + self.residual_var_)

    def _state(self) -> dict[str, Any]:
        return {
            "n_features": self.n_features_, "x_mean": self.x_mean_.tolist(), "x_scale": self.x_scale_.tolist(),
            "y_mean": self.y_mean_, "y_scale": self.y_scale_, "residual_var": self.residual_var_,
            "members": [[{"weight": w.tolist(), "bias": b.tolist()} for w, b in layers] for layers in self.layers_],
        }

    def _restore(self, state: dict[str, Any]) -> None:
        self.n_features_ = state["n_features"]
        self.x_mean_, self.x_scale_ = np.array(state["x_mean"]), np.array(state["x_scale"])
        self.y_mean_, self.y_scale_, self.residual_var_ = float(state["y_mean"]), float(state["y_scale"]), float(state["residual_var"])
        self.layers_ = [[(np.array(layer["weight"]), np.array(layer["bias"])) for layer in member] for member in state["members"]]

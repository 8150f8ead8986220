"""Model choice by cross-validation on architecture-grouped folds, and learning curves.

Both run on the training rows of the report's random split only, so the held-out rows the
report scores stay unseen. Folds are grouped by architecture (a config and its other
precision mixes fall in one fold), as the split is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bench.extras import require
from surrogates.candidates import Candidate

LEARNING_CURVE_SIZES = (250, 500, 1000, 2000)


def grouped_folds(groups: np.ndarray, n_folds: int, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """``n_folds`` (train, test) row-index pairs; every group's rows fall in one test fold (groups dealt round-robin
    in a seeded random order)."""
    codes = pd.factorize(pd.Series(groups))[0]
    order = np.random.default_rng(seed).permutation(codes.max() + 1)
    fold_of_group = np.empty(len(order), dtype=int)
    fold_of_group[order] = np.arange(len(order)) % n_folds
    fold = fold_of_group[codes]
    return [(np.flatnonzero(fold != k), np.flatnonzero(fold == k)) for k in range(n_folds)]


def _tau(y: np.ndarray, prediction: np.ndarray) -> float:
    return float(require("scipy.stats", "model choice").kendalltau(y, prediction).statistic)


def cross_validate(
    X: dict[str, np.ndarray], y: np.ndarray, groups: np.ndarray, candidates: Sequence[Candidate], n_folds: int = 5, seed: int = 0,
) -> pd.DataFrame:
    """Held-out Kendall tau of every candidate on every fold: rows (model, fold, kendall_tau)."""
    rows = []
    for k, (train, test) in enumerate(grouped_folds(groups, n_folds, seed)):
        for c in candidates:
            prediction = c.make().fit(X[c.encoding][train], y[train]).predict(X[c.encoding][test])
            rows.append({"model": c.name, "fold": k, "kendall_tau": _tau(y[test], prediction)})
    return pd.DataFrame(rows)


def choose(scores: pd.DataFrame) -> str:
    """The candidate with the highest mean fold tau (ties: the first listed)."""
    means = scores.groupby("model", sort=False)["kendall_tau"].mean()
    return str(means.idxmax())


def learning_curve(
    X: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray, candidate: Candidate, seed: int = 0,
    sizes: Sequence[int] = LEARNING_CURVE_SIZES,
) -> pd.DataFrame:
    """Held-out tau of ``candidate`` fitted on seeded random subsets of ``train`` of each size (and on all of it):
    rows (n_train, kendall_tau)."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(train)
    rows = []
    for n in [*(s for s in sizes if s < len(train)), len(train)]:
        subset = np.sort(order[:n])
        prediction = candidate.make().fit(X[subset], y[subset]).predict(X[test])
        rows.append({"n_train": n, "kendall_tau": _tau(y[test], prediction)})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class ModelChoice:
    """The cross-validated choice of a model for one target, and the chosen model's learning curve."""

    target: str
    n_folds: int
    scores: pd.DataFrame
    chosen: str
    curve: pd.DataFrame

    def markdown(self) -> list[str]:
        """The report's section: fold taus per candidate, the choice, the learning curve."""
        summary = self.scores.groupby("model", sort=False)["kendall_tau"].agg(["mean", "std", "min", "max"])
        lines = [f"## Model choice for {self.target}", "",
                 f"{self.n_folds}-fold cross-validation on the training rows of the random 80/20 split, folds grouped by "
                 "architecture; Kendall tau on each held-out fold.", "",
                 "| model | mean tau | std | min | max |", "|---|---|---|---|---|"]
        lines += [f"| {name} | {row['mean']:.3f} | {row['std']:.3f} | {row['min']:.3f} | {row['max']:.3f} |" for name, row in summary.iterrows()]
        lines += ["", f"Chosen: **{self.chosen}**. Its learning curve (held-out tau on the random split's test rows, fitted on "
                  "seeded random subsets of its training rows):", "", "| training rows | tau |", "|---|---|"]
        lines += [f"| {int(row.n_train)} | {row.kendall_tau:.3f} |" for row in self.curve.itertuples()]
        return lines


def model_choice(joint: pd.DataFrame, candidates: Sequence[Candidate], target: str = "val_acc", n_folds: int = 5, seed: int = 0) -> ModelChoice:
    """Cross-validate the candidates that score ``target`` on the random split's training rows; the learning curve of
    the best on its test rows."""
    from bench.space import parse_config
    from bench.space.features import encode_for_surrogate
    from surrogates.quality import RANDOM, splits

    candidates = [c for c in candidates if c.scores(target)]
    configs = [parse_config(text) for text in joint["config_json"]]
    X = {encoding: encode_for_surrogate(configs, encoding) for encoding in dict.fromkeys(c.encoding for c in candidates)}
    y = joint[target].to_numpy(dtype=float)
    train, test = splits(joint, seed)[RANDOM]
    train, test = train[np.isfinite(y[train])], test[np.isfinite(y[test])]
    groups = np.array([c.architecture_id for c in configs])
    scores = cross_validate({e: x[train] for e, x in X.items()}, y[train], groups[train], candidates, n_folds, seed)
    chosen = choose(scores)
    best = next(c for c in candidates if c.name == chosen)
    return ModelChoice(target, n_folds, scores, chosen, learning_curve(X[best.encoding], y, train, test, best, seed))

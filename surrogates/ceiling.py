"""The noise ceiling of accuracy surrogates, against the target they are scored on: the mean over the training seeds.

A surrogate of ``val_acc`` is scored against the seed-mean of ``k`` trainings, which is far
more reliable than one seed, so the single-seed vs single-seed Kendall tau understates what a
perfect predictor can reach. Model: ``y[i, s] = t[i] + e[i, s]`` with independent training
noise. :func:`mean_target_ceiling` estimates the Kendall tau between the noise-free values
``t`` and the k-seed mean, from the per-seed values alone:

* simulation, calibrated: the noise is resampled from the pooled within-config residuals,
  scaled so that the simulated seed-to-seed tau equals the observed one; the noise-free
  values are the seed means shrunk to the spread the noise leaves them;
* check, Spearman-Brown: the mean seed-to-seed Pearson r gives the k-mean's reliability
  ``k r / (1 + (k - 1) r)``; the truth-to-mean correlation is its square root, and
  Greiner's relation ``tau = 2 / pi * arcsin(r)`` (bivariate normal) turns it into a tau.
"""

from __future__ import annotations

import itertools

import numpy as np

from bench.extras import require

N_DRAWS = 200


def _tau(a: np.ndarray, b: np.ndarray) -> float:
    return float(require("scipy.stats", "the noise ceiling").kendalltau(a, b)[0])


def _draw(truth: np.ndarray, residuals: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """``k`` noisy trainings per config: the truth plus resampled residuals, shape ``(n, k)``."""
    return truth[:, None] + rng.choice(residuals, size=(len(truth), k))


def _simulate(truth: np.ndarray, residuals: np.ndarray, k: int, draws: int, seed: int) -> tuple[float, float]:
    """Mean simulated (seed-to-seed tau, truth-to-k-mean tau)."""
    rng = np.random.default_rng(seed)
    pair, ceiling = [], []
    for _ in range(draws):
        seeds = _draw(truth, residuals, k, rng)
        pair.append(_tau(seeds[:, 0], seeds[:, 1]))
        ceiling.append(_tau(truth, seeds.mean(axis=1)))
    return float(np.mean(pair)), float(np.mean(ceiling))


def mean_target_ceiling(per_seed: np.ndarray, draws: int = N_DRAWS, seed: int = 0) -> dict[str, float]:
    """Kendall tau a noise-free predictor reaches against the mean of the ``k`` seeds of ``per_seed`` ``(n, k)``.

    Returns the observed seed-to-seed tau, the calibrated simulation's ceiling (``kendall_tau``), its
    Spearman-Brown check, and the noise scale the calibration chose (1: the residuals as observed).
    """
    per_seed = np.asarray(per_seed, dtype=float)
    n, k = per_seed.shape
    if k < 2 or n < 3:
        raise ValueError(f"the ceiling needs at least 3 configs with 2 seeds each, got {per_seed.shape}")
    pairs = list(itertools.combinations(range(k), 2))
    observed = float(np.mean([_tau(per_seed[:, a], per_seed[:, b]) for a, b in pairs]))
    pearson = float(np.mean([np.corrcoef(per_seed[:, a], per_seed[:, b])[0, 1] for a, b in pairs]))
    means = per_seed.mean(axis=1)
    residuals = ((per_seed - means[:, None]) * np.sqrt(k / (k - 1))).ravel()  # unbiased for one training's noise

    def truth_at(scale: float) -> np.ndarray:  # the means shrunk to the spread this much noise leaves them
        spread = max(means.var(ddof=1) - scale**2 * residuals.var() / k, 1e-12)
        return means.mean() + np.sqrt(spread / means.var(ddof=1)) * (means - means.mean())

    low, high = 0.0, 4.0  # bisection on the noise scale: the simulated seed-to-seed tau falls as the noise grows
    for _ in range(12):
        scale = (low + high) / 2
        simulated, _ = _simulate(truth_at(scale), scale * residuals, k, max(draws // 10, 5), seed)
        low, high = (scale, high) if simulated > observed else (low, scale)
    scale = (low + high) / 2
    _, ceiling = _simulate(truth_at(scale), scale * residuals, k, draws, seed)
    reliability = k * pearson / (1 + (k - 1) * pearson)
    return {
        "seed_to_seed_tau": observed,
        "kendall_tau": ceiling,
        "spearman_brown_tau": float(2 / np.pi * np.arcsin(np.sqrt(max(reliability, 0.0)))),
        "noise_scale": scale,
        "n_seeds": k,
    }

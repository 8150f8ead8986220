"""The noise ceiling against the seed-mean target, on synthetic data whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import kendalltau

from surrogates.ceiling import mean_target_ceiling


@pytest.mark.parametrize("noise", [0.3, 0.7])
def test_ceiling_of_the_three_seed_mean_matches_the_truth(noise):
    rng = np.random.default_rng(0)
    truth = rng.standard_normal(1500)
    per_seed = truth[:, None] + noise * rng.standard_normal((1500, 3))
    known = np.mean([kendalltau(truth, truth + noise * rng.standard_normal((1500, 3)).mean(axis=1))[0] for _ in range(20)])
    found = mean_target_ceiling(per_seed, draws=60)
    assert abs(found["kendall_tau"] - known) < 0.02 and abs(found["spearman_brown_tau"] - known) < 0.02
    assert found["kendall_tau"] > found["seed_to_seed_tau"] + 0.03  # the mean is more reliable than one seed
    assert abs(found["noise_scale"] - 1.0) < 0.15  # gaussian residuals need no rescaling


def test_ceiling_needs_two_seeds():
    with pytest.raises(ValueError, match="2 seeds"):
        mean_target_ceiling(np.zeros((10, 1)))

"""Accuracy evaluation and BatchNorm recalibration of subnets."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import torch
from torch import nn


def batches(x: np.ndarray, y: np.ndarray, batch_size: int, rng: np.random.Generator | None = None):
    """Yield ``(x, y)`` tensor batches, shuffled when ``rng`` is given."""
    order = rng.permutation(len(y)) if rng is not None else np.arange(len(y))
    for start in range(0, len(y), batch_size):
        idx = order[start : start + batch_size]
        yield torch.from_numpy(x[idx]), torch.from_numpy(y[idx])


@torch.no_grad()
def recalibrate_bn(forward: Callable[[torch.Tensor], object], model: nn.Module, inputs: Iterable[torch.Tensor]) -> None:
    """Reset every BatchNorm's statistics and re-estimate them (cumulative average) on ``inputs``."""
    norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    momenta = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
    model.train()
    for x in inputs:
        forward(x)
    for m, momentum in zip(norms, momenta):
        m.momentum = momentum
    model.eval()


@torch.no_grad()
def accuracy(logits_of: Callable[[torch.Tensor], torch.Tensor], x: np.ndarray, y: np.ndarray, batch_size: int = 256) -> float:
    """Top-1 accuracy in percent of ``logits_of`` on ``(x, y)``."""
    correct = 0
    for xb, yb in batches(x, y, batch_size):
        correct += int((logits_of(xb).argmax(dim=1) == yb).sum())
    return 100.0 * correct / len(y)

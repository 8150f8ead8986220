"""Traffic counts of a model for the ``model:horowitz45`` energy model (:mod:`bench.hardware.horowitz`)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from bench.models.counting import count_macs, count_params, visit_layers


def traffic(model: nn.Module, inputs: Sequence[torch.Tensor]) -> dict[str, int]:
    """MACs (all matrix products), weight elements, and activation elements read + written
    by conv / linear layers, for one batch-1 inference."""
    totals = {"macs": count_macs(model, inputs), "weights": count_params(model), "activations": 0}

    def record(module: nn.Module, x: torch.Tensor, output: torch.Tensor) -> None:
        totals["activations"] += x.numel() + output.numel()

    visit_layers(model, inputs, lambda m: isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Linear)), record)
    return totals

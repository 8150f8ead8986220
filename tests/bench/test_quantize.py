"""Quantisation of components: error bounds, bytes arithmetic, calibration, effect on a real backbone."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from bench.examples import load_example
from bench.models import Backbone
from bench.models.quantize import (
    component_bytes,
    dequantise_weight,
    fake_quantise_activation,
    quantise_component,
    quantise_weight,
)


@pytest.mark.parametrize("bits", [8, 4])
def test_weight_error_is_at_most_half_a_step_per_channel(bits):
    weight = torch.randn(16, 8, 3, 3) * torch.logspace(-3, 1, 16).reshape(-1, 1, 1, 1)
    codes, scales = quantise_weight(weight, bits)
    q_max = 2 ** (bits - 1) - 1
    assert codes.dtype == torch.int8 and codes.abs().max() <= q_max
    assert torch.equal(codes.reshape(16, -1).abs().amax(dim=1), torch.full((16,), q_max, dtype=torch.int8))  # the max hits the grid
    error = (dequantise_weight(codes, scales) - weight).abs().reshape(16, -1).amax(dim=1)
    assert torch.all(error <= scales / 2 + 1e-7)


def test_quantise_by_hand():
    codes, scales = quantise_weight(torch.tensor([[1.0, -0.6, 0.26], [0.0, 0.0, 0.0]]), 4)
    assert scales.tolist() == pytest.approx([1 / 7, 1.0])
    assert codes.tolist() == [[7, -4, 2], [0, 0, 0]]  # -4.2 -> -4, 1.82 -> 2; an all-zero channel keeps scale 1


def test_activation_grid_keeps_zero_and_range():
    x = torch.linspace(-1, 3, 1001)
    q = fake_quantise_activation(x, -1.0, 3.0)
    assert len(torch.unique(q)) <= 256 and (q - x).abs().max() <= 4 / 255 / 2 + 1e-6
    assert fake_quantise_activation(torch.zeros(1), 0.5, 3.0).item() == 0.0


def test_bytes_by_hand():
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Linear(5, 2))
    # conv 108 weights + 4 bias, bn 4 + 4, linear 10 weights + 2 bias
    assert component_bytes(model, "fp32") == 4 * (108 + 4 + 8 + 10 + 2)
    assert component_bytes(model, "int8") == (108 + 4 * 4) + (10 + 4 * 2) + 4 * (4 + 8 + 2)
    assert component_bytes(model, "int4") == (54 + 4 * 4) + (5 + 4 * 2) + 4 * (4 + 8 + 2)
    with pytest.raises(KeyError):
        component_bytes(model, "int2")


def test_quantised_backbone_stays_close_and_needs_calibration():
    torch.manual_seed(0)
    backbone = Backbone(load_example("harmonic_avmnist_1").image).eval()
    batches = [(torch.randn(8, 1, 28, 28),) for _ in range(3)]
    x = torch.randn(4, 1, 28, 28)
    with torch.no_grad():
        reference = backbone(x)[1]
        errors = {p: (quantise_component(backbone, p, batches)(x)[1] - reference).abs().mean().item() for p in ("int8", "int4")}
    assert quantise_component(backbone, "fp32", batches) is backbone
    assert 0 < errors["int8"] < errors["int4"]
    assert errors["int8"] < 0.05 * reference.abs().mean().item()
    with pytest.raises(ValueError, match="at least one calibration batch"):
        quantise_component(backbone, "int8", [])
    with pytest.raises(ValueError, match="unknown precision 'int2'"):
        quantise_component(backbone, "int2", batches)
    assert np.isfinite(errors["int4"])

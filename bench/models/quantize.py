"""Post-training quantisation of one component (a backbone or the fusion network), simulated in torch.

A component at precision ``int8`` or ``int4`` gets (DESIGN.md section 3, tier 3; after
TinyM2Net's mixed 8/4-bit weights):

* weights of every convolution and linear layer quantised per output channel,
  symmetrically: ``scale = max|w| / (2**(b-1) - 1)``, ``q = clamp(round(w / scale))``
  in ``[-(2**(b-1) - 1), 2**(b-1) - 1]``, so the error of each weight is at most
  ``scale / 2``;
* the inputs of those layers quantised to int8 per tensor (affine, ``[min, max]``
  observed on calibration batches, which must come from the training split);
* ``fp32`` components are left untouched.

The result is a copy of the component whose forward computes with the dequantised
values (fake quantisation): accuracy under quantisation, not int8 speed, which is
measured through a real int8 runtime. :func:`component_bytes` is the exact size of the
component's parameters as stored at that precision.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable

import torch
from torch import nn

WEIGHT_BITS = {"fp32": 32, "int8": 8, "int4": 4}
ACTIVATION_BITS = 8
CALIBRATION_BATCHES = 4  # training batches that calibrate a quantised component's activation ranges
_QUANTISED_LAYERS = (nn.Conv1d, nn.Conv2d, nn.Linear)


def weight_scales(weight: torch.Tensor, bits: int) -> torch.Tensor:
    """Per-output-channel symmetric scales ``(out_channels,)`` (1.0 for an all-zero channel)."""
    q_max = 2 ** (bits - 1) - 1
    amax = weight.detach().abs().reshape(weight.shape[0], -1).amax(dim=1)
    return torch.where(amax > 0, amax / q_max, torch.ones_like(amax))


def quantise_weight(weight: torch.Tensor, bits: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Integer codes (as int8 values in ``[-(2**(b-1) - 1), 2**(b-1) - 1]``) and per-channel scales."""
    if bits not in (4, 8):
        raise ValueError(f"weights quantise to 4 or 8 bits, not {bits}")
    q_max = 2 ** (bits - 1) - 1
    scales = weight_scales(weight, bits)
    shape = (-1,) + (1,) * (weight.dim() - 1)
    codes = torch.clamp(torch.round(weight.detach() / scales.reshape(shape)), -q_max, q_max)
    return codes.to(torch.int8), scales


def dequantise_weight(codes: torch.Tensor, scales: torch.Tensor) -> torch.Tensor:
    """Float weights from codes and per-channel scales."""
    return codes.to(torch.float32) * scales.reshape((-1,) + (1,) * (codes.dim() - 1))


def fake_quantise_activation(x: torch.Tensor, low: float, high: float, bits: int = ACTIVATION_BITS) -> torch.Tensor:
    """``x`` rounded to the ``2**bits`` levels of an affine grid over ``[low, high]`` (0 always representable)."""
    low, high = min(low, 0.0), max(high, 0.0)
    levels = 2**bits - 1
    scale = (high - low) / levels if high > low else 1.0
    zero_point = round(-low / scale)
    q = torch.clamp(torch.round(x / scale) + zero_point, 0, levels)
    return (q - zero_point) * scale


def quantise_component(
    component: nn.Module, precision: str, calibration: Iterable[tuple], forward: Callable[..., object] | None = None
) -> nn.Module:
    """A fake-quantised copy of ``component`` at ``precision`` ('fp32' returns it unchanged).

    ``calibration`` yields argument tuples of ``forward`` (default: the component itself)
    from training data; the ranges of the quantised layers' inputs are observed on them.
    """
    if precision not in WEIGHT_BITS:
        raise ValueError(f"unknown precision {precision!r}, expected one of {list(WEIGHT_BITS)}")
    if precision == "fp32":
        return component
    bits = WEIGHT_BITS[precision]
    quantised = copy.deepcopy(component).eval()
    layers = [m for m in quantised.modules() if isinstance(m, _QUANTISED_LAYERS)]
    ranges = _observe_input_ranges(quantised, layers, calibration, forward)
    for layer in layers:
        codes, scales = quantise_weight(layer.weight, bits)
        layer.weight.data = dequantise_weight(codes, scales)
        low, high = ranges[layer]
        layer.register_forward_pre_hook(lambda _m, args, low=low, high=high: (fake_quantise_activation(args[0], low, high), *args[1:]))
    return quantised


def _observe_input_ranges(
    model: nn.Module, layers: list[nn.Module], calibration: Iterable[tuple], forward: Callable[..., object] | None
) -> dict[nn.Module, tuple[float, float]]:
    ranges: dict[nn.Module, tuple[float, float]] = {}

    def observe(module: nn.Module, args: tuple) -> None:
        low, high = float(args[0].min()), float(args[0].max())
        old = ranges.get(module, (low, high))
        ranges[module] = (min(old[0], low), max(old[1], high))

    handles = [layer.register_forward_pre_hook(observe) for layer in layers]
    n_batches = 0
    with torch.no_grad():
        for args in calibration:
            (forward or model)(*args)
            n_batches += 1
    for handle in handles:
        handle.remove()
    if n_batches == 0:
        raise ValueError("quantisation needs at least one calibration batch from the training split")
    unseen = [type(layer).__name__ for layer in layers if layer not in ranges]
    if unseen:
        raise ValueError(f"calibration never reached {len(unseen)} quantised layer(s), e.g. {unseen[0]}")
    return ranges


def component_bytes(component: nn.Module, precision: str) -> int:
    """Bytes of ``component``'s parameters stored at ``precision``.

    Quantised convolution / linear weights take ``bits`` per value (int4 packed two per
    byte, per layer rounded up) plus one float32 scale per output channel; every other
    parameter (biases, normalisation) stays float32. At fp32 everything is 4 bytes.
    """
    bits = WEIGHT_BITS[precision]
    total = 0
    quantised_weights = set()
    if bits < 32:
        for layer in component.modules():
            if isinstance(layer, _QUANTISED_LAYERS):
                total += math.ceil(layer.weight.numel() * bits / 8) + 4 * layer.weight.shape[0]
                quantised_weights.add(id(layer.weight))
    total += sum(4 * p.numel() for p in component.parameters() if id(p) not in quantised_weights)
    return total

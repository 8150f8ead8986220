"""The energy model of device ``model:horowitz45``: MACs and memory traffic priced per operation (no torch).

Per-operation energies at 45 nm, 0.9 V, from M. Horowitz, "Computing's energy
problem (and what we can do about it)", ISSCC 2014, Figure 1.1.9:

* fp32 multiply 3.7 pJ + fp32 add 0.9 pJ  -> 4.6 pJ per fp32 MAC
* int8 multiply 0.2 pJ + int32 accumulate (add) 0.1 pJ -> 0.3 pJ per int8 MAC
* SRAM read of 64 bits from an 8 KB array: 10 pJ          -> 1.25 pJ per byte
* DRAM access of 64 bits: 1.3-2.6 nJ (upper end used)       -> 325 pJ per byte

Horowitz gives no 4-bit figure. An int4-weight x int8-activation MAC is taken as the
int8 MAC with the multiplier scaled by the product of operand widths (an array
multiplier's energy grows with its partial products, 4 x 8 against 8 x 8: 0.1 pJ) plus
the same int32 accumulate (0.1 pJ) -> 0.2 pJ. Quantised components (int8, int4) keep
their activations in int8 (``bench.models.quantize``), so only weight bytes shrink
further at int4 (half a byte each, packed).

Model: ``E = MACs * E_mac + weight_bytes * E_dram + activation_bytes * E_sram``:
weights are fetched once from DRAM; every convolution / linear layer reads its input
and writes its output through on-chip SRAM. Element-wise ops, norms and control are
not counted. This is an estimate, labelled as such; it is never stored as a measurement.
LUT devices hold fp32 measurements only and are never scaled by precision.
"""

from __future__ import annotations

MAC_PJ = {"fp32": 4.6, "int8": 0.3, "int4": 0.2}
SRAM_PJ_PER_BYTE = 10.0 / 8
DRAM_PJ_PER_BYTE = 2600.0 / 8
WEIGHT_BYTES = {"fp32": 4.0, "int8": 1.0, "int4": 0.5}
ACTIVATION_BYTES = {"fp32": 4.0, "int8": 1.0, "int4": 1.0}


def energy_mj(counts: dict[str, int], precision: str = "fp32") -> float:
    """Energy in millijoules of one batch-1 inference with the given traffic counts."""
    picojoules = (
        counts["macs"] * MAC_PJ[precision]
        + counts["weights"] * WEIGHT_BYTES[precision] * DRAM_PJ_PER_BYTE
        + counts["activations"] * ACTIVATION_BYTES[precision] * SRAM_PJ_PER_BYTE
    )
    return picojoules * 1e-9


def activations_of(fp32_energy_mj: float, macs: int, weights: int) -> int:
    """The activation count behind a float32 energy of :func:`energy_mj` (exact: the count is an integer and the
    rounding error of the inversion is far below one activation at these sizes)."""
    picojoules = fp32_energy_mj / 1e-9 - macs * MAC_PJ["fp32"] - weights * WEIGHT_BYTES["fp32"] * DRAM_PJ_PER_BYTE
    return round(picojoules / (ACTIVATION_BYTES["fp32"] * SRAM_PJ_PER_BYTE))


def energy_at_precision(fp32_energy_mj: float, macs: int, weights: int, precision: str) -> float:
    """:func:`energy_mj` at ``precision`` of a component whose float32 figures are given (the same value the
    traffic counts would give, bit for bit)."""
    counts = {"macs": macs, "weights": weights, "activations": activations_of(fp32_energy_mj, macs, weights)}
    return energy_mj(counts, precision)

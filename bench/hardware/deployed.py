"""The ``deployed`` cost accounting: only the layers whose outputs reach the classifier head.

The paper's accounting (the default, as Harmonic-NAS prices its candidates) charges every
backbone whole, its own classifier top included, and every part of the fusion network. A
deployed model runs less: a backbone only up to its latest feature that reaches the head
(:mod:`bench.space.dataflow`) and not at all when none does, no backbone top (final expand,
feature mix, classifier), and in the fusion network only the reshape layers of live
inputs, the LayerNorms of live cells, the live nodes' operators and the head.

A backbone is a chain of parts: stem, fixed block, one unit block per active slot
(its kernel and expand ratio), top. :func:`backbone_parts` builds each part alone on the
task's input shapes once per process and counts it (parameters, MACs, activation traffic,
bytes at every precision, LUT keys); a prefix of the chain sums them. The parts of the
whole chain add up exactly to the backbone tables' figures (``tests/bench/test_deployed.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import torch
from torch import nn

from bench.hardware.analytical import traffic
from bench.hardware.lut import model_layer_keys
from bench.models import Backbone
from bench.models.quantize import WEIGHT_BITS, component_bytes
from bench.space import EXPANDS, KERNELS, N_UNIT_BLOCKS, BackboneGenotype
from bench.space.config import N_FEATURES_PER_MODALITY
from bench.tasks import get_task

STEM, FIXED, TOP = "stem", "fixed", "top"


@dataclass(frozen=True)
class BackbonePart:
    """Counts of one backbone part run alone at batch 1."""

    params: int
    macs: int
    activations: int
    bytes: dict[str, int]
    lut_keys: tuple[str, ...]


class _Top(nn.Module):
    """The backbone's classifier top as :class:`bench.models.backbone.BackboneHead` runs it."""

    def __init__(self, backbone: Backbone) -> None:
        super().__init__()
        self.final_expand, self.feature_mix, self.classifier = backbone.head.final_expand, backbone.head.feature_mix, backbone.head.classifier

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.feature_mix(self.final_expand(x).mean(dim=(2, 3), keepdim=True)), 1))


def _count(module: nn.Module, x: torch.Tensor) -> BackbonePart:
    counts = traffic(module, [x])
    return BackbonePart(
        params=counts["weights"], macs=counts["macs"], activations=counts["activations"],
        bytes={p: component_bytes(module, p) for p in WEIGHT_BITS}, lut_keys=tuple(model_layer_keys(module, [x])),
    )


@lru_cache(maxsize=None)
def backbone_parts(task: str, modality: str) -> dict[tuple, BackbonePart]:
    """Every part of a ``modality`` backbone of ``task``: ``(STEM,)``, ``(FIXED,)``, ``(block, kernel, expand)``, ``(TOP,)``.

    Each is counted on the input it gets inside a full-depth backbone; only the first unit block strides, so that
    input does not depend on the depth."""
    shape = get_task(task).input_shape(modality)
    parts: dict[tuple, BackbonePart] = {}
    for k in KERNELS:
        for e in EXPANDS:
            net = Backbone(BackboneGenotype((k,) * N_UNIT_BLOCKS, (e,) * N_UNIT_BLOCKS, N_UNIT_BLOCKS)).eval()
            with torch.no_grad():
                x = torch.zeros(1, *shape)
                chain = [((STEM,), net.head.stem), ((FIXED,), net.head.fixed)]
                chain += [((i, k, e), block) for i, block in enumerate(net.blocks)] + [((TOP,), _Top(net))]
                for key, module in chain:
                    if key not in parts:
                        parts[key] = _count(module, x)
                    x = module(x)
    return parts


def backbone_chain(genotype: BackboneGenotype, latest_live: int | None) -> list[tuple]:
    """Part keys a backbone runs: up to the feature at position ``latest_live`` (0 = earliest of the 4 fusion
    features; None: none reaches the head, so nothing runs), or the whole backbone with its top for ``-1``."""
    layers = [(STEM,), (FIXED,)] + [(i, k, e) for i, (k, e) in enumerate(genotype.active_blocks)]
    if latest_live == -1:
        return [*layers, (TOP,)]
    if latest_live is None:
        return []
    if not 0 <= latest_live < N_FEATURES_PER_MODALITY:
        raise ValueError(f"feature position {latest_live} is not one of 0..{N_FEATURES_PER_MODALITY - 1}")
    # the 4 features are the last 4 outputs of stem, fixed and unit blocks: feature q is the output of layer d - 2 + q
    return layers[: genotype.d - 1 + latest_live]

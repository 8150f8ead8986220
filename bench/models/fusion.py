"""The fusion network built from a fusion genotype (DESIGN.md section 3, tier 2)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from bench.models import skeleton as sk
from bench.models.fusion_ops import FUSION_OP_CLASSES
from bench.space import CellGenotype, FusionGenotype


def pool_features(features: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    """Adaptive max-pool each ``(B, C, H, W)`` map to 4x4 and flatten to ``(B, C, 16)``.

    Parameter-free, so the sweep caches its output once per backbone.
    """
    return [torch.flatten(F.adaptive_max_pool2d(f, sk.FUSION_POOL), 2) for f in features]


class FusionInput(nn.Module):
    """1x1 conv of one pooled feature to the fusion width, BN, ReLU."""

    def __init__(self, in_channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv1d(in_channels, sk.FUSION_CHANNELS, 1)
        self.bn = nn.BatchNorm1d(sk.FUSION_CHANNELS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.bn(self.conv(x)))


class FusionCell(nn.Module):
    """Nodes over (x, y); output ``LayerNorm(last node + x)``."""

    def __init__(self, genotype: CellGenotype) -> None:
        super().__init__()
        self.genotype = genotype
        self.ops = nn.ModuleList(
            FUSION_OP_CLASSES[node.op](sk.FUSION_CHANNELS, sk.FUSION_LENGTH) for node in genotype.nodes
        )
        self.norm = nn.LayerNorm([sk.FUSION_CHANNELS, sk.FUSION_LENGTH])

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        values = [x, y]
        for node, op in zip(self.genotype.nodes, self.ops):
            values.append(op(values[node.inputs[0]], values[node.inputs[1]]))
        return self.norm(values[-1] + x)


class FusionNetwork(nn.Module):
    """Reshape layers, cells and classifier head.

    Args:
        genotype: the fusion genotype.
        feature_channels: channels of the 8 fusion inputs (4 image, then 4 audio).

    ``forward(pooled)`` takes the 8 pooled ``(B, C_i, 16)`` features and returns logits.
    Only the inputs that a cell or the head reads get a reshape layer.
    """

    def __init__(self, genotype: FusionGenotype, feature_channels: Sequence[int]) -> None:
        super().__init__()
        self.genotype = genotype
        self.feature_channels = tuple(feature_channels)
        used = set(genotype.used_inputs(len(feature_channels)))
        self.inputs = nn.ModuleDict(
            {str(i): FusionInput(c) for i, c in enumerate(feature_channels) if i in used}
        )
        self.cells = nn.ModuleList(FusionCell(cell) for cell in genotype.cells)
        width = 2 * sk.FUSION_CHANNELS
        self.head_norm = nn.LayerNorm([width, sk.FUSION_LENGTH])
        self.classifier = nn.Linear(width * sk.FUSION_LENGTH, sk.N_CLASSES)

    def forward(self, pooled: Sequence[torch.Tensor]) -> torch.Tensor:
        states = [self.inputs[str(i)](p) if str(i) in self.inputs else None for i, p in enumerate(pooled)]
        for cell, cell_module in zip(self.genotype.cells, self.cells):
            states.append(cell_module(states[cell.inputs[0]], states[cell.inputs[1]]))
        head = F.relu(self.head_norm(torch.cat(states[-2:], dim=1)))
        return self.classifier(torch.flatten(head, 1))

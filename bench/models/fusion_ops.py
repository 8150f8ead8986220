"""The six fusion operators: two ``(B, C, L)`` tensors in, one out.

Semantics follow Harmonic-NAS / BM-NAS. One deliberate difference: SE1 gates with
``sigmoid(fc(mean_L(x)))``; the reference put a ReLU before the sigmoid, which pins
every gate to [0.5, 1].
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

FUSION_DROPOUT = 0.1


class FusionOp(nn.Module):
    """Base class: records the operator name, channels and length for costing."""

    op_name = ""

    def __init__(self, channels: int, length: int) -> None:
        super().__init__()
        self.channels, self.length = channels, length


class Sum(FusionOp):
    """``x + y``."""

    op_name = "Sum"

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return x + y


class ScaleDotAttn(FusionOp):
    """Scaled dot-product attention over positions: queries from x, keys and values from y; LayerNorm."""

    op_name = "ScaleDotAttn"

    def __init__(self, channels: int, length: int) -> None:
        super().__init__(channels, length)
        self.dropout = nn.Dropout(FUSION_DROPOUT)
        self.norm = nn.LayerNorm([channels, length])

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        scores = x.transpose(1, 2) @ y / math.sqrt(self.channels)  # (B, L, L)
        out = (scores.softmax(dim=-1) @ y.transpose(1, 2)).transpose(1, 2)
        return self.norm(self.dropout(out))


class _ConcatConv(FusionOp):
    """Concatenate on channels, 1x1 conv to ``out_factor * C``, BN, then :meth:`finish`."""

    out_factor = 1

    def __init__(self, channels: int, length: int) -> None:
        super().__init__(channels, length)
        self.conv = nn.Conv1d(2 * channels, self.out_factor * channels, 1)
        self.bn = nn.BatchNorm1d(self.out_factor * channels)
        self.dropout = nn.Dropout(FUSION_DROPOUT)

    def finish(self, h: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.finish(self.bn(self.conv(torch.cat([x, y], dim=1)))))


class LinearGLU(_ConcatConv):
    """Concat, 1x1 conv to 2C, BN, gated linear unit back to C."""

    op_name = "LinearGLU"
    out_factor = 2

    def finish(self, h: torch.Tensor) -> torch.Tensor:
        return F.glu(h, dim=1)


class ConcatFC(_ConcatConv):
    """Concat, 1x1 conv to C, BN, ReLU."""

    op_name = "ConcatFC"

    def finish(self, h: torch.Tensor) -> torch.Tensor:
        return F.relu(h)


class CatConvMish(_ConcatConv):
    """Concat, 1x1 conv to C, BN, Mish."""

    op_name = "CatConvMish"

    def finish(self, h: torch.Tensor) -> torch.Tensor:
        out = F.mish(h)
        if out.requires_grad and torch.is_autocast_enabled("cpu"):
            # PyTorch's CPU Mish backward is 8x slower on a strided gradient (ScaleDotAttn's transposes pass one back);
            # only under autocast, because the copy changes float32 results in the last bits (the committed tables' recipe)
            out.register_hook(torch.Tensor.contiguous)
        return out


class SE1(FusionOp):
    """Squeeze x over positions, excite y: ``y * sigmoid(fc(mean_L(x)))``."""

    op_name = "SE1"

    def __init__(self, channels: int, length: int) -> None:
        super().__init__(channels, length)
        self.fc = nn.Linear(channels, channels)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return y * torch.sigmoid(self.fc(x.mean(dim=2))).unsqueeze(2)


FUSION_OP_CLASSES: dict[str, type[FusionOp]] = {
    cls.op_name: cls for cls in (Sum, ScaleDotAttn, LinearGLU, ConcatFC, SE1, CatConvMish)
}

"""Static layers of a standalone backbone (the units the look-up tables price)."""

from __future__ import annotations

import torch
from torch import nn


def activation(name: str) -> nn.Module:
    """'relu', 'h_swish' or 'none'."""
    return {"relu": nn.ReLU, "h_swish": nn.Hardswish, "none": nn.Identity}[name]()


class ConvLayer(nn.Module):
    """Conv2d + optional BN + activation (stem, final-expand, feature-mix)."""

    def __init__(self, in_ch: int, out_ch: int, kernel: int, stride: int, use_bn: bool, act: str) -> None:
        super().__init__()
        self.in_ch, self.out_ch, self.kernel, self.stride, self.use_bn = in_ch, out_ch, kernel, stride, use_bn
        self.conv = nn.Conv2d(in_ch, out_ch, kernel, stride, kernel // 2, bias=not use_bn)
        self.bn = nn.BatchNorm2d(out_ch) if use_bn else nn.Identity()
        self.act = activation(act)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.bn(self.conv(x)))


class MBConvLayer(nn.Module):
    """Inverted-residual block; ``expand == 1`` has no expansion conv (``mid_ch`` 0)."""

    def __init__(self, in_ch: int, out_ch: int, kernel: int, stride: int, expand: int, mid_ch: int) -> None:
        super().__init__()
        self.in_ch, self.out_ch, self.kernel, self.stride = in_ch, out_ch, kernel, stride
        self.expand, self.mid_ch = expand, mid_ch
        hidden = in_ch if expand == 1 else mid_ch
        self.inverted = (
            None
            if expand == 1
            else nn.Sequential(nn.Conv2d(in_ch, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU())
        )
        self.depthwise = nn.Sequential(
            nn.Conv2d(hidden, hidden, kernel, stride, kernel // 2, groups=hidden, bias=False),
            nn.BatchNorm2d(hidden),
            nn.ReLU(),
        )
        self.pointwise = nn.Sequential(nn.Conv2d(hidden, out_ch, 1, bias=False), nn.BatchNorm2d(out_ch))
        self.residual = stride == 1 and in_ch == out_ch

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = x if self.inverted is None else self.inverted(x)
        out = self.pointwise(self.depthwise(out))
        return out + x if self.residual else out


class LinearLayer(nn.Module):
    """Dropout + Linear (the classifier)."""

    def __init__(self, in_features: int, out_features: int, dropout: float) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.dropout = nn.Dropout(dropout)
        self.linear = nn.Linear(in_features, out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(self.dropout(x))

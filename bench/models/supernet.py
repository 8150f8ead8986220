"""Elastic per-modality supernet with weight sharing (after Once-for-All).

Expand ratio: the first ``mid`` channels of the widest block are used. Kernel size:
the 7x7 depthwise kernel is centre-cropped to 5x5 and 3x3, each step through a
learned linear transform (initialised to identity). Depth: trailing unit blocks are
skipped. :meth:`ElasticBackbone.extract` returns a standalone :class:`Backbone`
holding exactly the weights the supernet uses for that genotype.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from bench.models import skeleton as sk
from bench.models.backbone import Backbone, BackboneHead
from bench.models.layers import MBConvLayer
from bench.space import EXPANDS, KERNELS, N_UNIT_BLOCKS, BackboneGenotype

_MAX_KERNEL = max(KERNELS)
_MAX_EXPAND = max(EXPANDS)


class _ElasticBN(nn.BatchNorm2d):
    """BatchNorm whose first ``n`` channels serve a narrower block."""

    def forward_sliced(self, x: torch.Tensor) -> torch.Tensor:
        n = x.shape[1]
        factor = self.momentum
        if self.training:
            self.num_batches_tracked += 1
            if factor is None:  # cumulative average, as nn.BatchNorm does
                factor = 1.0 / float(self.num_batches_tracked)
        return F.batch_norm(
            x,
            self.running_mean[:n],
            self.running_var[:n],
            self.weight[:n],
            self.bias[:n],
            self.training,
            0.0 if factor is None else factor,
            self.eps,
        )


class ElasticMBConv(nn.Module):
    """An MBConv unit block at its largest size, able to run any (kernel, expand)."""

    def __init__(self, in_ch: int, out_ch: int, stride: int) -> None:
        super().__init__()
        self.in_ch, self.out_ch, self.stride = in_ch, out_ch, stride
        max_mid = sk.mid_channels(in_ch, _MAX_EXPAND)
        self.inverted_conv = nn.Conv2d(in_ch, max_mid, 1, bias=False)
        self.inverted_bn = _ElasticBN(max_mid)
        self.depthwise_weight = nn.Parameter(torch.empty(max_mid, 1, _MAX_KERNEL, _MAX_KERNEL))
        nn.init.kaiming_normal_(self.depthwise_weight, mode="fan_out")
        self.depthwise_bn = _ElasticBN(max_mid)
        self.pointwise_conv = nn.Conv2d(max_mid, out_ch, 1, bias=False)
        self.pointwise_bn = nn.BatchNorm2d(out_ch)
        # Kernel transforms 7->5 and 5->3, applied to the centre crop.
        smaller = sorted(KERNELS, reverse=True)[1:]
        self.kernel_transforms = nn.ParameterDict(
            {f"to{k}": nn.Parameter(torch.eye(k * k)) for k in smaller}
        )

    def depthwise_kernel(self, kernel: int, mid: int) -> torch.Tensor:
        """The ``(mid, 1, kernel, kernel)`` depthwise weight for a sub-block."""
        weight = self.depthwise_weight[:mid]
        size = _MAX_KERNEL
        for k in sorted(KERNELS, reverse=True)[1:]:
            if k < kernel:
                break
            start = (size - k) // 2
            crop = weight[:, :, start : start + k, start : start + k].reshape(mid, 1, k * k)
            weight = (crop @ self.kernel_transforms[f"to{k}"]).reshape(mid, 1, k, k)
            size = k
        return weight

    def forward(self, x: torch.Tensor, kernel: int, expand: int) -> torch.Tensor:
        mid = sk.mid_channels(self.in_ch, expand)
        out = F.relu(self.inverted_bn.forward_sliced(F.conv2d(x, self.inverted_conv.weight[:mid])))
        out = F.conv2d(out, self.depthwise_kernel(kernel, mid), None, self.stride, kernel // 2, 1, mid)
        out = F.relu(self.depthwise_bn.forward_sliced(out))
        out = self.pointwise_bn(F.conv2d(out, self.pointwise_conv.weight[:, :mid]))
        return out + x if self.stride == 1 and self.in_ch == self.out_ch else out

    @torch.no_grad()
    def extract(self, kernel: int, expand: int) -> MBConvLayer:
        """A static block with this sub-block's weights and BN statistics."""
        mid = sk.mid_channels(self.in_ch, expand)
        block = MBConvLayer(self.in_ch, self.out_ch, kernel, self.stride, expand, mid)
        inv_conv, inv_bn, _ = block.inverted
        inv_conv.weight.copy_(self.inverted_conv.weight[:mid])
        _copy_bn(inv_bn, self.inverted_bn, mid)
        dw_conv, dw_bn, _ = block.depthwise
        dw_conv.weight.copy_(self.depthwise_kernel(kernel, mid))
        _copy_bn(dw_bn, self.depthwise_bn, mid)
        pw_conv, pw_bn = block.pointwise
        pw_conv.weight.copy_(self.pointwise_conv.weight[:, :mid])
        _copy_bn(pw_bn, self.pointwise_bn, self.out_ch)
        return block


class ElasticBackbone(nn.Module):
    """Weight-sharing supernet of one modality: ``forward(x, genotype) -> (features, logits)``."""

    def __init__(self) -> None:
        super().__init__()
        self.head = BackboneHead()
        self.units = nn.ModuleList(
            ElasticMBConv(sk.unit_in_channels(i), sk.UNIT_CHANNELS, sk.UNIT_STRIDES[i]) for i in range(N_UNIT_BLOCKS)
        )

    def forward(self, x: torch.Tensor, genotype: BackboneGenotype) -> tuple[list[torch.Tensor], torch.Tensor]:
        blocks = [
            (lambda h, unit=unit, k=k, e=e: unit(h, k, e))
            for unit, (k, e) in zip(self.units, genotype.active_blocks)
        ]
        return self.head.run(x, blocks)

    @torch.no_grad()
    def extract(self, genotype: BackboneGenotype) -> Backbone:
        """A standalone :class:`Backbone` with the weights this genotype inherits."""
        subnet = Backbone(genotype)
        subnet.head.load_state_dict(self.head.state_dict())
        for i, (k, e) in enumerate(genotype.active_blocks):
            subnet.blocks[i].load_state_dict(self.units[i].extract(k, e).state_dict())
        return subnet.train(self.training)


def _copy_bn(dst: nn.BatchNorm2d, src: nn.BatchNorm2d, n: int) -> None:
    dst.weight.copy_(src.weight[:n])
    dst.bias.copy_(src.bias[:n])
    dst.running_mean.copy_(src.running_mean[:n])
    dst.running_var.copy_(src.running_var[:n])
    dst.num_batches_tracked.copy_(src.num_batches_tracked)

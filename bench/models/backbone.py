"""Standalone per-modality backbone built from a genotype."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

from bench.models import skeleton as sk
from bench.models.layers import ConvLayer, LinearLayer, MBConvLayer
from bench.space import BackboneGenotype


class BackboneHead(nn.Module):
    """The fixed layers around the elastic unit: stem, fixed block and the top."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = ConvLayer(sk.IN_CHANNELS, sk.STEM_CHANNELS, 3, 2, use_bn=True, act="h_swish")
        self.fixed = MBConvLayer(sk.STEM_CHANNELS, sk.FIXED_CHANNELS, 3, 1, expand=1, mid_ch=0)
        self.final_expand = ConvLayer(sk.UNIT_CHANNELS, sk.FINAL_EXPAND_CHANNELS, 1, 1, use_bn=True, act="h_swish")
        self.feature_mix = ConvLayer(sk.FINAL_EXPAND_CHANNELS, sk.FEATURE_MIX_CHANNELS, 1, 1, use_bn=False, act="h_swish")
        self.classifier = LinearLayer(sk.FEATURE_MIX_CHANNELS, sk.N_CLASSES, sk.CLASSIFIER_DROPOUT)

    def run(
        self, x: torch.Tensor, blocks: Sequence[Callable[[torch.Tensor], torch.Tensor]]
    ) -> tuple[list[torch.Tensor], torch.Tensor]:
        """Forward through stem, fixed block, ``blocks`` and the top.

        Returns:
            The 4 fusion features (last 4 of stem, fixed and unit-block outputs) and the logits.
        """
        maps = [self.stem(x)]
        maps.append(self.fixed(maps[-1]))
        for block in blocks:
            maps.append(block(maps[-1]))
        top = self.final_expand(maps[-1]).mean(dim=(2, 3), keepdim=True)
        logits = self.classifier(torch.flatten(self.feature_mix(top), 1))
        return maps[-4:], logits


class Backbone(nn.Module):
    """A standalone subnet: ``forward(x) -> (features, logits)``.

    Args:
        genotype: the canonical backbone genotype.
    """

    def __init__(self, genotype: BackboneGenotype) -> None:
        super().__init__()
        self.genotype = genotype
        self.head = BackboneHead()
        self.blocks = nn.ModuleList(
            MBConvLayer(
                sk.unit_in_channels(i),
                sk.UNIT_CHANNELS,
                k,
                sk.UNIT_STRIDES[i],
                e,
                sk.mid_channels(sk.unit_in_channels(i), e),
            )
            for i, (k, e) in enumerate(genotype.active_blocks)
        )

    def forward(self, x: torch.Tensor) -> tuple[list[torch.Tensor], torch.Tensor]:
        return self.head.run(x, self.blocks)

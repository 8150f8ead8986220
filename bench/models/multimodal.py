"""The multimodal model: two backbones, pooling, fusion network."""

from __future__ import annotations

import torch
from torch import nn

from bench.models import skeleton as sk
from bench.models.backbone import Backbone
from bench.models.fusion import FusionNetwork, pool_features
from bench.space import Config


class MultimodalNet(nn.Module):
    """``forward(image, audio) -> logits``; the backbones run in full, as in Harmonic-NAS."""

    def __init__(self, image: Backbone, audio: Backbone, fusion: FusionNetwork) -> None:
        super().__init__()
        self.image, self.audio, self.fusion = image, audio, fusion

    def forward(self, image: torch.Tensor, audio: torch.Tensor) -> torch.Tensor:
        image_features, _ = self.image(image)
        audio_features, _ = self.audio(audio)
        return self.fusion(pool_features(image_features) + pool_features(audio_features))


def build_fusion(config: Config) -> FusionNetwork:
    """A freshly initialised fusion network for ``config``'s backbones."""
    channels = sk.feature_channels(config.image.d) + sk.feature_channels(config.audio.d)
    return FusionNetwork(config.fusion, channels)


def build_multimodal(config: Config) -> MultimodalNet:
    """A freshly initialised multimodal model for ``config`` (fp32)."""
    return MultimodalNet(Backbone(config.image), Backbone(config.audio), build_fusion(config))

"""The AV-MNIST OFA-MobileNetV3 skeleton shared by both modalities.

Matches the layers of the Harmonic-NAS look-up tables layer for layer (see the LUT
README): stem 1->16 (k3 s2, BN, h-swish); fixed MBConv 16->16 (expand 1, k3);
unit blocks 16->24 (s2) then 24->24 (s1, identity skip), kernels {3,5,7}, expand
{3,4,6}, ReLU, no squeeze-excite; final-expand 24->40 (1x1, BN, h-swish); global
average pool; feature-mix 40->80 (1x1, no BN, h-swish); classifier 80->10 (dropout 0.2).
"""

from __future__ import annotations

IN_CHANNELS = 1
STEM_CHANNELS = 16
FIXED_CHANNELS = 16
UNIT_CHANNELS = 24
FINAL_EXPAND_CHANNELS = 40
FEATURE_MIX_CHANNELS = 80
N_CLASSES = 10  # the classifier heads of the look-up tables (80 -> 10); a task has at most this many classes
CLASSIFIER_DROPOUT = 0.2
UNIT_STRIDES = (2, 1, 1, 1)
FUSION_CHANNELS = 192
FUSION_POOL = 4  # adaptive max-pool side; the fusion length is FUSION_POOL ** 2
FUSION_LENGTH = FUSION_POOL**2


def make_divisible(value: float, divisor: int = 8) -> int:
    """Round ``value`` to a multiple of ``divisor`` (at least ``divisor``), not below 90 % of it."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * value:
        rounded += divisor
    return rounded


def unit_in_channels(block: int) -> int:
    """Input channels of unit block ``block`` (0-based)."""
    return FIXED_CHANNELS if block == 0 else UNIT_CHANNELS


def mid_channels(in_channels: int, expand: int) -> int:
    """Hidden width of an expanded MBConv block."""
    return make_divisible(round(in_channels * expand))


def feature_channels(depth: int) -> list[int]:
    """Channels of the 4 fusion features (last 4 of stem, fixed block, active unit blocks)."""
    return ([STEM_CHANNELS, FIXED_CHANNELS] + [UNIT_CHANNELS] * depth)[-4:]

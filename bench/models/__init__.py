"""Elastic backbones, fusion operators and multimodal models (need torch; :mod:`bench.models.skeleton` does not).

The names below are imported on first use, so ``from bench.models import skeleton`` (the
architecture constants that the torch-free static costs read) loads no torch.
"""

from importlib import import_module
from typing import Any

_HOMES = {
    "Backbone": "bench.models.backbone",
    "ElasticBackbone": "bench.models.supernet",
    "FusionNetwork": "bench.models.fusion",
    "pool_features": "bench.models.fusion",
    "FUSION_OP_CLASSES": "bench.models.fusion_ops",
    "MultimodalNet": "bench.models.multimodal",
    "build_fusion": "bench.models.multimodal",
    "build_multimodal": "bench.models.multimodal",
    "count_macs": "bench.models.counting",
    "count_params": "bench.models.counting",
    "component_stats": "bench.models.counting",
}

__all__ = ["skeleton", *_HOMES]


def __getattr__(name: str) -> Any:
    if name == "skeleton":
        return import_module("bench.models.skeleton")
    if name not in _HOMES:
        raise AttributeError(f"module 'bench.models' has no attribute {name!r}")
    return getattr(import_module(_HOMES[name]), name)

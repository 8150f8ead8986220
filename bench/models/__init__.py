"""Elastic backbones, fusion operators and multimodal models (needs torch)."""

from bench.models import skeleton
from bench.models.backbone import Backbone
from bench.models.counting import component_stats, count_macs, count_params
from bench.models.fusion import FusionNetwork, pool_features
from bench.models.fusion_ops import FUSION_OP_CLASSES
from bench.models.multimodal import MultimodalNet, build_fusion, build_multimodal
from bench.models.supernet import ElasticBackbone

__all__ = [
    "skeleton", "Backbone", "ElasticBackbone", "FusionNetwork", "MultimodalNet", "FUSION_OP_CLASSES",
    "build_fusion", "build_multimodal", "pool_features", "count_macs", "count_params", "component_stats",
]

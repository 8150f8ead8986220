"""The two-tier (plus precision) multimodal search space.

Example:
    >>> import numpy as np
    >>> from bench.space import parse_config, sample_config
    >>> cfg = sample_config(np.random.default_rng(0))
    >>> parse_config(cfg.to_json()) == cfg
    True
"""

from bench.space.config import (
    COMPONENTS,
    DEPTHS,
    EXPANDS,
    FP32_ONLY,
    FUSION_OPS,
    KERNELS,
    MAX_CELLS,
    MAX_NODES,
    MODALITIES,
    N_FUSION_INPUTS,
    N_UNIT_BLOCKS,
    PRECISIONS,
    BackboneGenotype,
    CellGenotype,
    Config,
    FusionGenotype,
    NodeGenotype,
    PrecisionGenotype,
    canonical_json,
)
from bench.space.encoding import (
    decode_onehot,
    decode_ordinal,
    encode_onehot,
    encode_ordinal,
    onehot_feature_names,
    ordinal_bounds,
    ordinal_feature_names,
)
from bench.space.genes import Gene, decode_genes, encode_genes, gene_bounds, genes
from bench.space.operations import (
    backbone_neighbours,
    crossover,
    enumerate_backbones,
    fusion_neighbours,
    mutate,
    neighbours,
    precision_neighbours,
    sample_backbone,
    sample_config,
    sample_fusion,
    sample_precision,
)
from bench.space.validate import parse_backbone, parse_config, parse_fusion, parse_precision

__all__ = [
    "COMPONENTS", "DEPTHS", "EXPANDS", "FP32_ONLY", "FUSION_OPS", "KERNELS", "MAX_CELLS", "MAX_NODES", "MODALITIES",
    "N_FUSION_INPUTS", "N_UNIT_BLOCKS", "PRECISIONS",
    "BackboneGenotype", "CellGenotype", "Config", "FusionGenotype", "NodeGenotype", "PrecisionGenotype",
    "canonical_json", "parse_backbone", "parse_config", "parse_fusion", "parse_precision",
    "sample_backbone", "sample_config", "sample_fusion", "sample_precision", "enumerate_backbones",
    "backbone_neighbours", "fusion_neighbours", "precision_neighbours", "neighbours", "mutate", "crossover",
    "encode_ordinal", "decode_ordinal", "encode_onehot", "decode_onehot",
    "ordinal_feature_names", "onehot_feature_names", "ordinal_bounds",
    "Gene", "genes", "gene_bounds", "encode_genes", "decode_genes",
]

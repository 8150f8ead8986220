"""Frozen-backbone features for fusion training, computed once per backbone."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from bench.data import TaskData
from bench.models import Backbone, ElasticBackbone, pool_features
from bench.space import BackboneGenotype
from bench.train.evaluate import batches, recalibrate_bn

SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class PooledFeatures:
    """Per split, the 4 pooled ``(n, C_i, 16)`` features of one backbone."""

    splits: dict[str, list[torch.Tensor]]


def subnet(supernet: ElasticBackbone, genotype: BackboneGenotype, data: TaskData, modality: str, bn_batches: int, batch_size: int) -> Backbone:
    """The standalone subnet with inherited weights and BN recalibrated on train batches."""
    net = supernet.extract(genotype)
    x = getattr(data.train, modality)
    calib = [xb for i, (xb, _) in enumerate(batches(x, data.train.label, batch_size)) if i < bn_batches]
    recalibrate_bn(net, net, calib)
    return net.eval()


@torch.no_grad()
def pooled_features(backbone: Backbone, data: TaskData, modality: str, batch_size: int = 256) -> PooledFeatures:
    """Run the frozen backbone over every split and keep its pooled fusion inputs."""
    out = {}
    for split in SPLITS:
        arrays = data.split(split)
        parts = [pool_features(backbone(xb)[0]) for xb, _ in batches(getattr(arrays, modality), arrays.label, batch_size)]
        out[split] = [torch.cat([p[i] for p in parts]) for i in range(len(parts[0]))]
    return PooledFeatures(out)

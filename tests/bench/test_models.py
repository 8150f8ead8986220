from __future__ import annotations

import numpy as np
import pytest
import torch

from bench.examples import load_example
from bench.models import (
    FUSION_OP_CLASSES,
    Backbone,
    ElasticBackbone,
    build_multimodal,
    count_macs,
    count_params,
    pool_features,
    skeleton,
)
from bench.models.layers import ConvLayer
from bench.space import FUSION_OPS, enumerate_backbones, parse_backbone, sample_backbone, sample_config
from bench.tasks import get_task


@pytest.fixture(scope="module")
def perturbed_supernet():
    """A supernet whose BN statistics and kernel transforms are far from their initial values."""
    torch.manual_seed(0)
    net = ElasticBackbone()
    rng = np.random.default_rng(0)
    with torch.no_grad():
        for transform in (p for u in net.units for p in u.kernel_transforms.values()):
            transform.add_(0.1 * torch.randn_like(transform))
    net.train()
    for _ in range(5):
        net(torch.randn(16, 1, 28, 28), sample_backbone(rng))
    return net.eval()


@pytest.mark.parametrize("modality", ["image", "audio"])
def test_extracted_subnet_equals_supernet(perturbed_supernet, modality):
    rng = np.random.default_rng(1)
    x = torch.randn(4, *get_task("soundmnist").input_shape(modality))
    genotypes = [sample_backbone(rng) for _ in range(12)]
    genotypes += [parse_backbone({"ks": [k] * 4, "e": [e] * 4, "d": [4]}) for k in (3, 5, 7) for e in (3, 6)]
    with torch.no_grad():
        for g in genotypes:
            features, logits = perturbed_supernet(x, g)
            sub = perturbed_supernet.extract(g).eval()
            sub_features, sub_logits = sub(x)
            assert torch.allclose(logits, sub_logits, atol=1e-5), g
            for a, b in zip(features, sub_features):
                assert torch.allclose(a, b, atol=1e-5)
            assert count_params(sub) < count_params(perturbed_supernet)


def test_kernel_sizes_share_the_centre_of_the_largest_kernel():
    net = ElasticBackbone()
    unit = net.units[1]
    full = unit.depthwise_weight[:72]
    assert torch.equal(unit.depthwise_kernel(7, 72), full)
    assert torch.equal(unit.depthwise_kernel(5, 72), full[:, :, 1:6, 1:6])  # identity transform at init
    assert torch.equal(unit.depthwise_kernel(3, 72), full[:, :, 2:5, 2:5])


def test_backbone_feature_shapes_follow_depth():
    for d, image_channels in ((2, [16, 16, 24, 24]), (3, [16, 24, 24, 24]), (4, [24, 24, 24, 24])):
        g = parse_backbone({"ks": [3] * 4, "e": [4] * 4, "d": [d]})
        features, logits = Backbone(g)(torch.zeros(2, 1, 28, 28))
        assert [f.shape[1] for f in features] == image_channels == skeleton.feature_channels(d)
        assert features[-1].shape[-2:] == (7, 7) and logits.shape == (2, 10)
        features, _ = Backbone(g)(torch.zeros(2, 1, 20, 20))
        assert features[-1].shape[-2:] == (5, 5)


@pytest.mark.parametrize("op", FUSION_OPS)
def test_fusion_operators_map_two_tensors_to_one(op):
    module = FUSION_OP_CLASSES[op](192, 16)
    x, y = torch.randn(3, 192, 16), torch.randn(3, 192, 16)
    out = module(x, y)
    assert out.shape == (3, 192, 16) and torch.isfinite(out).all()
    module.eval()
    if op != "Sum":  # every other operator is not symmetric in its inputs
        assert not torch.allclose(module(x, y), module(y, x))


def test_pooling_gives_length_16():
    pooled = pool_features([torch.randn(2, 24, 7, 7), torch.randn(2, 16, 10, 10), torch.randn(2, 24, 5, 5)])
    assert [tuple(p.shape) for p in pooled] == [(2, 24, 16), (2, 16, 16), (2, 24, 16)]


@pytest.mark.parametrize("seed", range(4))
def test_multimodal_forward_and_backward(seed):
    config = sample_config(np.random.default_rng(seed))
    model = build_multimodal(config)
    logits = model(torch.randn(4, 1, 28, 28), torch.randn(4, 1, 20, 20))
    assert logits.shape == (4, 10)
    logits.sum().backward()
    for module in (model.fusion.head_norm, model.fusion.classifier):
        assert all(p.grad is not None for p in module.parameters())
    used = {i for cell in config.fusion.cells for i in cell.inputs} | {6 + config.fusion.n_cells, 7 + config.fusion.n_cells}
    assert {int(k) for k in model.fusion.inputs} == used & set(range(8))


def test_chained_cells_train_every_reshape_layer():
    # in example 2 each cell feeds the next and the head reads the last two cells
    model = build_multimodal(load_example("harmonic_avmnist_2"))
    model(torch.randn(2, 1, 28, 28), torch.randn(2, 1, 20, 20)).sum().backward()
    assert all(p.grad is not None for p in model.fusion.inputs.parameters())


def test_mac_and_param_counts_match_hand_counts():
    stem = ConvLayer(1, 16, 3, 2, use_bn=True, act="h_swish")
    assert count_macs(stem, [torch.zeros(1, 1, 28, 28)]) == 16 * 14 * 14 * 9
    assert count_params(stem) == 16 * 9 + 2 * 16
    small, large = (Backbone(parse_backbone({"ks": [k] * 4, "e": [e] * 4, "d": [d]})) for k, e, d in ((3, 3, 2), (7, 6, 4)))
    x = [torch.zeros(1, 1, 28, 28)]
    assert count_macs(small, x) < count_macs(large, x)
    # the fusion network of row 1 (2 LinearGLU nodes): the per-component sum equals the whole
    from bench.models import component_stats

    stats = component_stats(load_example("harmonic_avmnist_1"))
    assert stats["total"]["params"] == sum(stats[c]["params"] for c in ("image", "audio", "fusion"))
    assert stats["total"]["macs"] >= sum(stats[c]["macs"] for c in ("image", "audio", "fusion"))


def test_every_backbone_builds():
    # cheap structural check of the whole tier-1 space
    for g in list(enumerate_backbones())[::97]:
        assert len(Backbone(g).blocks) == g.d

"""The gene vector of outside optimisers: every vector in bounds is a config, and configs round-trip."""

from __future__ import annotations

import numpy as np
import pytest

from bench.errors import ConfigError
from bench.space import FP32_ONLY, PRECISIONS, decode_genes, encode_genes, gene_bounds, genes, parse_config, sample_config


@pytest.mark.parametrize("precisions", [FP32_ONLY, PRECISIONS])
def test_every_vector_within_the_bounds_decodes_to_a_valid_config(precisions):
    lower, upper = gene_bounds(precisions)
    X = np.random.default_rng(0).integers(lower, upper + 1, size=(2000, len(lower)))
    configs = decode_genes(X, "soundmnist", precisions)
    assert all(parse_config(c.to_dict()) == c for c in configs)
    assert all(c.fusion.cells[i].inputs[0] != c.fusion.cells[i].inputs[1] for c in configs for i in range(c.fusion.n_cells))
    assert {c.fusion.n_cells for c in configs} == {1, 2, 3, 4} and {c.image.d for c in configs} == {2, 3, 4}
    assert decode_genes(encode_genes(configs, precisions), "soundmnist", precisions) == configs


@pytest.mark.parametrize("precisions", [FP32_ONLY, PRECISIONS])
def test_sampled_configs_round_trip(precisions):
    rng = np.random.default_rng(1)
    configs = [sample_config(rng, "soundmnist", precisions) for _ in range(500)]
    assert decode_genes(encode_genes(configs, precisions), "soundmnist", precisions) == configs


def test_the_second_input_of_a_pair_indexes_the_inputs_other_than_the_first():
    by_name = {g.name: g for g in genes()}
    second = by_name["fusion.cells[0].inputs[1]"]
    assert second.distinct_from == "fusion.cells[0].inputs[0]" and second.n_indices == 7
    assert second.value(3, {"fusion.cells[0].inputs[0]": 2}) == 4 and second.value(1, {"fusion.cells[0].inputs[0]": 2}) == 1
    assert by_name["image.ks[3]"].active_when == (("image.d", 3),) and by_name["image.ks[1]"].active_when == ()
    assert by_name["fusion.cells[2].nodes[1].op"].active_when == (("fusion.n_cells", 2), ("fusion.n_nodes", 1))
    order = [g.name for g in genes()]
    assert order.index("image.d") < order.index("image.ks[2]") and order.index("fusion.n_nodes") < order.index("fusion.cells[0].nodes[1].op")
    assert not any(g.name.startswith("precision.") for g in genes()) and len(genes(PRECISIONS)) == len(genes()) + 3


def test_bad_gene_vectors_are_refused_naming_the_problem():
    lower, upper = gene_bounds()
    with pytest.raises(ConfigError, match="expected 76"):
        decode_genes(np.zeros((1, 5)), "soundmnist")
    with pytest.raises(ConfigError, match=r"gene image\.d: index 3 outside 0\.\.2"):
        decode_genes(np.where(np.arange(len(lower)) == 0, 3, 0)[None, :], "soundmnist")
    with pytest.raises(ConfigError, match="whole numbers"):
        decode_genes(np.full((1, len(lower)), 0.5), "soundmnist")
    quantised = sample_config(np.random.default_rng(0), "soundmnist", ("int8",))
    with pytest.raises(ConfigError, match="outside"):
        encode_genes([quantised])

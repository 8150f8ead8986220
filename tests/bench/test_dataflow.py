"""Data flow of hand-built fusion networks: what reaches the head, and the surrogate features built on it."""

from __future__ import annotations

import numpy as np
import pytest

from bench.errors import UnknownNameError
from bench.space import encode_ordinal, parse_config, sample_config
from bench.space.dataflow import data_flow, flow_arrays
from bench.space.features import (
    SMALL_BATCH,
    dataflow_columns,
    dataflow_feature_names,
    encode_dataflow,
    encode_for_surrogate,
    surrogate_feature_names,
)
from bench.space.gene_arrays import gene_arrays

BACKBONE = {"ks": [3, 3, 3, 3], "e": [3, 3, 3, 3], "d": [2]}


def _config(cells):
    return parse_config({"task": "soundmnist", "image": BACKBONE, "audio": BACKBONE, "fusion": {"cells": cells}})


def _node(a, b, op):
    return {"inputs": [a, b], "op": op}


# cell 0 is never read (dead, and its first node dead inside it too); cell 1 fuses image 3 with audio 3; cell 2
# adds audio 1 to cell 1's output. The head reads cells 1 and 2 (states 9 and 10).
THREE_CELLS = [
    {"inputs": [0, 4], "nodes": [_node(0, 1, "Sum"), _node(0, 1, "ConcatFC")]},
    {"inputs": [3, 7], "nodes": [_node(0, 1, "SE1"), _node(0, 2, "LinearGLU")]},
    {"inputs": [9, 5], "nodes": [_node(0, 1, "ScaleDotAttn"), _node(1, 2, "CatConvMish")]},
]
# one cell over two audio features: the head reads audio 3 (state 7) directly and the cell; no image at all
AUDIO_ONLY = [{"inputs": [4, 5], "nodes": [_node(0, 1, "Sum")]}]


def _features(cells) -> dict[str, float]:
    return dict(zip(dataflow_feature_names(), encode_dataflow([_config(cells)])[0]))


def test_dead_cells_nodes_and_inputs_are_found():
    flow = data_flow(_config(THREE_CELLS).fusion)
    assert flow.live_inputs == (3, 5, 7)
    assert not flow.live_cell(0) and flow.live_cell(1) and flow.live_cell(2)
    assert flow.live_nodes == ((False, False), (True, True), (True, True))
    assert flow.hops == {3: 1, 7: 1, 5: 1}
    assert flow.reaches(0) == (3,) and flow.reaches(1) == (1, 3)


def test_a_node_the_last_node_does_not_read_is_dead():
    cells = [{"inputs": [3, 7], "nodes": [_node(0, 1, "SE1"), _node(0, 1, "LinearGLU")]}]
    assert data_flow(_config(cells).fusion).live_nodes == ((False, True),)


def test_hops_count_the_shortest_path_through_cells():
    cells = [{"inputs": [2, 6], "nodes": [_node(0, 1, "Sum")]}, {"inputs": [8, 1], "nodes": [_node(0, 1, "Sum")]},
             {"inputs": [9, 0], "nodes": [_node(0, 1, "Sum")]}]
    flow = data_flow(_config(cells).fusion)  # head reads cells 1 and 2; image 2 and audio 2 enter at cell 0
    assert flow.hops == {2: 2, 6: 2, 1: 1, 0: 1}
    assert all(flow.live_cell(c) for c in range(3))


def test_features_of_the_three_cell_network():
    f = _features(THREE_CELLS)
    assert [f[f"flow.reach[{i}]"] for i in range(8)] == [0, 0, 0, 1, 0, 1, 0, 1]
    assert [f[f"flow.hops[{i}]"] for i in range(8)] == [-1, -1, -1, 1, -1, 1, -1, 1]
    assert (f["flow.image.n_live"], f["flow.image.earliest"], f["flow.image.latest"], f["flow.image.min_hops"]) == (1, 4, 4, 1)
    assert (f["flow.audio.n_live"], f["flow.audio.earliest"], f["flow.audio.latest"], f["flow.audio.min_hops"]) == (2, 2, 4, 1)
    assert (f["flow.n_live_cells"], f["flow.n_live_nodes"], f["flow.n_dead_nodes"]) == (2, 4, 2)
    assert f["flow.n_mixing_nodes"] == 4 and f["flow.head_sees_both"] == 1
    assert [f[f"flow.live_op={op}"] for op in ("Sum", "ScaleDotAttn", "LinearGLU", "ConcatFC", "SE1", "CatConvMish")] == [0, 1, 1, 0, 1, 1]


def test_features_of_a_network_that_reads_no_image():
    f = _features(AUDIO_ONLY)
    assert (f["flow.image.n_live"], f["flow.image.earliest"], f["flow.image.latest"], f["flow.image.min_hops"]) == (0, 0, 0, -1)
    assert f["flow.hops[7]"] == 0 and f["flow.hops[4]"] == 1 and f["flow.hops[5]"] == 1
    assert f["flow.head_sees_both"] == 0 and f["flow.n_mixing_nodes"] == 0


def test_configs_differing_only_in_dead_genes_share_their_dataflow_columns():
    other = [{**THREE_CELLS[0], "inputs": [1, 6], "nodes": [_node(0, 1, "SE1"), _node(0, 1, "Sum")]}, *THREE_CELLS[1:]]
    assert np.array_equal(encode_dataflow([_config(THREE_CELLS)]), encode_dataflow([_config(other)]))


def test_surrogate_encodings_have_named_columns():
    configs = [sample_config(np.random.default_rng(s)) for s in range(5)]
    for encoding in ("ordinal", "dataflow"):
        assert encode_for_surrogate(configs, encoding).shape == (5, len(surrogate_feature_names(encoding)))
    assert np.array_equal(encode_for_surrogate(configs, "dataflow")[:, :79], encode_for_surrogate(configs, "ordinal"))
    with pytest.raises(UnknownNameError, match="unknown surrogate encoding 'onehot'"):
        encode_for_surrogate(configs, "onehot")


def test_backbone_layers_that_reach_the_head():
    # depth 2 backbones: the 4 features are stem (layer 0), fixed (1), unit blocks 0 and 1 (layers 2, 3)
    f = _features(THREE_CELLS)  # image feature 3 -> layer 3; audio features 1 and 3 -> layers 1 and 3
    assert (f["flow.image.earliest_layer"], f["flow.image.latest_layer"]) == (3, 3)
    assert (f["flow.audio.earliest_layer"], f["flow.audio.latest_layer"]) == (1, 3)
    assert (f["flow.image.latest_kernel"], f["flow.image.latest_expand"]) == (3, 3)  # unit block 1 of BACKBONE
    assert [f[f"flow.audio.live_layer[{k}]"] for k in range(6)] == [0, 1, 0, 1, 0, 0]
    deep = parse_config({**_config(THREE_CELLS).to_dict(), "image": {"ks": [3, 5, 7, 5], "e": [3, 4, 6, 4], "d": [4]}})
    g = dict(zip(dataflow_feature_names(), encode_dataflow([deep])[0]))
    assert (g["flow.image.latest_layer"], g["flow.image.latest_kernel"], g["flow.image.latest_expand"]) == (5, 5, 4)
    none = _features(AUDIO_ONLY)
    assert (none["flow.image.latest_layer"], none["flow.image.latest_kernel"]) == (-1, 0)


def test_batched_flow_and_features_agree_with_one_genotype_at_a_time():
    """flow_arrays / dataflow_columns (numpy over a batch) against data_flow / the per-config rows (below SMALL_BATCH)."""
    configs = [sample_config(np.random.default_rng(seed)) for seed in range(400)]
    genes = gene_arrays(encode_ordinal(configs))
    flows = flow_arrays(genes.n_cells, genes.n_nodes, genes.cell_inputs, genes.node_inputs)
    for n, config in enumerate(configs):
        one = data_flow(config.fusion)
        n_cells, n_nodes = config.fusion.n_cells, config.fusion.n_nodes
        assert set(np.nonzero(flows.live[n])[0]) == set(one.live_states)
        assert tuple(tuple(cell[:n_nodes]) for cell in flows.live_nodes[n, :n_cells].tolist()) == one.live_nodes
        assert tuple(flows.reads_y[n, :n_cells].tolist()) == one.reads_y
        assert {i: h for i, h in enumerate(flows.hops[n].tolist()) if h >= 0} == one.hops
    assert len(configs) > SMALL_BATCH
    np.testing.assert_array_equal(dataflow_columns(genes), np.vstack([encode_dataflow([c]) for c in configs]))
    np.testing.assert_array_equal(encode_dataflow(configs), dataflow_columns(genes))

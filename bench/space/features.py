"""Data-flow features of a config's fusion network, for surrogates (:mod:`bench.space.dataflow`).

The ordinal encoding says what each gene is; these columns say what the network does with
it: which backbone features reach the head and through how many cells, how many cells and
nodes are live, which operators sit on live paths, how many live nodes mix the two
modalities; and, joining the fusion network to its backbones, which backbone layers' maps
reach the head (the 4 features are the last 4 of stem, fixed block and unit blocks, so a
feature's layer depends on the depth) and the kernel and expand ratio of the unit block
that makes the latest of them. Two configs that differ only in dead genes get the same
data-flow columns. Column names come from :func:`dataflow_feature_names`.

Two ways to the same values: config by config in Python (fastest for a few configs,
:data:`SMALL_BATCH`), and :func:`dataflow_columns` with numpy over a batch of gene arrays
(fastest past that; :func:`surrogate_inputs` takes the ordinal matrix a caller already
holds). ``tests/bench/test_dataflow.py`` checks that they agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from bench.errors import UnknownNameError
from bench.space.config import (
    FUSION_OPS,
    MAX_NODES,
    MODALITIES,
    N_FEATURES_PER_MODALITY,
    N_FUSION_INPUTS,
    N_UNIT_BLOCKS,
    Config,
    FusionGenotype,
)
from bench.space.dataflow import N_STATES, DataFlow, FlowArrays, data_flow, flow_arrays
from bench.space.encoding import encode_ordinal, ordinal_feature_names
from bench.space.gene_arrays import GeneArrays, gene_arrays

N_LAYERS = 2 + N_UNIT_BLOCKS  # stem, fixed block, unit blocks: the layers whose outputs can be fusion features
SMALL_BATCH = 8  # up to this many configs, Python config by config beats numpy's per-call cost over the batch
_ALL_MODALITIES = (1 << len(MODALITIES)) - 1  # bit m: the value depends on a live feature of modality m
_NO_HOPS = np.iinfo(np.int64).max


@lru_cache(maxsize=None)
def dataflow_feature_names() -> tuple[str, ...]:
    """Column names of :func:`encode_dataflow`, in order."""
    names = [f"flow.reach[{i}]" for i in range(N_FUSION_INPUTS)] + [f"flow.hops[{i}]" for i in range(N_FUSION_INPUTS)]
    for m in MODALITIES:
        names += [f"flow.{m}.n_live", f"flow.{m}.earliest", f"flow.{m}.latest", f"flow.{m}.min_hops"]
    names += ["flow.n_live_cells", "flow.n_live_nodes", "flow.n_dead_nodes", "flow.n_mixing_nodes", "flow.head_sees_both"]
    names += [f"flow.live_op={op}" for op in FUSION_OPS]
    for m in MODALITIES:
        names += [f"flow.{m}.earliest_layer", f"flow.{m}.latest_layer", f"flow.{m}.latest_kernel", f"flow.{m}.latest_expand"]
        names += [f"flow.{m}.live_layer[{k}]" for k in range(N_LAYERS)]
    return tuple(names)


def encode_dataflow(configs: Sequence[Config]) -> np.ndarray:
    """The data-flow columns of ``configs``, an ``(n, len(dataflow_feature_names()))`` float array: config by config up to
    :data:`SMALL_BATCH` configs, :func:`dataflow_columns` over the batch past it (the same values)."""
    if len(configs) <= SMALL_BATCH:
        rows = [_fusion_row(c.fusion) + _backbone_row(c) for c in configs]
        return np.array(rows, dtype=float).reshape(len(configs), len(dataflow_feature_names()))
    return dataflow_columns(gene_arrays(encode_ordinal(list(configs))))


def dataflow_columns(genes: GeneArrays) -> np.ndarray:
    """The data-flow columns of a batch given as gene arrays (numpy over the batch)."""
    flow = flow_arrays(genes.n_cells, genes.n_nodes, genes.cell_inputs, genes.node_inputs)
    columns = [flow.live[:, :N_FUSION_INPUTS], flow.hops]
    features = [slice(m * N_FEATURES_PER_MODALITY, (m + 1) * N_FEATURES_PER_MODALITY) for m in range(len(MODALITIES))]
    reached = [flow.live[:, f] for f in features]  # per modality, which of its features reach the head
    ends = [_first_and_last(r) for r in reached]  # and the first and last of them
    for r, (first, last), f in zip(reached, ends, features):
        min_hops = np.where(r.any(axis=1), np.where(r, flow.hops[:, f], _NO_HOPS).min(axis=1), -1)
        columns.append(np.stack([r.sum(axis=1), first + 1, last + 1, min_hops], axis=1))
    n_live_nodes = flow.live_nodes.sum(axis=(1, 2))
    columns.append(np.stack([
        flow.live[:, N_FUSION_INPUTS:].sum(axis=1), n_live_nodes, genes.n_cells * genes.n_nodes - n_live_nodes,
        *_mixing(genes, flow),
    ], axis=1))
    columns.append(np.stack([((genes.op == k) & flow.live_nodes).sum(axis=(1, 2)) for k in range(len(FUSION_OPS))], axis=1))
    columns += [_backbone_columns(genes, index, reached[index], *ends[index]) for index in range(len(MODALITIES))]
    return np.hstack([np.asarray(c, dtype=float).reshape(len(genes), -1) for c in columns])


def _first_and_last(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the first and last True position of ``mask`` ``(n, k)`` (-1 for a row without one)."""
    any_set = mask.any(axis=1)
    first = np.where(any_set, mask.argmax(axis=1), -1)
    last = np.where(any_set, mask.shape[1] - 1 - mask[:, ::-1].argmax(axis=1), -1)
    return first, last


def _backbone_columns(genes: GeneArrays, index: int, reached: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """For the ``index``-th modality, whose features ``reached`` reach the head (``first`` and ``last`` of them): the
    layers (0 = stem) whose maps reach the head, and the unit block making the latest of them. Feature ``q``
    (0 = earliest) is the map of layer ``depth - 2 + q``."""
    rows = np.arange(len(genes))
    depth = genes.depth[:, index]
    earliest, latest = np.where(first >= 0, depth - 2 + first, -1), np.where(last >= 0, depth - 2 + last, -1)
    block = latest - 2  # unit block of that layer (negative: the stem or fixed block, no kernel choice; read, then masked)
    has_block = block >= 0
    kernel = np.where(has_block, genes.kernel[rows, index, block], 0)
    expand = np.where(has_block, genes.expand[rows, index, block], 0)
    live_layers = np.zeros((len(genes), N_LAYERS), dtype=bool)
    for q in range(N_FEATURES_PER_MODALITY):
        live_layers[rows, depth - 2 + q] |= reached[:, q]
    return np.column_stack([earliest, latest, kernel, expand, live_layers])


def _mixing(genes: GeneArrays, flow: FlowArrays) -> tuple[np.ndarray, np.ndarray]:
    """Live nodes whose two inputs carry different modalities (where the fusion happens), and whether the head sees every
    modality. A state carries the modalities (bit mask) of the backbone features its value depends on. Inactive genes
    (-1) index the last slot: what they read is masked out."""
    n = len(genes)
    rows = np.arange(n)
    carried = np.zeros((n, N_STATES), dtype=np.int64)
    carried[:, :N_FUSION_INPUTS] = 1 << (np.arange(N_FUSION_INPUTS) // N_FEATURES_PER_MODALITY)
    mixing = np.zeros(n, dtype=np.int64)
    for ci in range(int(genes.n_cells.max(initial=0))):
        values = np.zeros((n, 2 + MAX_NODES), dtype=np.int64)
        values[:, :2] = carried[rows[:, None], genes.cell_inputs[:, ci]]
        for t in range(int(genes.n_nodes.max(initial=0))):
            a = values[rows, genes.node_inputs[:, ci, t, 0]]
            b = values[rows, genes.node_inputs[:, ci, t, 1]]
            values[:, 2 + t] = a | b
            mixing += flow.live_nodes[:, ci, t] & (a != b) & ((a | b) == _ALL_MODALITIES)
        # the output is LayerNorm(last node + x)
        carried[:, N_FUSION_INPUTS + ci] = np.where(ci < genes.n_cells, values[rows, 1 + genes.n_nodes] | values[:, 0], 0)
    head = carried[rows, N_FUSION_INPUTS + genes.n_cells - 1] | carried[rows, N_FUSION_INPUTS + genes.n_cells - 2]
    return mixing, head == _ALL_MODALITIES


def _backbone_row(config: Config) -> tuple[float, ...]:
    """:func:`_backbone_columns` of one config."""
    positions = _live_positions(config.fusion)
    out: list[float] = []
    for index, m in enumerate(MODALITIES):
        genotype = config.backbone(m)
        layers = [genotype.d - 2 + q for q in positions[index]]  # feature q is the map of layer d - 2 + q
        latest = layers[-1] if layers else -1
        block = latest - 2  # unit block index of that layer (negative: the stem or fixed block, no kernel choice)
        out += [layers[0] if layers else -1, latest, genotype.ks[block] if block >= 0 else 0, genotype.e[block] if block >= 0 else 0]
        out += [float(k in layers) for k in range(N_LAYERS)]
    return tuple(out)


@lru_cache(maxsize=65536)
def _live_positions(fusion: FusionGenotype) -> tuple[tuple[int, ...], ...]:
    flow = data_flow(fusion)
    return tuple(flow.reaches(index) for index in range(len(MODALITIES)))


@lru_cache(maxsize=65536)
def _fusion_row(fusion: FusionGenotype) -> tuple[float, ...]:
    """The columns of :func:`dataflow_columns` that depend on the fusion network alone, for one network."""
    flow = data_flow(fusion)
    reach = [float(i in flow.live_states) for i in range(N_FUSION_INPUTS)]
    hops = [float(flow.hops.get(i, -1)) for i in range(N_FUSION_INPUTS)]
    per_modality: list[float] = []
    for index in range(len(MODALITIES)):
        positions = flow.reaches(index)
        first = index * N_FEATURES_PER_MODALITY
        hop_counts = [flow.hops[first + p] for p in positions]
        per_modality += [len(positions), positions[0] + 1 if positions else 0, positions[-1] + 1 if positions else 0,
                         min(hop_counts) if hop_counts else -1]
    live_nodes = [node for cell, live in zip(fusion.cells, flow.live_nodes) for node, on in zip(cell.nodes, live) if on]
    n_nodes = fusion.n_cells * fusion.n_nodes
    carried = _modalities_carried(fusion)
    counts = [float(sum(node.op == op for node in live_nodes)) for op in FUSION_OPS]
    head_modalities = carried[-1] | carried[-2]
    return (
        *reach, *hops, *per_modality,
        float(sum(flow.live_cell(ci) for ci in range(fusion.n_cells))), float(len(live_nodes)), float(n_nodes - len(live_nodes)),
        float(_mixing_nodes(fusion, flow, carried)), float(len(head_modalities) == len(MODALITIES)),
        *counts,
    )


def _modalities_carried(fusion: FusionGenotype) -> list[frozenset[int]]:
    """Per state, the modalities (indices) whose live features its value depends on."""
    carried = [frozenset({i // N_FEATURES_PER_MODALITY}) for i in range(N_FUSION_INPUTS)]
    for cell in fusion.cells:
        values = [carried[cell.inputs[0]], carried[cell.inputs[1]]]
        for node in cell.nodes:
            values.append(values[node.inputs[0]] | values[node.inputs[1]])
        carried.append(values[-1] | values[0])  # the output is LayerNorm(last node + x)
    return carried


def _mixing_nodes(fusion: FusionGenotype, flow: DataFlow, carried: list[frozenset[int]]) -> int:
    """Live nodes whose two inputs carry different modalities (where the fusion happens)."""
    count = 0
    for cell, live in zip(fusion.cells, flow.live_nodes):
        values = [carried[cell.inputs[0]], carried[cell.inputs[1]]]
        for node, on in zip(cell.nodes, live):
            a, b = values[node.inputs[0]], values[node.inputs[1]]
            count += on and a != b and len(a | b) == len(MODALITIES)
            values.append(a | b)
    return count


ENCODINGS: tuple[str, ...] = ("ordinal", "dataflow")  # the inputs a surrogate may be fitted on
DEFAULT_ENCODING = "dataflow"  # the one the release's surrogates are fitted on


def encode_for_surrogate(configs: Sequence[Config], encoding: str) -> np.ndarray:
    """The surrogate inputs of ``configs``: ``ordinal`` (:func:`bench.space.encode_ordinal`) or ``dataflow``
    (the ordinal columns, then :func:`encode_dataflow`'s)."""
    if encoding == "dataflow" and len(configs) <= SMALL_BATCH:
        return np.hstack([encode_ordinal(list(configs)), encode_dataflow(configs)])
    return surrogate_inputs(encode_ordinal(list(configs)), encoding)


def surrogate_inputs(ordinal: np.ndarray, encoding: str, genes: GeneArrays | None = None) -> np.ndarray:
    """:func:`encode_for_surrogate` of the configs whose ordinal encoding is ``ordinal`` ``(n, 79)`` (``genes``: its gene
    arrays, where the caller has them already)."""
    if encoding == "ordinal":
        return np.asarray(ordinal, dtype=float)
    if encoding == "dataflow":
        return np.hstack([ordinal, dataflow_columns(gene_arrays(ordinal) if genes is None else genes)])
    raise UnknownNameError(f"unknown surrogate encoding {encoding!r}, expected one of {list(ENCODINGS)}")


def surrogate_feature_names(encoding: str) -> list[str]:
    """Column names of :func:`encode_for_surrogate` for ``encoding``."""
    if encoding not in ENCODINGS:
        raise UnknownNameError(f"unknown surrogate encoding {encoding!r}, expected one of {list(ENCODINGS)}")
    return ordinal_feature_names() + (list(dataflow_feature_names()) if encoding == "dataflow" else [])

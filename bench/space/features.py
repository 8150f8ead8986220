"""Data-flow features of a config's fusion network, for surrogates (:mod:`bench.space.dataflow`).

The ordinal encoding says what each gene is; these columns say what the network does with
it: which backbone features reach the head and through how many cells, how many cells and
nodes are live, which operators sit on live paths, how many live nodes mix the two
modalities; and, joining the fusion network to its backbones, which backbone layers' maps
reach the head (the 4 features are the last 4 of stem, fixed block and unit blocks, so a
feature's layer depends on the depth) and the kernel and expand ratio of the unit block
that makes the latest of them. Two configs that differ only in dead genes get the same
data-flow columns. Column names come from :func:`dataflow_feature_names`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from bench.errors import UnknownNameError
from bench.space.config import (
    FUSION_OPS,
    MODALITIES,
    N_FEATURES_PER_MODALITY,
    N_FUSION_INPUTS,
    N_UNIT_BLOCKS,
    Config,
    FusionGenotype,
)
from bench.space.dataflow import DataFlow, data_flow
from bench.space.encoding import encode_ordinal, ordinal_feature_names


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
    """The data-flow columns of ``configs``, an ``(n, len(dataflow_feature_names()))`` float array."""
    rows = [_fusion_row(c.fusion) + _backbone_columns(c) for c in configs]
    return np.array(rows, dtype=float).reshape(len(configs), len(dataflow_feature_names()))


N_LAYERS = 2 + N_UNIT_BLOCKS  # stem, fixed block, unit blocks: the layers whose outputs can be fusion features


def _backbone_columns(config: Config) -> tuple[float, ...]:
    """Per modality: the layers (0 = stem) whose maps reach the head, and the unit block making the latest of them."""
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
    if encoding == "ordinal":
        return encode_ordinal(list(configs))
    if encoding == "dataflow":
        return np.hstack([encode_ordinal(list(configs)), encode_dataflow(configs)])
    raise UnknownNameError(f"unknown surrogate encoding {encoding!r}, expected one of {list(ENCODINGS)}")


def surrogate_feature_names(encoding: str) -> list[str]:
    """Column names of :func:`encode_for_surrogate` for ``encoding``."""
    if encoding not in ENCODINGS:
        raise UnknownNameError(f"unknown surrogate encoding {encoding!r}, expected one of {list(ENCODINGS)}")
    return ordinal_feature_names() + (list(dataflow_feature_names()) if encoding == "dataflow" else [])

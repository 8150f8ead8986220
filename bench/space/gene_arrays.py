"""A batch of configs as named integer arrays, read off its ordinal encoding.

The batched query path (surrogate features, static costs) works on whole batches with
numpy instead of one config at a time: :func:`gene_arrays` splits the ``(n, 79)`` ordinal
matrix (:func:`bench.space.encode_ordinal`) into one array per kind of gene. Inactive genes
keep the ordinal encoding's values (``0`` for backbone genes, ``-1`` for fusion genes).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from bench.errors import ConfigError
from bench.space.config import (
    COMPONENTS,
    DEPTHS,
    EXPANDS,
    FUSION_OPS,
    KERNELS,
    MAX_CELLS,
    MAX_NODES,
    MODALITIES,
    N_FUSION_INPUTS,
    N_UNIT_BLOCKS,
    SYMMETRIC_OPS,
)
from bench.space.encoding import PRECISION_BITS, gene_choices


@dataclass(frozen=True)
class GeneArrays:
    """The genes of ``n`` configs (modality axis in :data:`MODALITIES` order).

    Attributes:
        depth: ``(n, 2)`` unit-block depth per modality.
        kernel: ``(n, 2, 4)`` kernel size per unit block (0 beyond the depth).
        expand: ``(n, 2, 4)`` expand ratio per unit block (0 beyond the depth).
        n_cells: ``(n,)`` fusion cells.
        n_nodes: ``(n,)`` nodes per cell.
        cell_inputs: ``(n, 4, 2)`` state indices of each cell's x and y (-1 for cells beyond ``n_cells``).
        node_inputs: ``(n, 4, 4, 2)`` local indices each node reads (0 = x, 1 = y, 2 + t = node t; -1 inactive).
        op: ``(n, 4, 4)`` operator index in :data:`bench.space.FUSION_OPS` (-1 inactive).
        bits: ``(n, 3)`` weight bits per component in :data:`bench.space.COMPONENTS` order.
    """

    depth: np.ndarray
    kernel: np.ndarray
    expand: np.ndarray
    n_cells: np.ndarray
    n_nodes: np.ndarray
    cell_inputs: np.ndarray
    node_inputs: np.ndarray
    op: np.ndarray
    bits: np.ndarray

    def __len__(self) -> int:
        return len(self.n_cells)


def gene_arrays(ordinal: np.ndarray, check: bool = False) -> GeneArrays:
    """The :class:`GeneArrays` of an ``(n, 79)`` ordinal matrix.

    Args:
        check: refuse a matrix whose rows are not all ordinal encodings of canonical configs (what a caller builds
            by hand, not :func:`bench.space.encode_ordinal`'s output).

    Raises:
        ConfigError: with ``check``, naming the first bad row and what is wrong with it.
    """
    X = np.asarray(ordinal, dtype=float)
    if X.ndim != 2 or X.shape[1] != len(gene_choices()):
        raise ConfigError(f"ordinal matrix: got shape {X.shape}, expected (n, {len(gene_choices())})")
    if check:
        wrong = ~np.isfinite(X) | (X != np.round(X))
        if wrong.any():
            raise ConfigError(f"ordinal matrix row {int(np.argmax(wrong.any(axis=1)))}: values must be finite whole numbers")
    X = X.astype(np.int64)
    at = _columns()
    n = len(X)
    genes = GeneArrays(
        depth=X[:, at["depth"]],
        kernel=X[:, at["kernel"]].reshape(n, len(MODALITIES), N_UNIT_BLOCKS),
        expand=X[:, at["expand"]].reshape(n, len(MODALITIES), N_UNIT_BLOCKS),
        n_cells=X[:, at["n_cells"]],
        n_nodes=X[:, at["n_nodes"]],
        cell_inputs=X[:, at["cell_inputs"]].reshape(n, MAX_CELLS, 2),
        node_inputs=X[:, at["node_inputs"]].reshape(n, MAX_CELLS, MAX_NODES, 2),
        op=X[:, at["op"]].reshape(n, MAX_CELLS, MAX_NODES),
        bits=X[:, at["bits"]],
    )
    if check:
        _check(genes)
    return genes


def _check(genes: GeneArrays) -> None:
    """Raise :class:`ConfigError` at the first row that is not a canonical config's encoding."""
    blocks_on = np.arange(N_UNIT_BLOCKS) < genes.depth[:, :, None]
    cells_on = np.arange(MAX_CELLS) < genes.n_cells[:, None]
    nodes_on = cells_on[:, :, None] & (np.arange(MAX_NODES) < genes.n_nodes[:, None, None])
    cell_range = N_FUSION_INPUTS + np.arange(MAX_CELLS)[None, :, None]  # states a cell may read
    node_range = 2 + np.arange(MAX_NODES)[None, None, :, None]  # local values a node may read
    node_inputs = genes.node_inputs
    symmetric = np.isin(genes.op, [FUSION_OPS.index(op) for op in SYMMETRIC_OPS])
    rules = [  # (what is wrong, (n,) or (n, ...) True where wrong)
        ("depth outside the choices", ~np.isin(genes.depth, DEPTHS)),
        ("kernel outside the choices, or not 0 beyond the depth",
         np.where(blocks_on, ~np.isin(genes.kernel, KERNELS), genes.kernel != 0)),
        ("expand ratio outside the choices, or not 0 beyond the depth",
         np.where(blocks_on, ~np.isin(genes.expand, EXPANDS), genes.expand != 0)),
        ("cell or node count outside 1..4", (genes.n_cells < 1) | (genes.n_cells > MAX_CELLS) | (genes.n_nodes < 1)
         | (genes.n_nodes > MAX_NODES)),
        ("cell input outside the earlier states, or not -1 in an unused cell",
         np.where(cells_on[:, :, None], (genes.cell_inputs < 0) | (genes.cell_inputs >= cell_range), genes.cell_inputs != -1)),
        ("a cell reads one state twice", cells_on & (genes.cell_inputs[..., 0] == genes.cell_inputs[..., 1])),
        ("node input outside the earlier values, or not -1 in an unused node",
         np.where(nodes_on[..., None], (node_inputs < 0) | (node_inputs >= node_range), node_inputs != -1)),
        ("a node reads one value twice", nodes_on & (node_inputs[..., 0] == node_inputs[..., 1])),
        ("operator outside the choices, or not -1 in an unused node",
         np.where(nodes_on, (genes.op < 0) | (genes.op >= len(FUSION_OPS)), genes.op != -1)),
        ("inputs of a symmetric operator not in ascending order (not canonical)",
         nodes_on & symmetric & (node_inputs[..., 0] > node_inputs[..., 1])),
        ("precision bits not one of 32, 8, 4", ~np.isin(genes.bits, list(PRECISION_BITS.values()))),
    ]
    for what, wrong in rules:
        rows = wrong.reshape(len(genes), -1).any(axis=1)
        if rows.any():
            raise ConfigError(f"ordinal matrix row {int(np.argmax(rows))}: {what}")


@lru_cache(maxsize=None)
def _columns() -> dict[str, list[int] | int]:
    """Ordinal column (or columns, in array order) of every kind of gene."""
    column = {name: j for j, (name, _) in enumerate(gene_choices())}
    cells, nodes = range(MAX_CELLS), range(MAX_NODES)
    return {
        "depth": [column[f"{m}.d"] for m in MODALITIES],
        "kernel": [column[f"{m}.ks[{i}]"] for m in MODALITIES for i in range(N_UNIT_BLOCKS)],
        "expand": [column[f"{m}.e[{i}]"] for m in MODALITIES for i in range(N_UNIT_BLOCKS)],
        "n_cells": column["fusion.n_cells"],
        "n_nodes": column["fusion.n_nodes"],
        "cell_inputs": [column[f"fusion.cells[{c}].inputs[{s}]"] for c in cells for s in (0, 1)],
        "node_inputs": [column[f"fusion.cells[{c}].nodes[{t}].inputs[{s}]"] for c in cells for t in nodes for s in (0, 1)],
        "op": [column[f"fusion.cells[{c}].nodes[{t}].op"] for c in cells for t in nodes],
        "bits": [column[f"precision.{comp}"] for comp in COMPONENTS],
    }

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

from bench.space.config import COMPONENTS, MAX_CELLS, MAX_NODES, MODALITIES, N_UNIT_BLOCKS
from bench.space.encoding import gene_choices


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


def gene_arrays(ordinal: np.ndarray) -> GeneArrays:
    """The :class:`GeneArrays` of an ``(n, 79)`` ordinal matrix."""
    X = np.asarray(ordinal).astype(np.int64)
    at = _columns()
    n = len(X)
    return GeneArrays(
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

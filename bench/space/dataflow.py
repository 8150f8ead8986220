"""Which parts of a fusion network reach its classifier head (DESIGN.md section 3, tier 2).

The head reads the last two states; a cell's output is ``LayerNorm(last node + x)``, so it
depends on its ``x`` input, its last node and that node's ancestors, and on its ``y`` input
only where one of those nodes reads it. Everything else is computed and thrown away: a
*dead* node, a dead cell (its output is never read), a backbone feature no live cell reads.
:func:`data_flow` works this out for one genotype (a :class:`DataFlow`), :func:`flow_arrays`
for a whole batch given as gene arrays (numpy over the batch, a loop over the at most 4 cells
and 4 nodes: the fast way past a few configs); ``tests/bench/test_dataflow.py`` checks that
they agree. The surrogate features (:mod:`bench.space.features`) and
the ``deployed`` cost accounting (:mod:`bench.hardware.deployed`) read them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bench.space.config import MAX_CELLS, MAX_NODES, N_FEATURES_PER_MODALITY, N_FUSION_INPUTS, CellGenotype, FusionGenotype

N_STATES = N_FUSION_INPUTS + MAX_CELLS  # backbone features, then one state per cell
_FAR = np.iinfo(np.int64).max // 2  # hops of a state no path has reached yet


@dataclass(frozen=True)
class FlowArrays:
    """The live parts of ``n`` fusion networks.

    Attributes:
        live: ``(n, N_STATES)`` whether each state (backbone features, then cells) reaches the head.
        hops: ``(n, N_FUSION_INPUTS)`` per backbone feature, the fewest cells its value passes through on the way to
            the head (0: the head reads it directly; -1: it does not reach the head).
        live_nodes: ``(n, MAX_CELLS, MAX_NODES)`` whether each node's output reaches the head.
        reads_y: ``(n, MAX_CELLS)`` whether a live node of a live cell reads the cell's ``y`` input.
    """

    live: np.ndarray
    hops: np.ndarray
    live_nodes: np.ndarray
    reads_y: np.ndarray


def flow_arrays(n_cells: np.ndarray, n_nodes: np.ndarray, cell_inputs: np.ndarray, node_inputs: np.ndarray) -> FlowArrays:
    """The :class:`FlowArrays` of ``n`` fusion networks given as gene arrays (:class:`bench.space.gene_arrays.GeneArrays`:
    ``(n,)`` cell and node counts, ``(n, 4, 2)`` cell inputs, ``(n, 4, 4, 2)`` node inputs)."""
    n = len(n_cells)
    rows = np.arange(n)
    cell_on = np.arange(MAX_CELLS) < n_cells[:, None]
    node_on = np.arange(MAX_NODES) < n_nodes[:, None]
    # inside each cell: x (the residual) and the last node reach the output, then the inputs of live nodes
    in_cell = np.zeros((n, MAX_CELLS, 2 + MAX_NODES), dtype=bool)
    in_cell[:, :, 0] = True
    in_cell[rows[:, None], np.arange(MAX_CELLS), (1 + n_nodes)[:, None]] = True
    for t in reversed(range(int(n_nodes.max(initial=0)))):
        r, c = np.nonzero(in_cell[:, :, 2 + t] & cell_on & node_on[:, t, None])
        for s in (0, 1):
            in_cell[r, c, node_inputs[r, c, t, s]] = True
    # across cells, from the head back: a live cell makes its x live, and its y where a live node reads it
    live = np.zeros((n, N_STATES), dtype=bool)
    hops = np.full((n, N_STATES), _FAR)
    for head in (N_FUSION_INPUTS + n_cells - 2, N_FUSION_INPUTS + n_cells - 1):
        live[rows, head], hops[rows, head] = True, 0
    reads_y = in_cell[:, :, 1] & cell_on
    for ci in reversed(range(int(n_cells.max(initial=0)))):
        state = N_FUSION_INPUTS + ci
        cell_live = live[:, state] & cell_on[:, ci]
        for s, reads in ((0, cell_live), (1, cell_live & reads_y[:, ci])):
            r = np.nonzero(reads)[0]
            source = cell_inputs[r, ci, s]
            live[r, source] = True
            hops[r, source] = np.minimum(hops[r, source], hops[r, state] + 1)
    cells_live = live[:, N_FUSION_INPUTS:]
    return FlowArrays(
        live=live,
        hops=np.where(live[:, :N_FUSION_INPUTS], hops[:, :N_FUSION_INPUTS], -1),
        live_nodes=in_cell[:, :, 2:] & node_on[:, None, :] & cell_on[:, :, None] & cells_live[:, :, None],
        reads_y=reads_y & cells_live,
    )


@dataclass(frozen=True)
class DataFlow:
    """The live parts of one fusion network.

    Attributes:
        live_states: indices of the states whose value reaches the head (backbone features
            ``0 .. n_inputs - 1``, then one per cell).
        live_nodes: per cell, per node, whether the node's output reaches the head.
        reads_y: per cell, whether a live node of the cell reads its ``y`` input.
        hops: per backbone feature that reaches the head, the fewest cells its value passes
            through on the way (``0``: the head reads it directly).
    """

    n_inputs: int
    live_states: frozenset[int]
    live_nodes: tuple[tuple[bool, ...], ...]
    reads_y: tuple[bool, ...]
    hops: dict[int, int]

    @property
    def live_inputs(self) -> tuple[int, ...]:
        """The backbone features (fusion-input indices) that reach the head, in order."""
        return tuple(sorted(i for i in self.live_states if i < self.n_inputs))

    def live_cell(self, cell: int) -> bool:
        """Whether cell ``cell``'s output reaches the head."""
        return self.n_inputs + cell in self.live_states

    def reaches(self, modality_index: int) -> tuple[int, ...]:
        """Positions (0 = earliest) of the features of the ``modality_index``-th modality that reach the head."""
        first = modality_index * N_FEATURES_PER_MODALITY
        return tuple(i - first for i in self.live_inputs if first <= i < first + N_FEATURES_PER_MODALITY)


def _live_in_cell(cell: CellGenotype) -> tuple[tuple[bool, ...], bool]:
    """(whether each node reaches the cell's output, whether a live node reads ``y``)."""
    n_nodes = len(cell.nodes)
    live = {0, 2 + n_nodes - 1}  # x (the residual) and the last node
    for t in range(n_nodes - 1, -1, -1):
        if 2 + t in live:
            live.update(cell.nodes[t].inputs)
    return tuple(2 + t in live for t in range(n_nodes)), 1 in live


def data_flow(fusion: FusionGenotype, n_inputs: int = N_FUSION_INPUTS) -> DataFlow:
    """The :class:`DataFlow` of ``fusion`` over ``n_inputs`` backbone features (one genotype at a time: the fast way for a
    few; :func:`flow_arrays` is the fast way for a batch, with the same answers)."""
    n_states = n_inputs + fusion.n_cells
    per_cell = [_live_in_cell(cell) for cell in fusion.cells]
    head = (n_states - 2, n_states - 1)
    live, hops = set(head), {state: 0 for state in head}
    for ci in range(fusion.n_cells - 1, -1, -1):
        state = n_inputs + ci
        if state not in live:
            continue
        reads = fusion.cells[ci].inputs if per_cell[ci][1] else fusion.cells[ci].inputs[:1]
        for source in reads:
            live.add(source)
            hops[source] = min(hops.get(source, n_states), hops[state] + 1)
    return DataFlow(
        n_inputs=n_inputs,
        live_states=frozenset(live),
        live_nodes=tuple(nodes if n_inputs + ci in live else tuple(False for _ in nodes) for ci, (nodes, _) in enumerate(per_cell)),
        reads_y=tuple(reads_y and n_inputs + ci in live for ci, (_, reads_y) in enumerate(per_cell)),
        hops={state: n for state, n in hops.items() if state < n_inputs},
    )

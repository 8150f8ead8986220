"""Which parts of a fusion network reach its classifier head (DESIGN.md section 3, tier 2).

The head reads the last two states; a cell's output is ``LayerNorm(last node + x)``, so it
depends on its ``x`` input, its last node and that node's ancestors, and on its ``y`` input
only where one of those nodes reads it. Everything else is computed and thrown away: a
*dead* node, a dead cell (its output is never read), a backbone feature no live cell reads.
:func:`data_flow` works this out from the genotype alone; the surrogate features
(:mod:`bench.space.features`) and the ``deployed`` cost accounting
(:mod:`bench.hardware.deployed`) read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.space.config import N_FEATURES_PER_MODALITY, N_FUSION_INPUTS, CellGenotype, FusionGenotype


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
    """The :class:`DataFlow` of ``fusion`` over ``n_inputs`` backbone features."""
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

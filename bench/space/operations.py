"""Sampling, enumeration, neighbours, mutation and crossover of genotypes.

All functions are pure: they take an explicit ``np.random.Generator`` and return new
canonical genotypes. Sampling is hierarchical-uniform: every decision (depth, each
active kernel and expand ratio, number of cells, number of nodes, each input and
operator) is drawn uniformly among its allowed values.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import replace

import numpy as np

from bench.space.config import (
    COMPONENTS,
    DEPTHS,
    EXPANDS,
    FP32_ONLY,
    FUSION_OPS,
    KERNELS,
    MAX_CELLS,
    MAX_NODES,
    N_FUSION_INPUTS,
    PRECISIONS,
    BackboneGenotype,
    CellGenotype,
    Config,
    FusionGenotype,
    NodeGenotype,
    PrecisionGenotype,
)
from bench.space.validate import canonical_backbone, parse_fusion
from bench.tasks import DEFAULT_TASK


def sample_backbone(rng: np.random.Generator) -> BackboneGenotype:
    """A backbone with uniform depth, then uniform kernel and expand per active block."""
    d = int(rng.choice(DEPTHS))
    return canonical_backbone(
        [int(k) for k in rng.choice(KERNELS, size=d)], [int(e) for e in rng.choice(EXPANDS, size=d)], d
    )


def sample_fusion(
    rng: np.random.Generator, n_cells: int | None = None, n_nodes: int | None = None
) -> FusionGenotype:
    """A fusion network; ``n_cells`` / ``n_nodes`` are drawn uniformly when not given."""
    n_cells = int(rng.integers(1, MAX_CELLS + 1)) if n_cells is None else n_cells
    n_nodes = int(rng.integers(1, MAX_NODES + 1)) if n_nodes is None else n_nodes
    cells = tuple(
        CellGenotype(
            inputs=_distinct_pair(rng, N_FUSION_INPUTS + i),
            nodes=tuple(_sample_node(rng, t) for t in range(n_nodes)),
        )
        for i in range(n_cells)
    )
    return _canonical_fusion(cells)


def sample_precision(rng: np.random.Generator, precisions: Sequence[str] = PRECISIONS) -> PrecisionGenotype:
    """Uniform precision per component, among ``precisions``."""
    return PrecisionGenotype(*(str(p) for p in rng.choice(tuple(precisions), size=3)))


def sample_config(rng: np.random.Generator, task: str = DEFAULT_TASK, precisions: Sequence[str] = FP32_ONLY) -> Config:
    """A uniformly sampled full config, each component at a precision drawn from ``precisions`` (fp32 by default)."""
    return Config(
        task=task,
        image=sample_backbone(rng),
        audio=sample_backbone(rng),
        fusion=sample_fusion(rng),
        precision=PrecisionGenotype() if tuple(precisions) == FP32_ONLY else sample_precision(rng, precisions),
    )


def enumerate_backbones() -> Iterator[BackboneGenotype]:
    """Every distinct backbone of one modality (7,371), depth-major, in a fixed order."""
    for d in DEPTHS:
        for ks in itertools.product(KERNELS, repeat=d):
            for e in itertools.product(EXPANDS, repeat=d):
                yield canonical_backbone(ks, e, d)


def backbone_neighbours(g: BackboneGenotype) -> list[BackboneGenotype]:
    """Backbones one gene away: one active kernel or expand ratio, or the depth."""
    out = []
    for i in range(g.d):
        out += [canonical_backbone(_with(g.ks, i, k), g.e, g.d) for k in KERNELS if k != g.ks[i]]
        out += [canonical_backbone(g.ks, _with(g.e, i, e), g.d) for e in EXPANDS if e != g.e[i]]
    out += [canonical_backbone(g.ks, g.e, d) for d in DEPTHS if d != g.d]
    return out


def fusion_neighbours(f: FusionGenotype) -> list[FusionGenotype]:
    """Fusion networks one gene away: a cell input, a node input or operator, or one
    cell / one node per cell fewer."""
    out = []
    for i, cell in enumerate(f.cells):
        for slot in (0, 1):
            for state in range(N_FUSION_INPUTS + i):
                if state not in cell.inputs:
                    out.append(_replace_cell(f, i, replace(cell, inputs=_with(cell.inputs, slot, state))))
        for t, node in enumerate(cell.nodes):
            variants = [replace(node, op=op) for op in FUSION_OPS if op != node.op]
            variants += [
                replace(node, inputs=_with(node.inputs, slot, src))
                for slot in (0, 1)
                for src in range(2 + t)
                if src not in node.inputs
            ]
            out += [_replace_cell(f, i, replace(cell, nodes=_with(cell.nodes, t, v))) for v in variants]
    if f.n_cells > 1:
        out.append(_canonical_fusion(f.cells[:-1]))
    if f.n_nodes > 1:
        out.append(_canonical_fusion(tuple(replace(c, nodes=c.nodes[:-1]) for c in f.cells)))
    return list(dict.fromkeys(out))  # symmetric ops can make two edits equal


def precision_neighbours(p: PrecisionGenotype, precisions: Sequence[str] = PRECISIONS) -> list[PrecisionGenotype]:
    """Precision mixes one component away, among ``precisions``."""
    current = p.to_dict()
    return [PrecisionGenotype(**{**current, component: value}) for component in current for value in precisions if value != current[component]]


def neighbours(config: Config, precisions: Sequence[str] = FP32_ONLY) -> list[Config]:
    """Configs one gene away in either backbone, in the fusion network, or in the precision tier (among ``precisions``)."""
    out = [replace(config, image=b) for b in backbone_neighbours(config.image)]
    out += [replace(config, audio=b) for b in backbone_neighbours(config.audio)]
    out += [replace(config, fusion=f) for f in fusion_neighbours(config.fusion)]
    out += [replace(config, precision=p) for p in precision_neighbours(config.precision, precisions)]
    return out


def mutate(config: Config, rng: np.random.Generator, precisions: Sequence[str] = FP32_ONLY) -> Config:
    """One random edit: a neighbour, or a resample of the cell or node count.

    Adding cells or nodes draws their new genes uniformly, so every config is
    reachable by repeated mutation (within the precision tier too, among ``precisions``).
    """
    if rng.random() < 0.15:
        fusion = _resize_fusion(config.fusion, rng)
        if fusion != config.fusion:
            return replace(config, fusion=fusion)
    options = neighbours(config, precisions)
    return options[int(rng.integers(len(options)))]


def crossover(a: Config, b: Config, rng: np.random.Generator) -> Config:
    """Uniform crossover: genes of each backbone from either parent; the fusion network
    gene-wise when both parents have its shape, otherwise whole from one parent."""
    return Config(
        task=a.task,
        image=_cross_backbone(a.image, b.image, rng),
        audio=_cross_backbone(a.audio, b.audio, rng),
        fusion=_cross_fusion(a.fusion, b.fusion, rng),
        precision=PrecisionGenotype(
            *(getattr(p, c) for p, c in zip(_pick_each(rng, 3, a.precision, b.precision), COMPONENTS))
        ),
    )


def _cross_backbone(a: BackboneGenotype, b: BackboneGenotype, rng: np.random.Generator) -> BackboneGenotype:
    d = a.d if rng.random() < 0.5 else b.d
    # Each slot comes from a random parent, or from the other one where it is idle there.
    ks = [p.ks[i] if i < p.d else q.ks[i] for i, (p, q) in enumerate(_pick_pairs(rng, 4, a, b))]
    e = [p.e[i] if i < p.d else q.e[i] for i, (p, q) in enumerate(_pick_pairs(rng, 4, a, b))]
    return canonical_backbone(ks, e, d)


def _cross_fusion(a: FusionGenotype, b: FusionGenotype, rng: np.random.Generator) -> FusionGenotype:
    if (a.n_cells, a.n_nodes) != (b.n_cells, b.n_nodes):
        return a if rng.random() < 0.5 else b
    cells = []
    for ca, cb in zip(a.cells, b.cells):
        inputs = (ca if rng.random() < 0.5 else cb).inputs
        nodes = tuple(na if rng.random() < 0.5 else nb for na, nb in zip(ca.nodes, cb.nodes))
        cells.append(CellGenotype(inputs=inputs, nodes=nodes))
    return _canonical_fusion(tuple(cells))


def _resize_fusion(f: FusionGenotype, rng: np.random.Generator) -> FusionGenotype:
    n_cells = int(rng.integers(1, MAX_CELLS + 1))
    n_nodes = int(rng.integers(1, MAX_NODES + 1))
    fresh = sample_fusion(rng, n_cells, n_nodes)
    cells = []
    for i in range(n_cells):
        base = f.cells[i] if i < f.n_cells else fresh.cells[i]
        nodes = tuple(base.nodes[t] if t < len(base.nodes) else fresh.cells[i].nodes[t] for t in range(n_nodes))
        cells.append(CellGenotype(inputs=base.inputs, nodes=nodes))
    return _canonical_fusion(tuple(cells))


def _sample_node(rng: np.random.Generator, index: int) -> NodeGenotype:
    return NodeGenotype(inputs=_distinct_pair(rng, 2 + index), op=str(rng.choice(FUSION_OPS)))


def _distinct_pair(rng: np.random.Generator, n: int) -> tuple[int, int]:
    a, b = rng.choice(n, size=2, replace=False)
    return int(a), int(b)


def _canonical_fusion(cells: tuple[CellGenotype, ...]) -> FusionGenotype:
    return parse_fusion(FusionGenotype(cells=cells).to_dict())


def _replace_cell(f: FusionGenotype, i: int, cell: CellGenotype) -> FusionGenotype:
    return _canonical_fusion(_with(f.cells, i, cell))


def _with(values: tuple, i: int, value: object) -> tuple:
    return values[:i] + (value,) + values[i + 1 :]


def _pick_pairs(rng: np.random.Generator, n: int, a: object, b: object) -> list[tuple[object, object]]:
    return [(a, b) if flip else (b, a) for flip in rng.random(n) < 0.5]


def _pick_each(rng: np.random.Generator, n: int, a: object, b: object) -> list[object]:
    return [a if flip else b for flip in rng.random(n) < 0.5]

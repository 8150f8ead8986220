"""Harmonic-NAS (Ghebriout et al., ACML 2023): screen backbones alone, fuse the elites, evolve the survivors.

One generation, as in the reference search (``search_algo_avmnist.py`` and its
``search_config_avmnist.yml``):

1. Every backbone of the population is screened on its own modality
   (:meth:`Searcher.screen`: inherited weights, BN recalibrated, accuracy plus the
   device's costs, each screening charged its recorded seconds). A backbone screened
   before is not screened again.
2. Per modality the ``ceil(population_size * backbone_survival)`` elites survive by
   non-dominated rank and crowding distance; the i-th image elite is paired with the
   i-th audio elite (by survival rank, not by the pair they came in).
3. Each pair gets a fusion shape around 2 cells x 1 node, each count redrawn among the
   other values with probability ``shape_redraw_prob``, and a fusion search. The
   reference runs DARTS for 25 epochs per pair; on a benchmark this is emulated by
   ``fusion_candidates`` random fusion networks of that shape, each a full evaluation
   (charged like any other), the pair's result being the candidate with the best
   accuracy (what DARTS optimises).
4. The ``ceil(n_pairs * pair_survival)`` best pair results of the generation survive
   (rank and crowding on all objectives); the next population is ``crossover_size``
   crossovers of two random survivors (each backbone gene kept from the first parent
   with probability ``crossover_prob``) and ``mutation_size`` mutations of a random
   survivor (each backbone gene resampled with probability ``mutation_prob``).

Generation 0 pairs the run's initial design's backbones (the first ``population_size``),
filled up with random backbones. On table-variant problems a pair's fusion search runs on
the nearest table pair (L1 over the scaled backbone genes) that still has ``fusion_candidates``
unevaluated rows, so that the second tier chooses among fusion networks of one pair where
the table repeats pairs (a block design); where no pair has that many, its candidates are
the nearest unevaluated rows. :meth:`ask` hands out one generation's candidates and returns
fewer than asked for at its end, since the next generation needs their results.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

import numpy as np

from bench.space import (
    DEPTHS,
    EXPANDS,
    KERNELS,
    MAX_CELLS,
    MAX_NODES,
    N_UNIT_BLOCKS,
    BackboneGenotype,
    Config,
    PrecisionGenotype,
    sample_backbone,
    sample_fusion,
    sample_precision,
)
from bench.space.validate import canonical_backbone
from searchers.base import Searcher
from searchers.selection import survival_order

Pair = tuple[BackboneGenotype, BackboneGenotype]
REFERENCE_SHAPE = (2, 1)  # cells x nodes of the reference's fusion search before redraws


@dataclass(frozen=True)
class _PairSearch:
    """One elite pair's fusion search: its candidates, in the order handed out."""

    pair: Pair
    candidates: tuple[Config, ...]


class HarmonicNAS(Searcher):
    """Harmonic-NAS's two-tier evolutionary search (defaults: the reference's AV-MNIST configuration)."""

    name = "harmonic-nas"

    def __init__(
        self,
        population_size: int = 8,
        crossover_size: int = 64,
        mutation_size: int = 64,
        crossover_prob: float = 0.8,
        mutation_prob: float = 0.4,
        backbone_survival: float = 0.25,
        pair_survival: float = 0.5,
        shape_redraw_prob: float = 0.4,
        fusion_candidates: int = 2,
    ) -> None:
        self.population_size = population_size
        self.crossover_size = crossover_size
        self.mutation_size = mutation_size
        self.crossover_prob = crossover_prob
        self.mutation_prob = mutation_prob
        self.backbone_survival = backbone_survival
        self.pair_survival = pair_survival
        self.shape_redraw_prob = shape_redraw_prob
        self.fusion_candidates = fusion_candidates

    def setup(self, problem, seed: int) -> None:
        super().setup(problem, seed)
        self._screened: dict[tuple[str, str], np.ndarray] = {}  # (modality, backbone id) -> minimised objectives
        self._population: list[Pair] | None = None
        self._searches: list[_PairSearch] = []
        self._waiting: list[Config] = []
        self._told: dict[str, np.ndarray] = {}
        self._pool_pair_index: dict[Pair, int] = {}  # backbone pair -> its index among the table's pairs (table variant)
        self._pair_of_row = np.array([self._pool_pair_index.setdefault((c.image, c.audio), len(self._pool_pair_index))
                                      for c in self._pool.configs], dtype=int)
        self._pool_pairs = list(self._pool_pair_index)
        pair_genes = [_pair_genes(pair) for pair in self._pool_pairs]
        self._pool_pair_genes = np.array(pair_genes).reshape(len(pair_genes), 2 * _GENE_SPANS.size)
        self.generation = 0

    def ask(self, n: int) -> list[Config]:
        if not self._waiting:
            self._next_generation()
        out, self._waiting = self._waiting[:n], self._waiting[n:]
        return out

    def tell(self, configs, observations) -> None:
        super().tell(configs, observations)
        for config, values in zip(configs, self.told_values()[-len(configs):]):
            self._told[config.id] = values

    def _next_generation(self) -> None:
        if self._population is None:
            self._population = self._first_population()
        else:
            self._population = self._offspring(self._survivors())
            self.generation += 1
        image = self._elites("image", [p[0] for p in self._population])
        audio = self._elites("audio", [p[1] for p in self._population])
        self._searches = [self._pair_search(pair) for pair in zip(image, audio)]
        self._waiting = [c for search in self._searches for c in search.candidates]

    def _first_population(self) -> list[Pair]:
        pairs = [(c.image, c.audio) for c, _ in self.history[: self.population_size]]
        pairs += [(sample_backbone(self.rng), sample_backbone(self.rng)) for _ in range(self.population_size - len(pairs))]
        return pairs

    def _elites(self, modality: str, backbones: list[BackboneGenotype]) -> list[BackboneGenotype]:
        """The modality's surviving backbones, best first, screening those not screened before."""
        distinct = list({b.id: b for b in backbones}.values())
        new = [b for b in distinct if (modality, b.id) not in self._screened]
        if new:
            signs = np.array([-1.0 if d == "max" else 1.0 for d in self.problem.directions])
            for backbone, obs in zip(new, self.screen(modality, new)):
                self._screened[(modality, backbone.id)] = signs * np.array([obs.objectives[o] for o in self.problem.objectives])
        values = np.array([self._screened[(modality, b.id)] for b in distinct])
        n_elites = ceil(self.population_size * self.backbone_survival)
        return [distinct[i] for i in survival_order(values)[:n_elites]]

    def _pair_search(self, pair: Pair) -> _PairSearch:
        n_cells, n_nodes = self._shape()
        precision = sample_precision(self.rng, self.problem.precisions) if self.problem.searches_precision else PrecisionGenotype()
        if self._pool:
            pair = self._table_pair(pair)
        proposals = [Config(self.problem.task, *pair, sample_fusion(self.rng, n_cells, n_nodes), precision) for _ in range(self.fusion_candidates)]
        if self._pool:  # prefer the table's rows with this very pair
            rows = [self._pool.configs[r] for r in self._free_rows(pair)]
            picks = self.rng.permutation(len(rows))[: self.fusion_candidates]
            proposals = [rows[i] for i in picks] + proposals[len(picks):]
        return _PairSearch(pair, tuple(self.admissible(proposals)))

    def _free_rows(self, pair: Pair) -> np.ndarray:
        """The unevaluated table rows with ``pair``, in table order."""
        return np.flatnonzero((self._pair_of_row == self._pool_pair_index.get(pair, -1)) & self._pool_free)

    def _table_pair(self, pair: Pair) -> Pair:
        """The nearest table pair with at least ``fusion_candidates`` unevaluated rows (``pair`` itself when it has them,
        or when no pair has)."""
        free = np.bincount(self._pair_of_row[self._pool_free], minlength=len(self._pool_pairs))
        roomy = np.flatnonzero(free >= self.fusion_candidates)
        own = self._pool_pair_index.get(pair)
        if not roomy.size or (own is not None and free[own] >= self.fusion_candidates):
            return pair
        distance = np.abs(self._pool_pair_genes[roomy] - _pair_genes(pair)).sum(axis=1)
        return self._pool_pairs[roomy[int(np.argmin(distance))]]

    def _shape(self) -> tuple[int, int]:
        n_cells, n_nodes = REFERENCE_SHAPE
        if self.rng.random() < self.shape_redraw_prob:
            n_cells = int(self.rng.choice([c for c in range(1, MAX_CELLS + 1) if c != n_cells]))
        if self.rng.random() < self.shape_redraw_prob:
            n_nodes = int(self.rng.choice([t for t in range(1, MAX_NODES + 1) if t != n_nodes]))
        return n_cells, n_nodes

    def _survivors(self) -> list[Pair]:
        """The generation's best pairs: each pair's most accurate candidate, ranked on all objectives."""
        accuracy = self.problem.objectives.index("acc") if "acc" in self.problem.objectives else 0
        results = []
        for search in self._searches:
            told = [self._told[c.id] for c in search.candidates]
            results.append(told[int(np.argmin([v[accuracy] for v in told]))])
        n_survivors = ceil(len(self._searches) * self.pair_survival)
        return [self._searches[i].pair for i in survival_order(np.array(results))[:n_survivors]]

    def _offspring(self, survivors: list[Pair]) -> list[Pair]:
        out = []
        for _ in range(self.crossover_size):
            a, b = (survivors[int(self.rng.integers(len(survivors)))] for _ in range(2))
            out.append((self._cross(a[0], b[0]), self._cross(a[1], b[1])))
        for _ in range(self.mutation_size):
            a = survivors[int(self.rng.integers(len(survivors)))]
            out.append((self._mutate(a[0]), self._mutate(a[1])))
        return out

    def _cross(self, a: BackboneGenotype, b: BackboneGenotype) -> BackboneGenotype:
        """Each gene from ``a`` with probability ``crossover_prob``, otherwise from ``b``."""
        keep = self.rng.random(2 * N_UNIT_BLOCKS + 1) < self.crossover_prob
        ks = [x if k else y for x, y, k in zip(a.ks, b.ks, keep[:N_UNIT_BLOCKS])]
        e = [x if k else y for x, y, k in zip(a.e, b.e, keep[N_UNIT_BLOCKS:-1])]
        return canonical_backbone(ks, e, a.d if keep[-1] else b.d)

    def _mutate(self, a: BackboneGenotype) -> BackboneGenotype:
        """Each gene resampled uniformly with probability ``mutation_prob``."""
        redraw = self.rng.random(2 * N_UNIT_BLOCKS + 1) < self.mutation_prob
        ks = [int(self.rng.choice(KERNELS)) if r else x for x, r in zip(a.ks, redraw[:N_UNIT_BLOCKS])]
        e = [int(self.rng.choice(EXPANDS)) if r else x for x, r in zip(a.e, redraw[N_UNIT_BLOCKS:-1])]
        return canonical_backbone(ks, e, int(self.rng.choice(DEPTHS)) if redraw[-1] else a.d)


_GENE_SPANS = np.array([max(KERNELS) - min(KERNELS)] * N_UNIT_BLOCKS + [max(EXPANDS) - min(EXPANDS)] * N_UNIT_BLOCKS
                       + [max(DEPTHS) - min(DEPTHS)], dtype=float)


def _pair_genes(pair: Pair) -> np.ndarray:
    """Both backbones' genes (kernels, expand ratios, depth; canonical fillers in inactive slots), each scaled to unit range."""
    return np.concatenate([np.array([*b.ks, *b.e, b.d], dtype=float) / _GENE_SPANS for b in pair])

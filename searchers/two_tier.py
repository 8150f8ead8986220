"""Two-tier nested evolution in the style of Harmonic-NAS.

The outer tier evolves backbone pairs (image, audio) with NSGA-II's selection; for each
new pair the inner tier searches fusion networks with the backbones fixed:
``inner_budget`` evaluations, the first with a random fusion network and each next one a
fusion neighbour of the pair's best so far (front, then crowding distance). Every inner
evaluation is a full evaluation, charged like any other. A pair's standing in the outer
tier is that of its configs among everything told.
"""

from __future__ import annotations

from dataclasses import replace

from bench.space import (
    BackboneGenotype,
    Config,
    PrecisionGenotype,
    backbone_neighbours,
    crossover,
    fusion_neighbours,
    sample_fusion,
    sample_precision,
)
from searchers.base import Searcher
from searchers.selection import survival_order

Pair = tuple[BackboneGenotype, BackboneGenotype]


class TwoTierEvolution(Searcher):
    """Outer NSGA-II over backbone pairs, inner evolution of the fusion network."""

    name = "two-tier"

    def __init__(self, population_size: int = 10, inner_budget: int = 4, crossover_prob: float = 0.9) -> None:
        self.population_size = population_size
        self.inner_budget = inner_budget
        self.crossover_prob = crossover_prob

    def setup(self, problem, seed: int) -> None:
        super().setup(problem, seed)
        self._pairs: list[Pair] = []  # outer offspring waiting for their inner search
        self._inner: Config | None = None  # a config holding the current pair's backbones
        self._inner_left = 0

    def ask(self, n: int) -> list[Config]:
        out: list[Config] = []
        while len(out) < n:
            if self._inner_left == 0:
                self._start_pair()
            out.append(self._inner_candidate())
            self._inner_left -= 1
        return out

    def _start_pair(self) -> None:
        if not self._pairs:
            self._pairs = self._next_pairs()
        image, audio = self._pairs.pop(0)
        precision = sample_precision(self.rng, self.problem.precisions) if self.problem.searches_precision else PrecisionGenotype()
        self._inner = Config(self.problem.task, image, audio, sample_fusion(self.rng), precision)
        self._inner_left = self.inner_budget

    def _inner_candidate(self) -> Config:
        pair = (self._inner.image, self._inner.audio)
        told = [i for i, (c, _) in enumerate(self.history) if (c.image, c.audio) == pair]
        if not told:
            return self.admissible([self._inner])[0]
        best = self.history[told[survival_order(self.told_values()[told])[0]]][0]
        options = fusion_neighbours(best.fusion)
        return self.admissible([replace(best, fusion=options[int(self.rng.integers(len(options)))])])[0]

    def _next_pairs(self) -> list[Pair]:
        if not self.history:
            return [(c.image, c.audio) for c in self.sample(self.population_size)]
        order = survival_order(self.told_values())
        parents: list[Config] = []
        for i in order:  # the best config of each of the best pairs
            config = self.history[i][0]
            if all((config.image, config.audio) != (p.image, p.audio) for p in parents):
                parents.append(config)
            if len(parents) == self.population_size:
                break
        children = []
        for _ in range(self.population_size):
            a, b = (parents[min(self.rng.integers(len(parents), size=2))] for _ in range(2))
            child = crossover(a, b, self.rng) if self.rng.random() < self.crossover_prob else a
            modality = "image" if self.rng.random() < 0.5 else "audio"
            options = backbone_neighbours(child.backbone(modality))
            child = replace(child, **{modality: options[int(self.rng.integers(len(options)))]})
            children.append((child.image, child.audio))
        return children

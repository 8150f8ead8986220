"""NSGA-II over whole configs (flat joint search), with the space's own variation operators.

Every generation: binary tournaments on (front, crowding distance) among the survivors,
uniform crossover of the two parents (:func:`bench.space.crossover`) with probability
``crossover_prob``, then one mutation (:func:`bench.space.mutate`). The survivors are the
best ``population_size`` configs of everything told, ranked by front and crowding
distance, which is NSGA-II's (mu + lambda) elitism with the whole history as the merged
population. Offspring are generated one generation at a time, so any ``ask(n)`` works.
"""

from __future__ import annotations

from bench.space import Config, crossover, mutate
from searchers.base import Searcher
from searchers.selection import survival_order


class NSGA2(Searcher):
    """NSGA-II with a population of ``population_size`` configs."""

    name = "nsga2"

    def __init__(self, population_size: int = 20, crossover_prob: float = 0.9) -> None:
        self.population_size = population_size
        self.crossover_prob = crossover_prob

    def setup(self, problem, seed: int) -> None:
        super().setup(problem, seed)
        self._offspring: list[Config] = []

    def ask(self, n: int) -> list[Config]:
        out: list[Config] = []
        while len(out) < n:
            if not self._offspring:
                self._offspring = self._next_generation()
            out.append(self._offspring.pop(0))
        return out

    def _next_generation(self) -> list[Config]:
        if len(self.history) < 2:
            return self.sample(self.population_size)
        order = survival_order(self.told_values())[: self.population_size]
        parents = [self.history[i][0] for i in order]  # best first, so a tournament keeps the lower position
        children = []
        for _ in range(self.population_size):
            a, b = (parents[min(self.rng.integers(len(parents), size=2))] for _ in range(2))
            child = crossover(a, b, self.rng) if self.rng.random() < self.crossover_prob else a
            children.append(mutate(child, self.rng, self.problem.precisions))
        return self.admissible(children)

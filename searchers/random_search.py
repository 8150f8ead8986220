"""Random search: uniform samples of the space, the baseline every searcher must beat."""

from __future__ import annotations

from bench.space import Config, sample_config
from searchers.base import Searcher


class RandomSearcher(Searcher):
    """Uniform (hierarchical) samples of the full space."""

    name = "random"

    def ask(self, n: int) -> list[Config]:
        return [sample_config(self.rng, self.problem.task) for _ in range(n)]

"""Random search: uniform samples of the space (or of the table's rows), the baseline every searcher must beat."""

from __future__ import annotations

from bench.space import Config
from searchers.base import Searcher


class RandomSearcher(Searcher):
    """Uniform samples, never repeating a config."""

    name = "random"

    def ask(self, n: int) -> list[Config]:
        return self.sample(n)

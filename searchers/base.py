"""The ask / tell interface every searcher implements.

A searcher is set up with a problem and a seed, proposes configs with :meth:`ask`, is
told the observations with :meth:`tell`, and recommends the non-dominated set of what it
was told. Everything is minimised in the problem's normalised space (``max`` objectives
are flipped by :meth:`bench.problems.Problem.normalise`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np

from bench.benchmark import Observation
from bench.problems import Problem, pareto_mask
from bench.space import Config


class Searcher(ABC):
    """Base class: subclasses implement :meth:`ask` (and may extend :meth:`setup` / :meth:`tell`)."""

    name = ""

    def setup(self, problem: Problem, seed: int) -> None:
        """Start a fresh search of ``problem``; all randomness comes from ``seed``."""
        self.problem = problem
        self.rng = np.random.default_rng(seed)
        self.history: list[tuple[Config, Observation]] = []

    @abstractmethod
    def ask(self, n: int) -> list[Config]:
        """``n`` configs to evaluate next."""

    def tell(self, configs: Sequence[Config], observations: Sequence[Observation]) -> None:
        """Record evaluated configs and their observations."""
        if len(configs) != len(observations):
            raise ValueError(f"tell got {len(configs)} configs but {len(observations)} observations")
        missing = [o for o in self.problem.objectives if any(o not in obs.objectives for obs in observations)]
        if missing:
            raise ValueError(f"observations lack objective(s) {missing} of problem {self.problem.name}")
        self.history.extend(zip(configs, observations))

    def told_values(self) -> np.ndarray:
        """Normalised objective values ``(n, k)`` of everything told so far."""
        raw = [[obs.objectives[o] for o in self.problem.objectives] for _, obs in self.history]
        return self.problem.normalise(np.array(raw, dtype=float).reshape(len(raw), len(self.problem.objectives)))

    def recommend(self) -> list[Config]:
        """The non-dominated configs among those told (duplicates once)."""
        if not self.history:
            return []
        keep = pareto_mask(self.told_values())
        return [config for (config, _), k in zip(self.history, keep) if k]

"""The ask / tell interface every searcher implements.

A searcher is set up with a problem and a seed, proposes configs with :meth:`ask`, is
told the observations with :meth:`tell`, and recommends the non-dominated set of what it
was told. Everything is minimised in the problem's normalised space (``max`` objectives
are flipped by :meth:`bench.problems.Problem.normalise`).

Table-variant problems restrict the search to the table's rows (``problem.pool``):
:meth:`Searcher.sample` draws from the pool and :meth:`Searcher.admissible` moves any
proposal to the nearest pool config not yet proposed, so a searcher written for the full
space runs unchanged on both variants.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np

from bench.benchmark import Observation
from bench.problems import Problem, pareto_mask
from bench.space import Config, encode_ordinal, mutate, sample_config

_MAX_RESAMPLES = 50


class SpaceExhaustedError(RuntimeError):
    """Every config of a table-variant problem's pool has been proposed."""


class Searcher(ABC):
    """Base class: subclasses implement :meth:`ask` (and may extend :meth:`setup` / :meth:`tell`)."""

    name = ""

    def setup(self, problem: Problem, seed: int) -> None:
        """Start a fresh search of ``problem``; all randomness comes from ``seed``."""
        self.problem = problem
        self.rng = np.random.default_rng(seed)
        self.history: list[tuple[Config, Observation]] = []
        self._proposed: set[str] = set()
        self._pool = list(problem.pool)
        if self._pool:
            X = encode_ordinal(self._pool)
            span = np.ptp(X, axis=0)
            self._pool_scale = np.where(span > 0, span, 1.0)
            self._pool_X = X / self._pool_scale
            self._pool_free = np.ones(len(self._pool), dtype=bool)
            self._pool_row = {c.id: i for i, c in enumerate(self._pool)}

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
        for config in configs:
            self._mark(config)
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

    def sample(self, n: int) -> list[Config]:
        """``n`` new uniform samples: of the pool (table variant) or of the whole space."""
        if self._pool:
            free = np.flatnonzero(self._pool_free)
            if len(free) == 0:
                raise SpaceExhaustedError(f"all {len(self._pool)} configs of {self.problem.label} were proposed")
            picks = self.rng.choice(free, size=min(n, len(free)), replace=False)
            return [self._take(self._pool[i]) for i in picks]
        return self.admissible([sample_config(self.rng, self.problem.task, self.problem.precisions) for _ in range(n)])

    def admissible(self, configs: Sequence[Config]) -> list[Config]:
        """Each proposal made new: the nearest free pool config (table variant), or mutated until unseen (full space)."""
        out = []
        for config in configs:
            if self._pool:
                out.append(self._take(self._nearest_free(config)))
                continue
            for _ in range(_MAX_RESAMPLES):
                if config.id not in self._proposed:
                    break
                config = mutate(config, self.rng, self.problem.precisions)
            out.append(self._take(config))
        return out

    def _nearest_free(self, config: Config) -> Config:
        row = self._pool_row.get(config.id)
        if row is not None and self._pool_free[row]:
            return config
        free = np.flatnonzero(self._pool_free)
        if len(free) == 0:
            raise SpaceExhaustedError(f"all {len(self._pool)} configs of {self.problem.label} were proposed")
        distance = np.abs(self._pool_X[free] - encode_ordinal([config]) / self._pool_scale).sum(axis=1)
        return self._pool[free[int(np.argmin(distance))]]

    def _take(self, config: Config) -> Config:
        self._mark(config)
        return config

    def _mark(self, config: Config) -> None:
        self._proposed.add(config.id)
        if self._pool and config.id in self._pool_row:
            self._pool_free[self._pool_row[config.id]] = False

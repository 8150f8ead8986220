"""The ask / tell interface every searcher implements.

A searcher is set up with a problem and a seed, proposes configs with :meth:`ask`, is
told the observations with :meth:`tell`, and recommends the non-dominated set of what it
was told. Everything is minimised in the problem's normalised space (``max`` objectives
are flipped by :meth:`bench.problems.Problem.normalise`).

A searcher may also screen backbones on their own modality (:meth:`Searcher.screen`),
as Harmonic-NAS's first tier does, and probe configs at a lower fidelity
(:meth:`Searcher.probe`, fewer epochs of fusion training), as multi-fidelity searchers
do; both are charged to the run in simulated seconds and neither counts as an evaluation.

Table-variant problems restrict the search to the table's rows (``problem.pool``):
:meth:`Searcher.sample` draws from the pool and :meth:`Searcher.admissible` moves any
proposal to the nearest pool config not yet proposed, so a searcher written for the full
space runs unchanged on both variants.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence

import numpy as np

from bench.benchmark import Observation
from bench.problems import Problem, pareto_mask
from bench.space import BackboneGenotype, Config, mutate, sample_config
from searchers.pool import Pool

_MAX_RESAMPLES = 50
Screen = Callable[[str, list[BackboneGenotype]], list[Observation]]  # (modality, backbones) -> their observations
Probe = Callable[[list[Config], int], list[Observation]]  # (configs, epoch) -> their observations at that fidelity


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
        self._pool = Pool(problem.pool)
        self._pool_free = np.ones(len(self._pool), dtype=bool)
        self._screen: Screen | None = None
        self._probe: Probe | None = None

    def connect_run_loop(self, screen: Screen | None = None, probe: Probe | None = None) -> None:
        """Let :meth:`screen` and :meth:`probe` be answered (the run loop connects its own after :meth:`setup`)."""
        self._screen, self._probe = screen, probe

    def probe(self, configs: Sequence[Config], epoch: int) -> list[Observation]:
        """Evaluations of ``configs`` after ``epoch`` epochs of fusion training (a lower fidelity, from the learning curves).

        Each is charged to the run at the seconds of training up to that epoch less what was
        already charged for the config (its training resumes from its last checkpoint), and
        logged; none counts as an evaluation of the budget. Objectives are raw, as :meth:`screen`'s.

        Raises:
            RuntimeError: when no run loop is connected.
            UnknownNameError: an epoch the problem's learning curves do not record.
        """
        if self._probe is None:
            raise RuntimeError(f"{type(self).__name__}.probe is answered by the run loop: run the searcher with bench.optimize.minimize")
        return self._probe(list(configs), epoch)

    def screen(self, modality: str, backbones: Sequence[BackboneGenotype]) -> list[Observation]:
        """Single-modality evaluations of ``backbones`` (each alone, inherited weights, from the backbone table).

        Each is charged to the run at its recorded seconds and logged, and none counts as
        an evaluation of the budget. Objectives are the problem's, of the backbone alone,
        in their own units and directions (not normalised).

        Raises:
            RuntimeError: when no run loop is connected (:func:`bench.optimize.minimize` connects one).
        """
        if self._screen is None:
            raise RuntimeError(f"{type(self).__name__}.screen is answered by the run loop: run the searcher with bench.optimize.minimize")
        return self._screen(modality, list(backbones))

    def modelled_seconds(self, n_observed: int) -> float:
        """Deterministic seconds one proposal costs with ``n_observed`` observations told, charged instead of the
        measured time when a run charges searcher time by model (``minimize(..., searcher_cost="modelled")``).

        0 here: sampling, selection and variation operators cost microseconds to milliseconds. A searcher whose
        proposals are costly overrides it with a model fitted to its own measured timings, or raises
        ``NotImplementedError`` when it has none (the run is then refused).
        """
        return 0.0

    @abstractmethod
    def ask(self, n: int) -> list[Config]:
        """``n`` configs to evaluate next: at least one, and fewer than ``n`` only where the searcher must be told
        the results of what it handed out before it can propose more (at the end of a generation)."""

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
            return [self._take(self._pool.configs[i]) for i in picks]
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
        row = self._pool.row(config)
        if row is not None and self._pool_free[row]:
            return config
        free = np.flatnonzero(self._pool_free)
        if len(free) == 0:
            raise SpaceExhaustedError(f"all {len(self._pool)} configs of {self.problem.label} were proposed")
        return self._pool.configs[self._pool.nearest(config, free)]

    def _take(self, config: Config) -> Config:
        self._mark(config)
        return config

    def _mark(self, config: Config) -> None:
        self._proposed.add(config.id)
        row = self._pool.row(config)
        if row is not None:
            self._pool_free[row] = False

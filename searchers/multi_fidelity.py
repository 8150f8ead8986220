"""Multi-fidelity searchers: successive halving over epochs of fusion training, with multi-objective ranks.

Rungs are epochs ``min_epoch * eta**k`` below the problem's last recorded epoch, then that
last epoch. A config is trained rung by rung with :meth:`Searcher.probe` (each probe
charged only the training since its last rung, as a resumed checkpoint), and one that
reaches the last rung is handed out by :meth:`ask` as a full evaluation. At a rung, a
config is in the top ``1 / eta`` when its position among everything that reached the rung,
ordered by non-dominated rank then crowding distance on the problem's normalised
objectives (NSGA-II's order, as syne-tune's MOASHA ranks), is below ``n / eta``.

* :class:`MOASHA` (Schmucker et al. 2021): asynchronous successive halving of the
  *promotion* type: whenever a full evaluation is wanted, the highest rung with a
  config in its top ``1 / eta`` not yet promoted promotes it one rung; with none, a new
  random config starts at the first rung.
* :class:`EarlyStoppingRandom`: random search with early stopping (successive halving
  of the *stopping* type, a multi-objective median stopping rule for ``eta = 2``): each
  new random config trains on while it is in the top ``1 / eta`` of each rung it reaches,
  and is stopped for good at the first rung where it is not.

Both need a problem with learning curves (``problem.epochs``, the avmnist problems).
"""

from __future__ import annotations

from abc import abstractmethod

import numpy as np

from bench.space import Config
from searchers.base import Searcher
from searchers.selection import survival_order

_MAX_PROBES_PER_ASK = 10_000  # a guard: successive halving promotes long before this


def rung_epochs(epochs: int, eta: int, min_epoch: int) -> list[int]:
    """The rungs' epochs: ``min_epoch * eta**k`` below ``epochs``, then ``epochs``."""
    rungs, epoch = [], min_epoch
    while epoch < epochs:
        rungs.append(epoch)
        epoch *= eta
    return rungs + [epochs]


class _SuccessiveHalving(Searcher):
    """Rung bookkeeping shared by the two variants; :meth:`_next_job` decides what to train next."""

    def __init__(self, eta: int = 2, min_epoch: int = 1) -> None:
        self.eta = eta
        self.min_epoch = min_epoch

    def setup(self, problem, seed: int) -> None:
        super().setup(problem, seed)
        if problem.epochs < 1:
            raise ValueError(f"{self.name} needs a problem with learning curves (a fidelity axis); {problem.label} has none")
        if self.eta < 2 or not 1 <= self.min_epoch <= problem.epochs:
            raise ValueError(f"{self.name}: eta must be >= 2 and min_epoch within 1..{problem.epochs}, got {self.eta}, {self.min_epoch}")
        self.rungs = rung_epochs(problem.epochs, self.eta, self.min_epoch)
        self._at_rung: list[dict[str, np.ndarray]] = [{} for _ in self.rungs]  # per rung: config id -> normalised values
        self._configs: dict[str, Config] = {}
        self._promoted: list[set[str]] = [set() for _ in self.rungs]

    def ask(self, n: int) -> list[Config]:
        return [self._next_full_evaluation() for _ in range(n)]

    def tell(self, configs, observations) -> None:
        super().tell(configs, observations)
        for config, values in zip(configs, self.told_values()[-len(configs):]):
            self._configs[config.id] = config
            self._at_rung[-1][config.id] = values

    def _next_full_evaluation(self) -> Config:
        for _ in range(_MAX_PROBES_PER_ASK):
            config, rung = self._next_job()
            if rung == len(self.rungs) - 1:
                return config
            (obs,) = self.probe([config], self.rungs[rung])
            self._configs[config.id] = config
            self._at_rung[rung][config.id] = self.problem.normalise([[obs.objectives[o] for o in self.problem.objectives]])[0]
            self._after_probe(config, rung)
        raise RuntimeError(f"{self.name}: {_MAX_PROBES_PER_ASK} probes without a config reaching the last rung")

    def _new_job(self) -> tuple[Config, int]:
        (config,) = self.sample(1)
        return config, 0

    def _top(self, rung: int) -> list[str]:
        """The ids in the top ``1 / eta`` of everything that reached ``rung``, best first."""
        ids = list(self._at_rung[rung])
        order = survival_order(np.array([self._at_rung[rung][i] for i in ids])) if ids else []
        return [ids[i] for i in order[: len(ids) // self.eta]]

    @abstractmethod
    def _next_job(self) -> tuple[Config, int]:
        """The config to train next and the rung to train it to."""

    def _after_probe(self, config: Config, rung: int) -> None:
        """What the variant does once ``config`` has its result at ``rung``."""


class MOASHA(_SuccessiveHalving):
    """Asynchronous successive halving with multi-objective promotion (MO-ASHA)."""

    name = "moasha"

    def _next_job(self) -> tuple[Config, int]:
        for rung in range(len(self.rungs) - 2, -1, -1):
            for config_id in self._top(rung):
                if config_id not in self._promoted[rung]:
                    self._promoted[rung].add(config_id)
                    return self._configs[config_id], rung + 1
        return self._new_job()


class EarlyStoppingRandom(_SuccessiveHalving):
    """Random search whose configs are stopped at the first rung where they are not in the top ``1 / eta``."""

    name = "stopping-random"

    def setup(self, problem, seed: int) -> None:
        super().setup(problem, seed)
        self._continuing: tuple[Config, int] | None = None

    def _next_job(self) -> tuple[Config, int]:
        job, self._continuing = self._continuing, None
        return job if job is not None else self._new_job()

    def _after_probe(self, config: Config, rung: int) -> None:
        if config.id in self._top(rung):
            self._continuing = (config, rung + 1)

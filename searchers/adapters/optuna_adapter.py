"""Optuna on the benchmark: a multi-objective objective (define-by-run) and leaderboard searchers.

Parameters are the genes of :mod:`bench.space.genes`, suggested in decision order and
only when read (a kernel beyond the depth, a cell beyond the cell count are never
suggested). A gene with a fixed set of values is categorical (``image.ks[0]`` in 3, 5, 7);
the second input of a cell or node, which must differ from the first, is an integer
index into the inputs *other than* the first (so every trial is a valid config, with no
dynamic value space). On table-variant problems a trial is answered by the table row
nearest to its config.

Example:
    >>> import optuna
    >>> from bench.problems import load_problem
    >>> from searchers.adapters.optuna_adapter import objective, study_directions
    >>> problem = load_problem("soundmnist/lut:tx2/acc-lat-energy@table")
    >>> study = optuna.create_study(directions=study_directions(problem), sampler=optuna.samplers.TPESampler(seed=0))
    >>> study.optimize(objective(problem), n_trials=50)
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.benchmark import Benchmark
from bench.extras import require
from bench.problems import Problem
from bench.space import Config, Gene, genes
from bench.space.encoding import config_from_gene_values, gene_values
from bench.space.genes import unsearched_values
from searchers.adapters.objective import Objective
from searchers.base import Searcher

optuna = require("optuna", "the Optuna adapter")

from optuna.distributions import BaseDistribution, CategoricalDistribution, IntDistribution  # noqa: E402


def distribution(gene: Gene) -> BaseDistribution:
    """The Optuna distribution of ``gene``: categorical over its values, or an index when it must differ from another gene."""
    if gene.distinct_from is not None:
        return IntDistribution(0, gene.n_indices - 1)
    return CategoricalDistribution(gene.choices)


def suggest_config(trial: optuna.trial.BaseTrial, task: str, precisions: tuple[str, ...]) -> Config:
    """The config a trial suggests, gene by gene, only the genes that are read."""
    values = unsearched_values(precisions)
    for gene in genes(precisions):
        values.setdefault(gene.name, None)
        if not gene.active(values):
            continue
        if gene.distinct_from is not None:
            values[gene.name] = gene.value(trial.suggest_int(gene.name, 0, gene.n_indices - 1), values)
        else:
            values[gene.name] = trial.suggest_categorical(gene.name, gene.choices)
    return config_from_gene_values(values, task)


def trial_params(config: Config, precisions: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, BaseDistribution]]:
    """The parameters and distributions a trial suggesting ``config`` holds (to add it with ``create_trial``)."""
    values = dict(gene_values(config))
    params, distributions = {}, {}
    for gene in genes(precisions):
        if gene.active(values):
            params[gene.name] = gene.index(values[gene.name], values) if gene.distinct_from is not None else values[gene.name]
            distributions[gene.name] = distribution(gene)
    return params, distributions


def study_directions(problem: Problem) -> list[str]:
    """Optuna's directions of the problem's objectives (``maximize`` / ``minimize``)."""
    return [{"max": "maximize", "min": "minimize"}[d] for d in problem.directions]


def objective(problem: Problem, benchmark: Benchmark | None = None, tables_dir: str | Path | None = None) -> Callable[[optuna.trial.Trial], tuple[float, ...]]:
    """An Optuna objective returning the problem's objectives in their own units (see :func:`study_directions`).

    The config a trial was answered with (the nearest table row on table problems) is
    stored in its user attributes ``config`` (canonical JSON) and ``config_id``.
    """
    answer = Objective(problem, benchmark, tables_dir)

    def evaluate(trial: optuna.trial.Trial) -> tuple[float, ...]:
        (config,) = answer.answerable([suggest_config(trial, problem.task, problem.precisions)])
        trial.set_user_attr("config", config.to_json())
        trial.set_user_attr("config_id", config.id)
        return tuple(float(v) for v in answer.raw([config])[0])

    return evaluate


class OptunaSearcher(Searcher):
    """An Optuna sampler driven through ``study.ask`` / ``study.tell`` in the problem's normalised space.

    The run's initial design is added to the study as finished trials; a trial whose
    config is moved by :meth:`admissible` (already proposed, or not a table row) is told
    the values of the config evaluated in its place.
    """

    @abstractmethod
    def sampler(self, seed: int) -> optuna.samplers.BaseSampler:
        """The study's sampler, seeded with ``seed``."""

    def setup(self, problem: Problem, seed: int) -> None:
        super().setup(problem, seed)
        self._study = optuna.create_study(directions=["minimize"] * len(problem.objectives), sampler=self.sampler(int(self.rng.integers(2**31))))
        self._trials: dict[str, optuna.trial.Trial] = {}

    def ask(self, n: int) -> list[Config]:
        out = []
        for _ in range(n):
            trial = self._study.ask()
            (config,) = self.admissible([suggest_config(trial, self.problem.task, self.problem.precisions)])
            self._trials[config.id] = trial
            out.append(config)
        return out

    def tell(self, configs: Sequence[Config], observations) -> None:
        super().tell(configs, observations)
        for config, values in zip(configs, self.told_values()[-len(configs):]):
            trial = self._trials.pop(config.id, None)
            if trial is not None:
                self._study.tell(trial, [float(v) for v in values])
            else:
                params, distributions = trial_params(config, self.problem.precisions)
                self._study.add_trial(optuna.trial.create_trial(params=params, distributions=distributions, values=list(np.asarray(values, dtype=float))))


class OptunaTPE(OptunaSearcher):
    """Optuna's multi-objective TPE sampler (its default settings)."""

    name = "optuna:tpe"

    def sampler(self, seed: int) -> optuna.samplers.BaseSampler:
        return optuna.samplers.TPESampler(seed=seed)


class OptunaNSGA2(OptunaSearcher):
    """Optuna's NSGA-II sampler with a population of ``population_size``."""

    name = "optuna:nsga2"

    def __init__(self, population_size: int = 20) -> None:
        self.population_size = population_size

    def sampler(self, seed: int) -> optuna.samplers.BaseSampler:
        return optuna.samplers.NSGAIISampler(population_size=self.population_size, seed=seed)

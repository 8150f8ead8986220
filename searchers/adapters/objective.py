"""What an outside optimiser calls: configs in, minimised objective values out."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bench.benchmark import Benchmark
from bench.problems import Problem
from bench.space import Config, decode_genes
from searchers.pool import Pool


class Objective:
    """Answers configs of ``problem`` in its normalised, minimised space (as the leaderboard scores them).

    On a table-variant problem every config is first moved to the nearest table row
    (:meth:`answerable`), so any gene vector has an answer; on a full-space problem the
    config itself is evaluated.

    Args:
        problem: the problem.
        benchmark: what answers (default: ``problem.benchmark(tables_dir)``).
        tables_dir: folder of the tables when ``benchmark`` is not given.
    """

    def __init__(self, problem: Problem, benchmark: Benchmark | None = None, tables_dir: str | Path | None = None) -> None:
        self.problem = problem
        self.benchmark = benchmark if benchmark is not None else problem.benchmark(tables_dir)
        self.pool = Pool(problem.pool) if problem.pool else None
        self.n_evaluations = 0

    def answerable(self, configs: Sequence[Config]) -> list[Config]:
        """Each config, or on a table-variant problem the table row nearest to it."""
        if self.pool is None:
            return list(configs)
        return [c if self.pool.row(c) is not None else self.pool.configs[self.pool.nearest(c)] for c in configs]

    def configs(self, X: np.ndarray) -> list[Config]:
        """The answerable configs of gene vectors ``X`` (``(n, n_genes)`` integer indices)."""
        return self.answerable(decode_genes(X, self.problem.task, self.problem.precisions))

    def raw(self, configs: Sequence[Config]) -> np.ndarray:
        """``(n, k)`` objective values of answerable ``configs`` in the problem's own units and directions."""
        observations = self.benchmark.evaluate_many(list(configs))
        self.n_evaluations += len(observations)
        return np.array([[obs.objectives[o] for o in self.problem.objectives] for obs in observations], dtype=float)

    def __call__(self, configs: Sequence[Config]) -> np.ndarray:
        """``(n, k)`` normalised values to minimise of ``configs`` (moved to the table first on table problems)."""
        return self.problem.normalise(self.raw(self.answerable(configs)))

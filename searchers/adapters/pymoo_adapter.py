"""pymoo on the benchmark: a ``Problem`` over the space's genes, the space's own operators, and leaderboard searchers.

The decision vector is the integer gene vector of :mod:`bench.space.genes` (every vector
within the bounds is a valid config). :class:`SpaceSampling`, :class:`SpaceCrossover` and
:class:`SpaceMutation` apply :func:`bench.space.sample_config`, :func:`bench.space.crossover`
and :func:`bench.space.mutate` to the decoded configs, so pymoo's algorithms vary
architectures the way the shipped searchers do; pymoo's integer operators (SBX / PM with
rounding) work too. On table-variant problems every evaluated vector is first moved to the
nearest table row, and sampling draws table rows.

Example:
    >>> from pymoo.optimize import minimize
    >>> from bench.problems import load_problem
    >>> from searchers.adapters.pymoo_adapter import PymooProblem, algorithm
    >>> problem = PymooProblem(load_problem("soundmnist/lut:tx2/acc-lat-energy@table"))
    >>> result = minimize(problem, algorithm("nsga3", problem, population_size=20), ("n_eval", 200), seed=0)
    >>> problem.objective.configs(result.X)[:1]
"""

from __future__ import annotations

from collections.abc import Callable
from math import comb
from pathlib import Path
from typing import Any

import numpy as np

from bench.benchmark import Benchmark
from bench.extras import require
from bench.problems import Problem
from bench.space import Config, crossover, decode_genes, encode_genes, gene_bounds, mutate, sample_config
from searchers.adapters.objective import Objective
from searchers.base import Searcher

require("pymoo", "the pymoo adapter")

from pymoo.algorithms.moo.moead import MOEAD  # noqa: E402
from pymoo.algorithms.moo.nsga2 import NSGA2  # noqa: E402
from pymoo.algorithms.moo.nsga3 import NSGA3  # noqa: E402
from pymoo.algorithms.moo.sms import SMSEMOA  # noqa: E402
from pymoo.core.algorithm import Algorithm  # noqa: E402
from pymoo.core.crossover import Crossover  # noqa: E402
from pymoo.core.evaluator import Evaluator  # noqa: E402
from pymoo.core.individual import Individual  # noqa: E402
from pymoo.core.mutation import Mutation  # noqa: E402
from pymoo.core.population import Population  # noqa: E402
from pymoo.core.problem import Problem as _PymooBase  # noqa: E402
from pymoo.core.sampling import Sampling  # noqa: E402
from pymoo.core.termination import NoTermination  # noqa: E402
from pymoo.problems.static import StaticProblem  # noqa: E402
from pymoo.util.ref_dirs import get_reference_directions  # noqa: E402

_MAX_EMPTY_GENERATIONS = 50  # generations of only already-told configs before a search gives up


class PymooProblem(_PymooBase):
    """``problem`` as a pymoo problem: integer gene vectors in, its normalised (minimised) objectives out.

    Args:
        problem: the benchmark problem.
        benchmark: what answers (default: ``problem.benchmark(tables_dir)``).
        tables_dir: folder of the tables when ``benchmark`` is not given.
    """

    def __init__(self, problem: Problem, benchmark: Benchmark | None = None, tables_dir: str | Path | None = None) -> None:
        self.objective = Objective(problem, benchmark, tables_dir)
        self.source = problem
        lower, upper = gene_bounds(problem.precisions)
        super().__init__(n_var=len(lower), n_obj=len(problem.objectives), xl=lower, xu=upper, vtype=int)

    def encode(self, configs: list[Config]) -> np.ndarray:
        """Gene vectors of ``configs``."""
        return encode_genes(configs, self.source.precisions)

    def decode(self, X: np.ndarray) -> list[Config]:
        """The configs of gene vectors ``X`` as they are (:attr:`objective` moves them to the table to answer them)."""
        return decode_genes(np.rint(X).astype(int), self.source.task, self.source.precisions)

    def _evaluate(self, X: np.ndarray, out: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        out["F"] = self.objective(self.decode(X))


class SpaceSampling(Sampling):
    """Uniform configs of the space (distinct table rows on a table-variant problem)."""

    def _do(self, problem: PymooProblem, n_samples: int, *args: Any, random_state: np.random.Generator, **kwargs: Any) -> np.ndarray:
        source = problem.source
        if source.pool:
            picks = random_state.choice(len(source.pool), size=min(n_samples, len(source.pool)), replace=False)
            return problem.encode([source.pool[i] for i in picks])
        return problem.encode([sample_config(random_state, source.task, source.precisions) for _ in range(n_samples)])


class SpaceCrossover(Crossover):
    """:func:`bench.space.crossover` of two parents, both ways round (two children)."""

    def __init__(self, prob: float = 0.9) -> None:
        super().__init__(n_parents=2, n_offsprings=2, prob=prob)

    def _do(self, problem: PymooProblem, X: np.ndarray, *args: Any, random_state: np.random.Generator, **kwargs: Any) -> np.ndarray:
        out = np.empty((2, *X.shape[1:]), dtype=int)
        for k in range(X.shape[1]):
            a, b = problem.decode(X[:, k])
            out[:, k] = problem.encode([crossover(a, b, random_state), crossover(b, a, random_state)])
        return out


class SpaceMutation(Mutation):
    """One :func:`bench.space.mutate` edit per mutated child."""

    def _do(self, problem: PymooProblem, X: np.ndarray, *args: Any, random_state: np.random.Generator, **kwargs: Any) -> np.ndarray:
        parents = problem.decode(X)
        return problem.encode([mutate(c, random_state, problem.source.precisions) for c in parents])


def reference_directions(n_objectives: int, population_size: int) -> np.ndarray:
    """Das-Dennis directions, the most partitions whose count of directions fits ``population_size``."""
    partitions = 1
    while comb(partitions + 1 + n_objectives - 1, n_objectives - 1) <= population_size:
        partitions += 1
    return get_reference_directions("das-dennis", n_objectives, n_partitions=partitions)


def _operators() -> dict[str, Any]:
    return {"sampling": SpaceSampling(), "crossover": SpaceCrossover(), "mutation": SpaceMutation()}


ALGORITHMS: dict[str, Callable[[int, int], Algorithm]] = {  # name -> (n objectives, population size) -> algorithm
    "nsga2": lambda k, n: NSGA2(pop_size=n, eliminate_duplicates=True, **_operators()),
    "nsga3": lambda k, n: NSGA3(reference_directions(k, n), pop_size=n, eliminate_duplicates=True, **_operators()),
    "smsemoa": lambda k, n: SMSEMOA(pop_size=n, eliminate_duplicates=True, **_operators()),
    "moead": lambda k, n: MOEAD(reference_directions(k, n), n_neighbors=min(10, n), **_operators()),
}


def algorithm(name: str, problem: PymooProblem, population_size: int = 20) -> Algorithm:
    """A pymoo algorithm (a key of :data:`ALGORITHMS`) with the space's operators.

    Raises:
        ValueError: for an unknown name, listing the known ones.
    """
    if name not in ALGORITHMS:
        raise ValueError(f"unknown pymoo algorithm {name!r}, expected one of {sorted(ALGORITHMS)}")
    return ALGORITHMS[name](problem.n_obj, population_size)


class PymooSearcher(Searcher):
    """A pymoo algorithm driven through its ask / tell interface, one of its generations at a time.

    The first generation starts from the run's initial design (as told), filled up with
    samples. Individuals whose config was told before are answered from the history;
    the others are handed out by :meth:`ask` (moved to an unproposed config by
    :meth:`admissible`, and the individual set to what was evaluated). A generation is told
    to pymoo once all of it is answered, so :meth:`ask` returns fewer than asked for at the
    end of a generation.
    """

    algorithm_name = ""

    def __init__(self, population_size: int = 20) -> None:
        self.population_size = population_size

    def setup(self, problem: Problem, seed: int) -> None:
        super().setup(problem, seed)
        self._pymoo = PymooProblem(problem, benchmark=_NO_BENCHMARK)
        self._algorithm: Algorithm | None = None
        self._generation: Population | None = None
        self._waiting: list[int] = []  # individuals of the generation not yet handed out
        self._asked: dict[str, int] = {}  # config id -> its individual, handed out and not yet told
        self._told: dict[str, np.ndarray] = {}

    def ask(self, n: int) -> list[Config]:
        if self._algorithm is None:
            self._start()
        for _ in range(_MAX_EMPTY_GENERATIONS):
            if self._generation is not None:
                break
            self._next_generation()
        else:
            raise RuntimeError(f"{self.name}: {_MAX_EMPTY_GENERATIONS} generations in a row held only configs already told")
        out = []
        while self._waiting and len(out) < n:
            i = self._waiting.pop(0)
            (config,) = self.admissible(self._pymoo.decode(self._generation[i].X[None, :]))
            self._generation[i].set("X", self._pymoo.encode([config])[0])
            self._asked[config.id] = i
            out.append(config)
        return out

    def tell(self, configs, observations) -> None:
        super().tell(configs, observations)
        values = self.told_values()[-len(configs):]
        for config, f in zip(configs, values):
            self._told[config.id] = f
            self._asked.pop(config.id, None)
        if self._generation is not None and not self._waiting and not self._asked:
            self._finish_generation()

    def _start(self) -> None:
        self._algorithm = ALGORITHMS[self.algorithm_name](len(self.problem.objectives), self.population_size)
        initial = [c for c, _ in self.history[: self.population_size]]
        X = self._pymoo.encode(initial) if initial else np.empty((0, self._pymoo.n_var), dtype=int)
        fill = self.population_size - len(X)
        if fill > 0:
            X = np.vstack([X, SpaceSampling().do(self._pymoo, fill, random_state=self.rng).get("X")]).astype(int)
        self._algorithm.setup(self._pymoo, sampling=X, termination=NoTermination(), seed=int(self.rng.integers(2**31)))

    def _next_generation(self) -> None:
        asked = self._algorithm.ask()
        self._one_at_a_time = isinstance(asked, Individual)  # a loop-wise algorithm (MOEA/D) asks for one
        generation = Population.create(asked) if self._one_at_a_time else asked
        configs = self._pymoo.decode(generation.get("X"))
        self._generation, self._waiting = generation, [i for i, c in enumerate(configs) if c.id not in self._told]
        for individual, config in zip(generation, configs):
            individual.set("X", self._pymoo.encode([config])[0])
        if not self._waiting:
            self._finish_generation()

    def _finish_generation(self) -> None:
        configs = self._pymoo.decode(self._generation.get("X"))
        F = np.array([self._told[c.id] for c in configs])
        Evaluator().eval(StaticProblem(self._pymoo, F=F), self._generation)
        self._algorithm.tell(infills=self._generation[0] if self._one_at_a_time else self._generation)
        self._generation = None


class _NoBenchmark:
    """Stands in for a benchmark where a searcher never evaluates (the run loop does)."""

    def evaluate_many(self, configs: list) -> list:
        raise RuntimeError("a searcher's pymoo problem is never evaluated: the run loop answers its configs")


_NO_BENCHMARK: Any = _NoBenchmark()


class PymooNSGA2(PymooSearcher):
    """pymoo's NSGA-II with the space's operators."""

    name = "pymoo:nsga2"
    algorithm_name = "nsga2"


class PymooNSGA3(PymooSearcher):
    """pymoo's NSGA-III (Das-Dennis reference directions fitting the population) with the space's operators."""

    name = "pymoo:nsga3"
    algorithm_name = "nsga3"


class PymooSMSEMOA(PymooSearcher):
    """pymoo's SMS-EMOA (hypervolume-contribution survival) with the space's operators."""

    name = "pymoo:smsemoa"
    algorithm_name = "smsemoa"


class PymooMOEAD(PymooSearcher):
    """pymoo's MOEA/D (one offspring per subproblem, neighbourhood replacement) with the space's operators."""

    name = "pymoo:moead"
    algorithm_name = "moead"

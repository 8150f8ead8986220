"""The one evaluation loop: ``minimize(problem, searcher, termination)``, after pymoo's ``minimize``.

A run sets the searcher up with the problem and a seed, evaluates the seed's initial
design (the same configs for every searcher), then asks the searcher for ``batch``
configs at a time until a termination says stop. Every evaluation is charged in
evaluations and in simulated seconds (the answer's recorded training seconds plus the
measured searcher time: asking for the batch and being told its results, shared by its
configs) and recorded as one dict; a backbone screening the searcher asks for
(:meth:`searchers.Searcher.screen`) is charged its recorded seconds, and a probe at a
lower fidelity (:meth:`searchers.Searcher.probe`) the seconds of training up to that
epoch less what the config was already charged (training resumes from a checkpoint, as
in syne-tune's simulator); both are recorded too, and a full evaluation of a probed
config is charged only the rest of its training; ``callback`` sees each batch's records as soon as
they exist, so a caller can log them before the next batch (the leaderboard writes them
to its run logs). The leaderboard, the best-known-front search and ``scripts/bench_bo.py``
run through it.

Example:
    >>> from bench.optimize import MaxEvaluations, minimize
    >>> from bench.problems import load_problem
    >>> from searchers import NSGA2
    >>> result = minimize(load_problem("soundmnist/lut:tx2/acc-lat-energy@table"), NSGA2(), MaxEvaluations(100), seed=0)
    >>> len(result.records), result.front()[:1]
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from bench.benchmark import Benchmark, Observation
from bench.errors import DataError
from bench.problems import Problem
from bench.space import BackboneGenotype, Config, sample_config
from searchers import Searcher, SpaceExhaustedError

INITIAL_DESIGN_STREAM = 7919  # second word of the initial design's seed, apart from the searchers' streams
DEFAULT_N_INIT = 10
SEARCHER_COSTS = ("measured", "modelled", "none")  # what a run charges for the searcher's own time (minimize)


class Termination(Protocol):
    """When a run stops (see :class:`MaxEvaluations`, :class:`MaxSimulatedSeconds`)."""

    def done(self, n_evaluations: int, sim_seconds: float) -> bool:
        """Whether a run that has made ``n_evaluations`` in ``sim_seconds`` simulated seconds stops."""
        ...

    def remaining(self, n_evaluations: int) -> int | None:
        """How many more evaluations it allows (None: not bounded in evaluations)."""
        ...


@dataclass(frozen=True)
class MaxEvaluations:
    """Stop after ``n`` evaluations (never ask for more than are left)."""

    n: int

    def __post_init__(self) -> None:
        if not isinstance(self.n, int) or self.n < 1:
            raise ValueError(f"MaxEvaluations needs a positive whole number of evaluations, got {self.n!r}")

    def done(self, n_evaluations: int, sim_seconds: float) -> bool:
        return n_evaluations >= self.n

    def remaining(self, n_evaluations: int) -> int | None:
        return self.n - n_evaluations


@dataclass(frozen=True)
class MaxSimulatedSeconds:
    """Stop once ``seconds`` simulated seconds are spent (the batch that crosses it is kept)."""

    seconds: float

    def __post_init__(self) -> None:
        if not self.seconds > 0 or not np.isfinite(self.seconds):
            raise ValueError(f"MaxSimulatedSeconds needs a positive, finite number of seconds, got {self.seconds!r}")

    def done(self, n_evaluations: int, sim_seconds: float) -> bool:
        return sim_seconds >= self.seconds

    def remaining(self, n_evaluations: int) -> int | None:
        return None


@dataclass
class Result:
    """What a run did: one record per evaluation, in order, its backbone screenings and low-fidelity probes, and the
    searcher as it ended."""

    problem: Problem
    searcher: Searcher
    records: list[dict[str, Any]] = field(default_factory=list)
    screenings: list[dict[str, Any]] = field(default_factory=list)  # single-modality evaluations, in order (key ``screen``)
    probes: list[dict[str, Any]] = field(default_factory=list)  # evaluations at a lower fidelity, in order (key ``probe``: the epoch)

    @property
    def sim_seconds(self) -> float:
        """Simulated seconds charged to the run."""
        return self.records[-1]["sim_seconds"] if self.records else 0.0

    def front(self) -> list[Config]:
        """The searcher's recommendation: the non-dominated configs it was told."""
        return self.searcher.recommend()


def initial_design(problem: Problem, seed: int, n: int) -> list[Config]:
    """The ``n`` starting configs of seed ``seed``: distinct pool rows (table variant) or uniform samples
    at the problem's precisions."""
    rng = np.random.default_rng([seed, INITIAL_DESIGN_STREAM])
    if problem.pool:
        return [problem.pool[i] for i in rng.choice(len(problem.pool), size=min(n, len(problem.pool)), replace=False)]
    return [sample_config(rng, problem.task, problem.precisions) for _ in range(n)]


def minimize(
    problem: Problem,
    searcher: Searcher,
    termination: Termination | Sequence[Termination],
    seed: int = 0,
    n_init: int = DEFAULT_N_INIT,
    batch: int = 1,
    benchmark: Benchmark | None = None,
    tables_dir: str | Path | None = None,
    callback: Callable[[list[dict[str, Any]]], None] | None = None,
    searcher_cost: str = "measured",
) -> Result:
    """Run ``searcher`` (not yet set up) on ``problem`` until ``termination`` (one, or several: the first that
    says stop ends the run).

    Args:
        problem: the problem (its variant decides table or surrogate answers).
        searcher: a fresh searcher; it is set up here with ``problem`` and ``seed``.
        termination: :class:`MaxEvaluations`, :class:`MaxSimulatedSeconds`, or a sequence of them.
        seed: the run's seed (initial design and searcher).
        n_init: size of the initial design (capped by an evaluation budget); 0 lets the searcher start.
        batch: configs asked for at a time.
        benchmark: what answers the queries (default: ``problem.benchmark(tables_dir)``).
        tables_dir: folder of the tables (when ``benchmark`` is not given; default: :func:`bench.locations.tables_root`).
        callback: called with each batch's records as soon as they are made, and with each screening's records
            (single-modality evaluations a searcher asked for: key ``screen`` names the modality) and probes
            (evaluations at a lower fidelity: key ``probe`` is the epoch).
        searcher_cost: what the searcher's own time adds to the simulated seconds (:data:`SEARCHER_COSTS`):
            ``"measured"`` its measured ask and tell seconds; ``"modelled"`` the deterministic
            :meth:`Searcher.modelled_seconds` of each proposal it made (none for the initial design); ``"none"``
            nothing. With the last two a simulated-seconds budget stops at the same evaluation on every rerun; the
            measured searcher time is recorded all the same.

    Returns:
        The run's :class:`Result`. A table-variant run ends early when every pool config was proposed.
    """
    terminations = [termination] if not isinstance(termination, Sequence) else list(termination)
    if not terminations or n_init < 0 or batch < 1:
        raise ValueError("minimize needs a termination, n_init >= 0 and batch >= 1")
    if searcher_cost not in SEARCHER_COSTS:
        raise ValueError(f"searcher_cost {str(searcher_cost)[:40]!r} is not one of {', '.join(SEARCHER_COSTS)}")
    bench = benchmark if benchmark is not None else problem.benchmark(tables_dir)
    result = Result(problem, searcher)
    searcher.setup(problem, seed)
    if searcher_cost == "modelled":
        try:
            searcher.modelled_seconds(0)
        except NotImplementedError as err:  # refused before any evaluation
            raise ValueError(str(err)) from err
    n_done, sim_seconds, ask_seconds = 0, 0.0, 0.0

    def screen(modality: str, backbones: list[BackboneGenotype]) -> list[Observation]:
        nonlocal sim_seconds
        observations = [bench.evaluate_backbone(modality, b.to_dict()) for b in backbones]
        records = []
        for backbone, obs in zip(backbones, observations):
            if not np.isfinite(obs.cost_seconds):
                raise DataError(f"{problem.task} {modality} backbone {obs.config_id} has no recorded evaluation seconds "
                                "(eval_seconds): its screening cannot be charged")
            sim_seconds += obs.cost_seconds
            records.append({"screen": modality, "backbone_id": obs.config_id, "objectives": [obs.objectives[o] for o in problem.objectives],
                            "cost_seconds": obs.cost_seconds, "sim_seconds": sim_seconds, "backbone": backbone.to_dict()})
        result.screenings += records
        if callback is not None:
            callback(records)
        return observations

    paid: dict[str, float] = {}  # config id -> training seconds already charged by probes (its last checkpoint)

    def probe(configs: list[Config], epoch: int) -> list[Observation]:
        nonlocal sim_seconds
        observations = bench.at_fidelity(epoch).evaluate_many(configs)
        records = []
        for config, obs in zip(configs, observations):
            charged = max(obs.cost_seconds - paid.get(config.id, 0.0), 0.0)
            paid[config.id] = max(obs.cost_seconds, paid.get(config.id, 0.0))
            sim_seconds += charged
            records.append({"probe": epoch, "config_id": config.id, "objectives": [obs.objectives[o] for o in problem.objectives],
                            "cost_seconds": charged, "sim_seconds": sim_seconds, "config": config.to_dict()})
        result.probes += records
        if callback is not None:
            callback(records)
        return observations

    searcher.connect_run_loop(screen, probe)
    configs = initial_design(problem, seed, _capped(terminations, 0, n_init))
    proposed = not configs  # the initial design is not the searcher's proposal
    if proposed:
        configs, ask_seconds = _ask(searcher, _capped(terminations, 0, batch))
    while configs:
        modelled = searcher.modelled_seconds(n_done) if searcher_cost == "modelled" and proposed else 0.0
        observations = bench.evaluate_many(configs)
        start = time.perf_counter()
        searcher.tell(configs, observations)
        searcher_seconds = (ask_seconds + time.perf_counter() - start) / len(configs)
        charged = {"measured": searcher_seconds, "modelled": modelled, "none": 0.0}[searcher_cost]
        records = []
        for config, obs in zip(configs, observations):
            cost_seconds = max(obs.cost_seconds - paid.pop(config.id, 0.0), 0.0)  # a probed config resumes from its checkpoint
            sim_seconds += cost_seconds + charged
            n_done += 1
            records.append({
                "n": n_done, "config_id": config.id, "objectives": [obs.objectives[o] for o in problem.objectives],
                "cost_seconds": cost_seconds, "searcher_seconds": searcher_seconds, "sim_seconds": sim_seconds,
                "from_table": obs.from_table, "config": config.to_dict(),
            })
        result.records += records
        if callback is not None:
            callback(records)
        if any(t.done(n_done, sim_seconds) for t in terminations):
            break
        configs, ask_seconds = _ask(searcher, _capped(terminations, n_done, batch))
        proposed = True
    return result


def _capped(terminations: list[Termination], n_done: int, n: int) -> int:
    """``n``, or fewer when an evaluation budget leaves fewer."""
    left = [r for r in (t.remaining(n_done) for t in terminations) if r is not None]
    return min([n, *left])


def _ask(searcher: Searcher, n: int) -> tuple[list[Config], float]:
    """``searcher.ask(n)`` and the seconds it took; no configs once a table-variant pool is exhausted."""
    start = time.perf_counter()
    try:
        configs = searcher.ask(n)
    except SpaceExhaustedError:
        return [], 0.0
    return configs, time.perf_counter() - start

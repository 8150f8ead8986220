"""Run searchers on problems: every evaluation charged, logged, reproducible.

A run is one searcher x problem x seed. It starts from the seed's initial design (the
same configs for every searcher), then asks the searcher for ``batch`` configs at a time
until ``budget`` evaluations. Every evaluation is charged in evaluations and in simulated
seconds (the table's or surrogate's training seconds plus the measured searcher time) and
written at once as one JSON line, so a killed run keeps what it did. Runs go to parallel
processes with one thread each.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from bench.parallel import one_thread, single_thread_pool
from bench.problems import Problem, load_problem
from bench.space import Config, sample_config

INITIAL_DESIGN_STREAM = 7919  # second word of the initial design's seed, apart from the searchers' streams


@dataclass(frozen=True)
class RunSpec:
    """One run: ``problem`` is a label ``name@variant``; it stops at ``budget`` evaluations or ``budget_seconds``
    simulated seconds, whichever comes first."""

    problem: str
    searcher: str
    seed: int
    budget: int = 100
    n_init: int = 10
    batch: int = 1
    budget_seconds: float | None = None

    @property
    def slug(self) -> str:
        """A file name for the run's log."""
        return f"{self.problem.replace('/', '_').replace(':', '-').replace('@', '__')}__{self.searcher}__seed{self.seed}"


def initial_design(problem: Problem, seed: int, n: int) -> list[Config]:
    """The ``n`` starting configs of seed ``seed``: distinct pool rows (table variant) or uniform samples
    at the problem's precisions."""
    rng = np.random.default_rng([seed, INITIAL_DESIGN_STREAM])
    if problem.pool:
        return [problem.pool[i] for i in rng.choice(len(problem.pool), size=min(n, len(problem.pool)), replace=False)]
    return [sample_config(rng, problem.task, problem.precisions) for _ in range(n)]


@lru_cache(maxsize=8)
def _problem(label: str, tables_dir: str) -> tuple[Problem, Any]:
    problem = load_problem(label, tables_dir)
    return problem, problem.benchmark(tables_dir)


def evaluation_batches(problem: Problem, bench: Any, searcher: Any, spec: RunSpec) -> Iterator[list[dict[str, Any]]]:
    """Run ``searcher`` (not yet set up) on ``problem`` as ``spec`` says; yields each batch's evaluation records."""
    from searchers import SpaceExhaustedError

    searcher.setup(problem, spec.seed)
    configs = initial_design(problem, spec.seed, min(spec.n_init, spec.budget))
    n_done, sim_seconds, ask_seconds = 0, 0.0, 0.0
    while configs:
        observations = bench.evaluate_many(configs)
        start = time.perf_counter()
        searcher.tell(configs, observations)
        # The batch's searcher time: asking for it plus being told its results.
        searcher_seconds = (ask_seconds + time.perf_counter() - start) / len(configs)
        records = []
        for config, obs in zip(configs, observations):
            sim_seconds += obs.cost_seconds + searcher_seconds
            n_done += 1
            records.append({
                "n": n_done, "config_id": config.id, "objectives": [obs.objectives[o] for o in problem.objectives],
                "cost_seconds": obs.cost_seconds, "searcher_seconds": searcher_seconds, "sim_seconds": sim_seconds,
                "from_table": obs.from_table, "config": config.to_dict(),
            })
        yield records
        if n_done >= spec.budget or (spec.budget_seconds is not None and sim_seconds >= spec.budget_seconds):
            return
        start = time.perf_counter()
        try:
            configs = searcher.ask(min(spec.batch, spec.budget - n_done))
        except SpaceExhaustedError:
            return
        ask_seconds = time.perf_counter() - start


def run_one(spec: RunSpec, tables_dir: str, log_dir: str) -> Path:
    """Run ``spec``; returns its log (one JSON line per evaluation, the first line the spec)."""
    from searchers import get_searcher

    problem, bench = _problem(spec.problem, tables_dir)
    path = Path(log_dir) / f"{spec.slug}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as log:
        log.write(json.dumps({"spec": asdict(spec)}) + "\n")
        for records in evaluation_batches(problem, bench, get_searcher(spec.searcher)(), spec):
            log.writelines(json.dumps(record) + "\n" for record in records)
            log.flush()
    return path


def run_many(specs: Sequence[RunSpec], tables_dir: str, log_dir: str, workers: int = 2) -> list[Path]:
    """Run ``specs`` in ``workers`` processes with one thread each (in this process when ``workers`` is 1)."""
    if workers <= 1:
        one_thread()
        return [run_one(spec, tables_dir, log_dir) for spec in specs]
    with single_thread_pool(workers) as pool:
        futures = [pool.submit(run_one, spec, tables_dir, log_dir) for spec in specs]
        return [f.result() for f in futures]


def read_log(path: str | Path) -> tuple[RunSpec, list[dict[str, Any]]]:
    """A run's spec and its evaluation records."""
    lines = Path(path).read_text().splitlines()
    try:
        spec = RunSpec(**json.loads(lines[0])["spec"])
        records = [json.loads(line) for line in lines[1:]]
    except (IndexError, KeyError, TypeError, json.JSONDecodeError) as err:
        raise ValueError(f"run log {path} is corrupt: {err!r}") from err
    return spec, records

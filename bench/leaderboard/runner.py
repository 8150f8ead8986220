"""Run searchers on problems: every evaluation charged, logged, reproducible.

A run is one searcher x problem x seed, run by :func:`bench.optimize.minimize` until
``budget`` evaluations (or ``budget_seconds`` simulated seconds). Every evaluation is
written at once as one JSON line, so a killed run keeps what it did. Runs go to parallel
processes with one thread each.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import as_completed
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bench.optimize import MaxEvaluations, MaxSimulatedSeconds, Termination, minimize
from bench.parallel import one_thread, single_thread_pool
from bench.problems import Problem, load_problem
from bench.progress import progress


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
    searcher_cost: str | None = None  # bench.optimize.SEARCHER_COSTS; None: "none" with budget_seconds, else "measured"

    @property
    def charged_searcher_cost(self) -> str:
        """What the run charges for the searcher's time: as asked, else nothing under a seconds budget (so that a
        rerun stops at the same evaluation) and the measured time otherwise."""
        return self.searcher_cost or ("none" if self.budget_seconds is not None else "measured")

    @property
    def slug(self) -> str:
        """A file name for the run's log."""
        return f"{self.problem.replace('/', '_').replace(':', '-').replace('@', '__')}__{self.searcher.replace(':', '-')}__seed{self.seed}"


def terminations(spec: RunSpec) -> list[Termination]:
    """The run's stopping rules: its evaluation budget, and its simulated-seconds budget when it has one."""
    out: list[Termination] = [MaxEvaluations(spec.budget)]
    if spec.budget_seconds is not None:
        out.append(MaxSimulatedSeconds(spec.budget_seconds))
    return out


@lru_cache(maxsize=8)
def _problem(label: str, tables_dir: str) -> tuple[Problem, Any]:
    problem = load_problem(label, tables_dir)
    return problem, problem.benchmark(tables_dir)


def run_one(spec: RunSpec, tables_dir: str, log_dir: str) -> Path:
    """Run ``spec``; returns its log (one JSON line per evaluation, the first line the spec)."""
    from searchers import get_searcher

    problem, bench = _problem(spec.problem, tables_dir)
    path = Path(log_dir) / f"{spec.slug}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as log:
        log.write(json.dumps({"spec": asdict(spec)}) + "\n")

        def write(records: list[dict[str, Any]]) -> None:
            log.writelines(json.dumps(record) + "\n" for record in records)
            log.flush()

        minimize(problem, get_searcher(spec.searcher)(), terminations(spec), spec.seed, spec.n_init, spec.batch, bench, callback=write,
                 searcher_cost=spec.charged_searcher_cost)
    return path


def run_many(specs: Sequence[RunSpec], tables_dir: str, log_dir: str, workers: int = 2) -> list[Path]:
    """Run ``specs`` in ``workers`` processes with one thread each (in this process when ``workers`` is 1)."""
    if workers <= 1:
        one_thread()
        return [run_one(spec, tables_dir, log_dir) for spec in progress(specs, desc="leaderboard", unit="run")]
    with single_thread_pool(workers) as pool:
        futures = [pool.submit(run_one, spec, tables_dir, log_dir) for spec in specs]
        for _ in progress(as_completed(futures), total=len(futures), desc="leaderboard", unit="run"):
            pass
        return [f.result() for f in futures]


def read_log(path: str | Path) -> tuple[RunSpec, list[dict[str, Any]]]:
    """A run's spec and its evaluation records (the backbone screenings and low-fidelity probes logged between them
    left out)."""
    lines = Path(path).read_text().splitlines()
    try:
        spec = RunSpec(**json.loads(lines[0])["spec"])
        records = [record for record in map(json.loads, lines[1:]) if "screen" not in record and "probe" not in record]
    except (IndexError, KeyError, TypeError, json.JSONDecodeError) as err:
        raise ValueError(f"run log {path} is corrupt: {err!r}") from err
    return spec, records

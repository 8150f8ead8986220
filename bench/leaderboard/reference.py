"""Best-known Pareto fronts of the full-space problems, computed once per release.

The full space has no exact front. The reference is the non-dominated set of a large
surrogate-based search: ``n_random`` uniform samples (at the problem's precisions) plus NSGA-II runs of
``nsga2_evaluations`` each, all answered by the release's surrogates, together with the
table's front re-evaluated by the surrogates. It is stored in ``problems.json`` beside
the table front (``full_front``), so every leaderboard of a release scores against the
same front; a searcher that beats it shows a negative gap in the report's IGD+ plots.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from bench.optimize import MaxEvaluations, minimize
from bench.problems import PROBLEMS_FILE, Problem, pareto_mask, problem_from_entry, write_problems_document
from bench.progress import progress
from bench.space import Config, parse_config, sample_config

log = logging.getLogger(__name__)

SEARCH = {"n_random": 10_000, "nsga2_runs": 2, "nsga2_evaluations": 2000}  # the defaults of best_known_front


def best_known_front(
    problem: Problem, tables_dir: str | Path, n_random: int = SEARCH["n_random"], nsga2_runs: int = SEARCH["nsga2_runs"],
    nsga2_evaluations: int = SEARCH["nsga2_evaluations"],
) -> list[tuple[str, list[float]]]:
    """(config id, raw objective values) of the non-dominated configs found."""
    from searchers import NSGA2

    bench = problem.benchmark(tables_dir)
    rng = np.random.default_rng(0)
    found: dict[str, tuple[float, ...]] = {}

    def evaluate(configs: list[Config]) -> list:
        observations = bench.evaluate_many(configs)
        for config, obs in zip(configs, observations):
            found[config.id] = tuple(obs.objectives[o] for o in problem.objectives)
        return observations

    evaluate([sample_config(rng, problem.task, problem.precisions) for _ in range(n_random)])
    evaluate(_table_configs(problem, tables_dir))
    for seed in range(nsga2_runs):
        run = minimize(problem, NSGA2(population_size=50), MaxEvaluations(nsga2_evaluations), seed, n_init=0, batch=50, benchmark=bench)
        found.update((record["config_id"], tuple(record["objectives"])) for record in run.records)
    ids = list(found)
    values = np.array([found[i] for i in ids])
    keep = pareto_mask(problem.normalise(values))
    order = np.argsort(values[keep][:, 0])
    return [(ids[i], [float(v) for v in values[i]]) for i in np.flatnonzero(keep)[order]]


def _table_configs(problem: Problem, tables_dir: str | Path) -> list[Config]:
    """The configs of the problem's table front (the joint table read once)."""
    from bench.tables.manifest import load_table

    joint = load_table(Path(tables_dir) / problem.task, "joint").set_index("config_id")
    return [parse_config(joint.at[config_id, "config_json"]) for config_id, _ in problem.table_front]


def fill_full_fronts(doc: dict[str, Any], tables_dir: Path, **search: Any) -> dict[str, int]:
    """Compute every problem's best-known full-space front into the ``problems.json`` document ``doc``; returns the
    front sizes."""
    sizes = {}
    for name, entry in progress(doc["problems"].items(), total=len(doc["problems"]), desc="full-space fronts", unit="problem"):
        problem = problem_from_entry(name, entry, "full")
        entry["full_front"] = [[i, v] for i, v in best_known_front(problem, tables_dir, **search)]
        entry["full_front_search"] = {**SEARCH, **search}
        sizes[name] = len(entry["full_front"])
        log.info("%s: best-known full-space front of %d configs", name, sizes[name])
    return sizes


def add_full_fronts(task_dir: Path, **search: Any) -> dict[str, int]:
    """Add the best-known full-space fronts to ``task_dir``'s ``problems.json`` (rewritten once, atomically)."""
    path = task_dir / PROBLEMS_FILE
    doc = json.loads(path.read_text())
    sizes = fill_full_fronts(doc, task_dir.parent, **search)
    write_problems_document(task_dir, doc)
    return sizes

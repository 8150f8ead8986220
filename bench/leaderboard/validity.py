"""Benchmark-level validity, after NAS-Bench-301 and YAHPO: do searchers rank the same on the surrogates as on the truth?

Every searcher runs on a ``@table`` problem twice with the same seeds: once answered
exactly from the table, once from *cross-fitted* surrogates, whose accuracy of every row
was predicted by a model fitted on the other folds only (architecture-grouped folds, the
release's model and settings; static costs stay exact, as they are in surrogate mode).
The report gives the Kendall tau between the two searcher rankings (mean hypervolume) at
every budget, the tau between their anytime curves (mean hypervolume after each
evaluation, all searchers pooled), the true hypervolume of what each searcher found on
the surrogates, the seed-mean validation-vs-test tau of the table, and (where the joint trainings
recorded per-example correctness) how that tau grows with the validation split (:mod:`bench.tables.split_size`).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import as_completed
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from bench.benchmark import Benchmark, Observation
from bench.extras import require
from bench.leaderboard.indicators import hypervolume
from bench.leaderboard.scoring import trajectory
from bench.locations import tables_root
from bench.optimize import MaxEvaluations, minimize
from bench.parallel import single_thread_pool
from bench.problems import Problem, load_problem, pareto_mask
from bench.progress import progress
from bench.space import Config, parse_config
from bench.space.features import encode_for_surrogate
from bench.tables.manifest import load_table
from bench.tables.split_size import example_records, split_size_markdown, split_size_taus

WORLDS = ("table", "cross-fitted")
MIN_RECORDED = 30  # configs with per-example records before the report shows the split-size section
CHECKPOINTS = (15, 20, 25, 30, 40, 50, 75, 100)  # after the shared initial design (10), where every searcher ties


class FixedAnswers:
    """Answers a table problem's configs from given objective values (the cross-fitted world); screens backbones
    and prices costs as ``truth`` does."""

    def __init__(self, truth: Benchmark, values: dict[str, dict[str, float]], provenance: str) -> None:
        self._truth, self._values, self._provenance = truth, values, provenance

    def evaluate_many(self, configs: Sequence[Config]) -> list[Observation]:
        """The given values of ``configs``, at the table's cost."""
        true = self._truth.evaluate_many(configs)
        return [Observation(o.config_id, self._values[o.config_id], o.cost_seconds, {k: self._provenance for k in o.objectives}, False)
                for o in true]

    def evaluate_backbone(self, modality: str, backbone: dict) -> Observation:
        """The backbone table's answer (screening is the same in both worlds)."""
        return self._truth.evaluate_backbone(modality, backbone)


def cross_fitted_values(problem: Problem, tables_dir: str | Path | None = None, n_folds: int = 5, seed: int = 0) -> dict[str, dict[str, float]]:
    """Config id -> objectives of every pool row of ``problem``, its accuracy predicted out of fold by the release's
    default surrogate model and settings (static costs exact).

    Raises:
        UnknownNameError: a problem whose table has no fitted default surrogate of validation accuracy.
    """
    from surrogates import SURROGATES
    from surrogates.fitted import read_index
    from surrogates.selection import grouped_folds

    task_dir = tables_root(tables_dir) / problem.task
    index = read_index(task_dir)
    entry = index["targets"]["val_acc"]
    model_name = "xgboost-quantile" if "xgboost-quantile" in entry else sorted(entry)[0]
    make = lambda: SURROGATES[model_name](**entry[model_name]["params"])  # noqa: E731
    joint = load_table(task_dir, "joint").set_index("config_id")
    configs = list(problem.pool)
    X = encode_for_surrogate(configs, index["encoding"])
    y = joint.loc[[c.id for c in configs], "val_acc"].to_numpy(dtype=float)
    predicted = np.full(len(configs), np.nan)
    for train, test in grouped_folds(np.array([c.architecture_id for c in configs]), n_folds, seed):
        predicted[test] = make().fit(X[train], y[train]).predict(X[test])
    truth = problem.benchmark(tables_dir).evaluate_many(configs)
    return {c.id: {**obs.objectives, **({"acc": float(p)} if "acc" in obs.objectives else {})} for c, obs, p in zip(configs, truth, predicted)}


@dataclass(frozen=True)
class _Run:
    problem: str
    searcher: str
    seed: int
    budget: int
    world: str
    tables_dir: str
    n_folds: int


@lru_cache(maxsize=2)
def _world(label: str, tables_dir: str, world: str, n_folds: int) -> tuple[Problem, Benchmark, object]:
    """The problem, its exact answers, and the answers of ``world``."""
    problem = load_problem(label, tables_dir)
    truth = problem.benchmark(tables_dir)
    if world == "table":
        return problem, truth, truth
    return problem, truth, FixedAnswers(truth, cross_fitted_values(problem, tables_dir, n_folds), f"cross-fitted:{problem.task} ({n_folds} folds)")


def _run(run: _Run) -> dict:
    """One run's anytime hypervolume (its own world's values) and the true hypervolume of its final configs."""
    from searchers import get_searcher

    problem, truth, answers = _world(run.problem, run.tables_dir, run.world, run.n_folds)
    result = minimize(problem, get_searcher(run.searcher)(), MaxEvaluations(run.budget), run.seed, benchmark=answers)  # type: ignore[arg-type]
    true = problem.normalise([[o.objectives[k] for k in problem.objectives]
                              for o in truth.evaluate_many([parse_config(r["config"]) for r in result.records])])
    return {"searcher": run.searcher, "seed": run.seed, "world": run.world, "anytime": trajectory(problem, result.records)["hv"].tolist(),
            "true_hv": hypervolume(true[pareto_mask(true)], problem.ref_point)}


def run_validity(
    problem: str, searchers: Sequence[str], seeds: int = 10, budget: int = 50, n_folds: int = 5, workers: int = 2,
    tables_dir: str | Path | None = None,
) -> pd.DataFrame:
    """Every searcher x seed in both worlds: rows (searcher, seed, world, anytime HV list, true HV of its configs)."""
    if not problem.endswith("@table"):
        raise ValueError(f"validity compares a table problem's exact answers with cross-fitted ones: got {problem!r}, expected name@table")
    root = str(tables_root(tables_dir))
    load_problem(problem, root)
    runs = [_Run(problem, s, seed, budget, world, root, n_folds) for world in WORLDS for s in searchers for seed in range(seeds)]
    with single_thread_pool(workers) as pool:
        futures = [pool.submit(_run, run) for run in runs]
        rows = [f.result() for f in progress(as_completed(futures), total=len(futures), desc="validity", unit="run")]
    return pd.DataFrame(rows).sort_values(["world", "searcher", "seed"], ignore_index=True)


def ranking_agreement(runs: pd.DataFrame, budgets: Sequence[int]) -> pd.DataFrame:
    """Per budget: the Kendall tau between the searchers' mean-HV rankings in the two worlds, and those means."""
    stats = require("scipy.stats", "the validity report")
    rows = []
    for budget in budgets:
        means = runs.assign(hv=runs["anytime"].map(lambda c: c[min(budget, len(c)) - 1])).groupby(["world", "searcher"])["hv"].mean().unstack(0)
        rows.append({"budget": budget, "kendall_tau": float(stats.kendalltau(means["table"], means["cross-fitted"]).statistic),
                     **{f"{w}:{s}": means.loc[s, w] for s in means.index for w in WORLDS}})
    return pd.DataFrame(rows)


def anytime_agreement(runs: pd.DataFrame) -> float:
    """Kendall tau between the two worlds' mean anytime curves, every searcher's every evaluation pooled."""
    stats = require("scipy.stats", "the validity report")
    curves = runs.groupby(["world", "searcher"])["anytime"].apply(lambda c: np.mean(np.stack(c.to_list()), axis=0))
    table = np.concatenate([curves["table"][s] for s in sorted(curves["table"].index)])
    fitted = np.concatenate([curves["cross-fitted"][s] for s in sorted(curves["table"].index)])
    return float(stats.kendalltau(table, fitted).statistic)


def validation_test_tau(problem: Problem, tables_dir: str | Path | None = None) -> float:
    """Kendall tau between the seed-mean validation and test accuracy of the problem's pool rows."""
    stats = require("scipy.stats", "the validity report")
    joint = load_table(tables_root(tables_dir) / problem.task, "joint").set_index("config_id").loc[[c.id for c in problem.pool]]
    return float(stats.kendalltau(joint["val_acc"], joint["test_acc"]).statistic)


def validity_markdown(problem: str, runs: pd.DataFrame, n_folds: int, tables_dir: str | Path | None = None) -> str:
    """The ``validity_report.md`` of one problem's two-world runs."""
    budget = max(len(c) for c in runs["anytime"])
    checkpoints = [b for b in CHECKPOINTS if b < budget] + [budget]
    agreement = ranking_agreement(runs, checkpoints)
    searchers = sorted(runs["searcher"].unique())
    seeds = runs["seed"].nunique()
    lines = [
        f"# Validity: {problem}", "",
        f"{len(searchers)} searchers x {seeds} seeds, {budget} evaluations, run twice: answered exactly from the table, and "
        f"from cross-fitted surrogates (every row's accuracy predicted by the release's default surrogate fitted on the other "
        f"{n_folds - 1} of {n_folds} architecture-grouped folds; static costs exact). Hypervolume in the problem's normalised "
        "space, each world on its own answers. Target (issue: benchmark-level validity): Kendall tau >= 0.8.", "",
        f"- Kendall tau between the two worlds' searcher rankings at {budget} evaluations: "
        f"**{agreement['kendall_tau'].iloc[-1]:.3f}**; mean over the budgets below: {np.nanmean(agreement['kendall_tau']):.3f}",
        f"- Kendall tau between the worlds' mean anytime HV curves (every searcher's every evaluation pooled): "
        f"**{anytime_agreement(runs):.3f}**",
        f"- seed-mean validation vs test accuracy, Kendall tau over the problem's rows: "
        f"{validation_test_tau(load_problem(problem, tables_dir), tables_dir):.3f}", "",
        "| budget | tau | " + " | ".join(f"{s} (table / cross-fitted HV)" for s in searchers) + " |",
        "|---|---|" + "---|" * len(searchers),
    ]
    for _, row in agreement.iterrows():
        cells = [f"{row[f'table:{s}']:.4f} / {row[f'cross-fitted:{s}']:.4f}" for s in searchers]
        lines.append(f"| {int(row['budget'])} | {row['kendall_tau']:.3f} | " + " | ".join(cells) + " |")
    true = runs.groupby(["world", "searcher"])["true_hv"].mean().unstack(0)
    lines += ["", "What the searchers found, scored on the truth (mean true HV of all configs each run evaluated): a "
              "searcher exploiting surrogate errors finds less on the truth than it does on the table.", "",
              "| searcher | found on the table | found on the cross-fitted surrogates |", "|---|---|---|"]
    lines += [f"| {s} | {true.loc[s, 'table']:.4f} | {true.loc[s, 'cross-fitted']:.4f} |" for s in searchers]
    task = problem.split("/", 1)[0]
    records = example_records(tables_root(tables_dir) / task, task)
    if len(records.config_ids) >= MIN_RECORDED:  # none on soundmnist: its trainings predate per-example records
        lines += ["", *split_size_markdown(records, split_size_taus(records))]
    return "\n".join(lines) + "\n"

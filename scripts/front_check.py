"""The surrogates where searchers look: configs on the fronts of ``@full`` runs, trained live and compared.

Collects every run's final non-dominated configs from the committed leaderboards' ``@full``
logs (plus the best-known front's configs found there), draws ``--n`` of them (seeded),
trains each with the sweep's protocol (``Benchmark(mode="live")``, 3 seeds; configs the
sweep or an earlier check trained come from the store), and writes the surrogate's error
and Kendall tau on them next to the surrogate report's random-split figures. Searchers
exploit surrogate errors, so the front is where they matter.

Usage: python scripts/front_check.py [--task soundmnist] [--n 60] [--out tables/soundmnist/front_check.md]
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # one thread, as the sweep trains
    os.environ[_variable] = "1"

import argparse  # noqa: E402 (after the thread settings)
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from bench.benchmark import Benchmark
from bench.leaderboard.runner import read_log
from bench.locations import tables_root
from bench.problems import load_problem, pareto_mask
from bench.reports import write_report
from bench.space import parse_config


def front_configs(task_dir: Path) -> dict[str, dict]:
    """Config id -> config of every ``@full`` run's final front in the task's committed leaderboards."""
    out: dict[str, dict] = {}
    for path in sorted(task_dir.glob("leaderboard*/logs/*__full__*.jsonl")):
        spec, records = read_log(path)
        problem = load_problem(spec.problem, task_dir.parent)
        keep = pareto_mask(problem.normalise([r["objectives"] for r in records]))
        out.update({r["config_id"]: r["config"] for r, k in zip(records, keep) if k})
    return out


def _random_split_tau(task_dir: Path) -> float | None:
    """The default surrogate's validation-accuracy tau on the report's random split (surrogate_report.csv), if there."""
    path = task_dir / "surrogate_report.csv"
    if not path.is_file():
        return None
    rows = pd.read_csv(path)
    hit = rows[(rows.target == "val_acc") & (rows.model == "xgboost-quantile") & (rows.split == "random-80/20")]
    return float(hit.kendall_tau.iloc[0]) if len(hit) else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="soundmnist")
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tables-dir", default=None)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    task_dir = tables_root(args.tables_dir) / args.task
    candidates = front_configs(task_dir)
    picks = sorted(candidates)
    picks = [picks[i] for i in np.random.default_rng(args.seed).choice(len(picks), size=min(args.n, len(picks)), replace=False)]
    configs = [parse_config(candidates[i]) for i in picks]
    surrogate = Benchmark(args.task, objectives=("acc",), mode="surrogate", tables_dir=args.tables_dir)
    live = Benchmark(args.task, objectives=("acc",), mode="live", tables_dir=args.tables_dir)
    predicted = np.array([o.objectives["acc"] for o in surrogate.evaluate_many(configs)])
    start, trained = time.perf_counter(), []
    for n, config in enumerate(configs, 1):
        trained.append(live.evaluate(config).objectives["acc"])
        print(f"{n}/{len(configs)} {config.id}: surrogate {predicted[n - 1]:.2f} live {trained[-1]:.2f} "
              f"({time.perf_counter() - start:.0f} s, load {os.getloadavg()[0]:.2f})", flush=True)
    truth = np.array(trained)
    error = predicted - truth
    random_split = _random_split_tau(task_dir)
    lines = [
        f"# Surrogate on the fronts: {args.task}", "",
        f"{len(configs)} configs drawn (seed {args.seed}) from the {len(candidates)} configs on the final fronts of the committed "
        "leaderboards' @full runs, trained live with the sweep's protocol (3 seeds, `Benchmark(mode='live')`), against the "
        "default surrogate's validation accuracy (what @full searchers were answered).", "",
        f"- Kendall tau (surrogate vs live seed-mean validation accuracy): **{stats.kendalltau(predicted, truth).statistic:.3f}**",
        f"- mean error (surrogate - live): {error.mean():+.2f} points; mean absolute error {np.abs(error).mean():.2f}; "
        f"RMSE {np.sqrt(np.mean(error ** 2)):.2f}",
        f"- live accuracy of these configs: mean {truth.mean():.2f}, min {truth.min():.2f}, max {truth.max():.2f}; "
        f"surrogate's: mean {predicted.mean():.2f}",
        f"- the same surrogate on the surrogate report's random architecture split: tau {random_split:.3f}" if random_split is not None
        else "- compare with the random-split figures of surrogate_report.md",
        "", "| config | surrogate | live |", "|---|---|---|",
    ]
    lines += [f"| {c.id} | {p:.2f} | {t:.2f} |" for c, p, t in zip(configs, predicted, truth)]
    out = Path(args.out) if args.out else task_dir / "front_check.md"
    write_report(out, "\n".join(lines) + "\n")
    print(f"report: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Cost of one BoTorch MOBO iteration: model (fit or condition) and acquisition seconds, and the HV reached.

Runs qLogNEHVI on a problem for ``--budget`` evaluations from the leaderboard's initial
design, once with this package's settings (hyper-parameters refitted every 10
observations, warm-started, at most 50 L-BFGS iterations; 16 MC samples; baseline pruned
from 256 samples) and, with ``--usual``, once as usually set up (cold fit to convergence
every iteration, 64 MC samples, BoTorch's 2048 pruning samples), then prints the median per-iteration times around 100 and 200 observations and the
hypervolume after 100 evaluations, the per-iteration targets (0.3 s at 200 observations,
0.6 s at 400) and, beside every row, the load average and the other processes' CPU share
during the run. One thread, as in the leaderboard. A benchmark, not a test: quote the
figures with the host.

Usage: python scripts/bench_bo.py [--problem soundmnist/lut:tx2/acc-lat-energy@full] [--budget 210] [--seeds 0 1 2] [--usual] [--alpha 1e-3]
       [--out tables/soundmnist/bo_timings.md]
"""

from __future__ import annotations

import argparse
import platform
import sys

import numpy as np
import torch

from bench.hardware.host import conditions
from bench.leaderboard import DEFAULT_PROBLEMS
from bench.leaderboard.scoring import trajectory
from bench.optimize import MaxEvaluations, minimize
from bench.problems import load_problem
from bench.reports import write_report
from searchers import QLogNEHVI

ITERATION_TARGETS = {200: 0.3, 400: 0.6}  # seconds per iteration at that many observations (issue: speed)


def _median_near(timings: list[dict], n_obs: int, key: str, width: int = 10) -> float:
    values = [t[key] for t in timings if n_obs - width <= t["n_obs"] < n_obs + width]
    return float(np.median(values)) if values else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problem", default=DEFAULT_PROBLEMS[1])
    parser.add_argument("--budget", type=int, default=210)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="one run per seed and set-up")
    parser.add_argument("--usual", action="store_true", help="also run the usual set-up (slow: tens of seconds per iteration)")
    parser.add_argument("--alpha", type=float, default=0.0, help="also run with this approximate box decomposition (qlognehvi's partitioning_alpha)")
    parser.add_argument("--tables-dir", default="tables")
    parser.add_argument("--out", default=None, help="also write the printed table there, as a report ending in its checksum")
    args = parser.parse_args()
    torch.set_num_threads(1)
    problem = load_problem(args.problem, args.tables_dir)
    bench = problem.benchmark(args.tables_dir)
    setups = {"fast (this package)": QLogNEHVI}
    if args.alpha:
        setups[f"fast, partitioning alpha {args.alpha:g}"] = lambda: QLogNEHVI(partitioning_alpha=args.alpha)
    if args.usual:
        setups["usual"] = lambda: QLogNEHVI(refit_every=1, fit_maxiter=10_000, warm_start=False, mc_samples=64, prune_samples=2048)
    lines = [
        f"{args.problem}, {platform.processor() or platform.machine()}, 1 thread, torch {torch.__version__}",
        "| set-up | seed | obs | median model s | median acquisition s | median iteration s | target | HV after 100 evals | "
        "conditions during the run |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    print("\n".join(lines))
    for name, make in setups.items():
        for seed in args.seeds:
            searcher = make()
            with conditions() as during:
                records = minimize(problem, searcher, MaxEvaluations(args.budget), seed, n_init=10, benchmark=bench).records
            hv = trajectory(problem, records[:100])["hv"].iloc[-1]
            timings = [{**t, "total": t["model_seconds"] + t["acquisition_seconds"]} for t in searcher.timings]
            for n_obs in (100, 200, 400):
                if n_obs > args.budget:
                    continue
                cells = [_median_near(timings, n_obs, key) for key in ("model_seconds", "acquisition_seconds", "total")]
                target = ITERATION_TARGETS.get(n_obs)
                verdict = "-" if target is None else f"<= {target} s: {'met' if cells[2] <= target else 'not met'}"
                lines.append(f"| {name} | {seed} | {n_obs} +- 10 | " + " | ".join(f"{c:.3f}" for c in cells) + f" | {verdict} | {hv:.4f} | {during} |")
                print(lines[-1], flush=True)
    if args.out:
        write_report(args.out, "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

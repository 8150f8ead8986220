"""Cost of one BoTorch MOBO iteration: model (fit or condition) and acquisition seconds, and the HV reached.

Runs BoTorch MOBO on a problem for ``--budget`` evaluations from the leaderboard's initial
design, in each of the ``--setups``: ``fast``, qLogNEHVI with this package's settings
(hyper-parameters refitted every 10 observations, warm-started, at most 50 L-BFGS
iterations; 16 MC samples; baseline pruned from 128 samples); ``alpha``, the same with
approximate box decompositions (``--alpha``); ``ehvi``, qLogEHVI over the observed front
(same model settings); ``usual``, qLogNEHVI as usually set up (cold fit to convergence
every iteration, 64 MC samples, BoTorch's 2048 pruning samples). Prints the median per-iteration times around
100, 200 and 400 observations and the hypervolume after 100 evaluations, the
per-iteration targets (0.3 s at 200 observations, 0.6 s at 400) and, beside every row,
the load average and the other processes' CPU share during the run; with two seeds or
more, each set-up's hypervolume after 100 evaluations paired by seed with the first
set-up's (mean and range of the differences, Wilcoxon signed-rank p). One thread, as in
the leaderboard. A benchmark, not a test: quote the figures with the host.

Usage: python scripts/bench_bo.py [--problem soundmnist/lut:tx2/acc-lat-energy@full] [--budget 210] [--seeds 0 1 2]
       [--setups fast alpha ehvi usual] [--alpha 1e-3] [--out tables/soundmnist/bo_timings.md]
"""

from __future__ import annotations

import argparse
import platform
import sys

import numpy as np
import torch

from bench.hardware.host import conditions
from bench.leaderboard import DEFAULT_PROBLEMS
from bench.leaderboard.report import paired_wilcoxon_p
from bench.leaderboard.scoring import trajectory
from bench.optimize import MaxEvaluations, minimize
from bench.problems import load_problem
from bench.reports import write_report
from searchers import QLogEHVI, QLogNEHVI

ITERATION_TARGETS = {200: 0.3, 400: 0.6}  # seconds per iteration at that many observations (issue: speed)
SETUPS = {  # key: (label, searcher from the parsed arguments)
    "fast": ("fast (this package)", lambda args: QLogNEHVI()),
    "alpha": ("fast, partitioning alpha {alpha:g}", lambda args: QLogNEHVI(partitioning_alpha=args.alpha)),
    "ehvi": ("qlogehvi (observed front)", lambda args: QLogEHVI()),
    "usual": ("usual", lambda args: QLogNEHVI(refit_every=1, fit_maxiter=10_000, warm_start=False, mc_samples=64, prune_samples=2048)),
}


def _median_near(timings: list[dict], n_obs: int, key: str, width: int = 10) -> float:
    values = [t[key] for t in timings if n_obs - width <= t["n_obs"] < n_obs + width]
    return float(np.median(values)) if values else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problem", default=DEFAULT_PROBLEMS[1])
    parser.add_argument("--budget", type=int, default=210)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="one run per seed and set-up")
    parser.add_argument("--setups", nargs="+", choices=list(SETUPS), default=["fast"],
                        help="set-ups to run, in this order; the first is the reference of the paired comparison")
    parser.add_argument("--alpha", type=float, default=1e-3, help="qlognehvi's partitioning_alpha in set-up 'alpha'")
    parser.add_argument("--tables-dir", default="tables")
    parser.add_argument("--out", default=None, help="also write the printed table there, as a report ending in its checksum")
    args = parser.parse_args()
    torch.set_num_threads(1)
    problem = load_problem(args.problem, args.tables_dir)
    bench = problem.benchmark(args.tables_dir)
    setups = {SETUPS[key][0].format(alpha=args.alpha): SETUPS[key][1] for key in args.setups}
    lines = [
        f"{args.problem}, {platform.processor() or platform.machine()}, 1 thread, torch {torch.__version__}",
        "| set-up | seed | obs | median model s | median acquisition s | median iteration s | target | HV after 100 evals | "
        "conditions during the run |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    print("\n".join(lines))
    hv_at_100: dict[str, list[float]] = {}
    for name, make in setups.items():
        for seed in args.seeds:
            searcher = make(args)
            with conditions() as during:
                records = minimize(problem, searcher, MaxEvaluations(args.budget), seed, n_init=10, benchmark=bench).records
            hv = trajectory(problem, records[:100])["hv"].iloc[-1]
            hv_at_100.setdefault(name, []).append(hv)
            timings = [{**t, "total": t["model_seconds"] + t["acquisition_seconds"]} for t in searcher.timings]
            for n_obs in (100, 200, 400):
                if n_obs > args.budget:
                    continue
                cells = [_median_near(timings, n_obs, key) for key in ("model_seconds", "acquisition_seconds", "total")]
                target = ITERATION_TARGETS.get(n_obs)
                verdict = "-" if target is None else f"<= {target} s: {'met' if cells[2] <= target else 'not met'}"
                lines.append(f"| {name} | {seed} | {n_obs} +- 10 | " + " | ".join(f"{c:.3f}" for c in cells) + f" | {verdict} | {hv:.4f} | {during} |")
                print(lines[-1], flush=True)
    paired = _paired_hv(hv_at_100, args.seeds)
    print("\n".join(paired))
    lines += paired
    if args.out:
        write_report(args.out, "\n".join(lines) + "\n")
    return 0


def _paired_hv(hv_at_100: dict[str, list[float]], seeds: list[int]) -> list[str]:
    """Markdown lines: each set-up's HV after 100 evaluations minus the first set-up's, paired by seed."""
    if len(seeds) < 2 or len(hv_at_100) < 2:
        return []
    (reference, base), *others = hv_at_100.items()
    lines = ["", f"HV after 100 evaluations, paired by seed ({len(seeds)} seeds) against {reference}:",
             "| set-up | mean HV | mean difference | min / max difference | better / worse seeds | Wilcoxon p |", "|---|---|---|---|---|---|"]
    for name, values in others:
        diff = np.asarray(values) - np.asarray(base)
        p = paired_wilcoxon_p(diff)
        lines.append(f"| {name} | {np.mean(values):.4f} (reference {np.mean(base):.4f}) | {diff.mean():+.4f} | {diff.min():+.4f} / "
                     f"{diff.max():+.4f} | {int((diff > 0).sum())} / {int((diff < 0).sum())} | {p:.3f} |")
    return lines


if __name__ == "__main__":
    sys.exit(main())

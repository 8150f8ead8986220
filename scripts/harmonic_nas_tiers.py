"""Does Harmonic-NAS's second tier act? Pair reuse, generations and hypervolume of its runs on one problem.

Runs the ``harmonic-nas`` searcher (defaults) on a problem for each seed, under an
evaluation budget or a simulated-seconds budget, from the leaderboard's initial design,
and prints per seed: evaluations, backbone screenings, completed generations (the
generation the run ended in), the share of evaluations whose backbone pair was evaluated
at least twice in the run (the fusion search of one pair choosing among several fusion
networks; 0 when every evaluation has its own pair), the number of distinct pairs, and
the final hypervolume; then the means. On a block-design table (avmnist) the inner tier
uses the table's repeated pairs. ``--searcher`` runs another searcher through the same
figures, for comparison (its generations print as '-'). A benchmark of behaviour, not a test.

Usage: python scripts/harmonic_nas_tiers.py [--problem avmnist/lut:tx2/acc-lat-energy@table] [--seeds 0 1 2 3 4]
       [--budget 300 | --budget-seconds 1500] [--searcher harmonic-nas]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter

import numpy as np

from bench.leaderboard.scoring import trajectory
from bench.optimize import MaxEvaluations, MaxSimulatedSeconds, minimize
from bench.problems import load_problem
from searchers import get_searcher


def pair_of(record: dict) -> tuple[str, str]:
    """The backbone pair of one evaluation record (canonical JSON of each backbone)."""
    return tuple(json.dumps(record["config"][m], sort_keys=True) for m in ("image", "audio"))  # type: ignore[return-value]


def _count(value: float, spec: str = ".0f") -> str:
    return "-" if value != value else format(value, spec)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problem", default="avmnist/lut:tx2/acc-lat-energy@table")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--budget", type=int, default=300, help="evaluations per run")
    budget.add_argument("--budget-seconds", type=float, default=None, help="simulated seconds per run (instead of --budget)")
    parser.add_argument("--searcher", default="harmonic-nas")
    parser.add_argument("--tables-dir", default=None)
    args = parser.parse_args()
    problem = load_problem(args.problem, args.tables_dir)
    stop = MaxSimulatedSeconds(args.budget_seconds) if args.budget_seconds else MaxEvaluations(args.budget)
    print(f"{args.searcher} on {args.problem}, {stop}, seeds {args.seeds}")
    print("| seed | evaluations | screenings | generations | share in repeated pairs | distinct pairs | HV |")
    print("|---|---|---|---|---|---|---|")
    rows = []
    for seed in args.seeds:
        result = minimize(problem, get_searcher(args.searcher)(), stop, seed, benchmark=problem.benchmark(args.tables_dir),
                          searcher_cost="none")  # simulated seconds reproducible: only the answers' recorded seconds
        counts = Counter(pair_of(r) for r in result.records)
        repeated = sum(n for n in counts.values() if n >= 2) / len(result.records)
        generation = getattr(result.searcher, "generation", float("nan"))
        row = (len(result.records), len(result.screenings), generation, repeated, len(counts),
               float(trajectory(problem, result.records)["hv"].iloc[-1]))
        rows.append(row)
        print(f"| {seed} | {row[0]} | {row[1]} | {_count(row[2])} | {row[3]:.3f} | {row[4]} | {row[5]:.4f} |", flush=True)
    mean = np.mean(np.array(rows, dtype=float), axis=0)
    print(f"| mean | {mean[0]:.1f} | {mean[1]:.1f} | {_count(mean[2], '.1f')} | {mean[3]:.3f} | {mean[4]:.1f} | {mean[5]:.4f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

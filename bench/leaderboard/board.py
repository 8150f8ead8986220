"""The default leaderboard: searchers x seeds x problems, run, scored and reported in one call."""

from __future__ import annotations

import platform
import time
from collections.abc import Sequence
from pathlib import Path

from bench.files import atomic_path
from bench.hardware.host import describe_host
from bench.leaderboard import DEFAULT_BUDGET, DEFAULT_PROBLEMS, DEFAULT_SEARCHERS
from bench.leaderboard.plots import plot_anytime, plot_fronts
from bench.leaderboard.report import LOG_HV_FLOOR, evaluations_to_targets, markdown, score_logs, summary
from bench.leaderboard.runner import RunSpec, run_many
from bench.locations import tables_root
from bench.problems import load_problem
from bench.reports import write_report
from searchers import get_searcher

SECONDS_CHECKPOINTS = (0.125, 0.25, 0.5, 1.0)  # shares of a simulated-seconds budget the report compares runs at

REPORT = "report.md"
SEARCHER_TIME = {  # how a seconds-budget report says what the searcher's own time added
    "none": "the searcher's own time not charged so that runs are reproducible",
    "modelled": "and each proposal's searcher time from the searcher's deterministic cost model (Searcher.modelled_seconds), "
                "so that runs are reproducible",
    "measured": "and the searcher's measured time (runs may stop at different evaluations when rerun)",
}


def run_leaderboard(
    out_dir: Path,
    problems: Sequence[str] = DEFAULT_PROBLEMS,
    searchers: Sequence[str] = DEFAULT_SEARCHERS,
    seeds: int = 10,
    budget: int = DEFAULT_BUDGET,
    n_init: int = 10,
    workers: int = 2,
    tables_dir: str | None = None,
    budget_seconds: float | None = None,
    searcher_cost: str | None = None,
) -> Path:
    """Run every searcher x seed x problem, then write ``report.md``, ``summary.csv``, ``scores.csv`` and plots.

    ``searcher_cost`` is what a run charges for the searcher's own time (:data:`bench.optimize.SEARCHER_COSTS`;
    default: nothing under ``budget_seconds``, the measured time otherwise). Returns the report's path. The run logs are kept under ``out_dir/logs``; logs and plots an earlier leaderboard
    left in ``out_dir`` that this one does not write are removed, so the folder holds this leaderboard alone.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    tables_dir = str(tables_root(tables_dir))  # resolved once: the worker processes read the same folder
    loaded = {label: load_problem(label, tables_dir) for label in problems}  # a bad label fails here, before any run starts
    for name in searchers:  # so does a searcher that cannot search a problem (a multi-fidelity one without learning curves)
        for problem in loaded.values():
            get_searcher(name)().setup(problem, 0)
    # Longest runs first, so the process pool ends together.
    specs = [
        RunSpec(p, s, seed, budget, n_init, budget_seconds=budget_seconds, searcher_cost=searcher_cost)
        for s in searchers for p in problems for seed in range(seeds)
    ]
    specs.sort(key=lambda spec: not spec.searcher.startswith("q"))
    _remove_stale(out_dir / "logs", "*.jsonl", {f"{spec.slug}.jsonl" for spec in specs})
    start = time.perf_counter()
    logs = run_many(specs, tables_dir, str(out_dir / "logs"), workers)
    wall = time.perf_counter() - start
    host = describe_host()
    scores = score_logs(logs, tables_dir)
    if budget_seconds is None:
        axis, budgets = "n", sorted({b for b in (10, 25, 50, 100, 200, 500) if b < budget} | {budget})
    else:  # runs compared at shares of the simulated-seconds budget
        axis, budgets = "sim_seconds", [budget_seconds * share for share in SECONDS_CHECKPOINTS]
    table = summary(scores, budgets, axis)
    targets = evaluations_to_targets(scores, axis)
    for name, frame in (("scores", scores), ("summary", table), ("evaluations_to_targets", targets)):
        with atomic_path(out_dir / f"{name}.csv") as temporary:
            frame.to_csv(temporary, index=False)
    pictures = plot_anytime(scores, out_dir, tables_dir) + plot_fronts(logs, out_dir, tables_dir)
    _remove_stale(out_dir, "*.png", {p.name for p in pictures})
    limit = f"budget {budget} evaluations (the first {n_init} the same initial design for every searcher)" if budget_seconds is None else (
        f"budget {budget_seconds:.0f} simulated seconds, at most {budget} evaluations (the first {n_init} the same initial design "
        "for every searcher; simulated seconds: the recorded training seconds of every evaluation and the recorded seconds of "
        f"every backbone screening, {SEARCHER_TIME[specs[0].charged_searcher_cost]})")
    header = (
        f"# Leaderboard\n\n{len(searchers)} searchers x {seeds} seeds x {len(problems)} problems, {limit}, "
        f"{workers} processes with one "
        f"thread each; {wall:.0f} s wall on {host['cpu']} ({host['logical_cpus']} CPUs, Python {platform.python_version()}). Hypervolume and IGD+ in "
        "each problem's fixed normalised space (reference point 1.1); log10 HV diff is to the problem's reference front "
        f"(exact for @table, best known for @full), {LOG_HV_FLOOR:.0f} once it is reached. Plots: " + ", ".join(p.name for p in pictures) + "."
    )
    report = out_dir / REPORT
    write_report(report, markdown(table, targets, header, axis))
    return report


def _remove_stale(folder: Path, pattern: str, keep: set[str]) -> None:
    """Remove the files matching ``pattern`` in ``folder`` whose names are not in ``keep``."""
    for path in sorted(folder.glob(pattern)) if folder.is_dir() else []:
        if path.name not in keep:
            path.unlink()

"""The leaderboard's plots (PNG): anytime hypervolume and final fronts, one figure per problem.

Anytime plots show the mean over seeds with a band of +- one standard error of that mean,
hypervolume and log10 hypervolume difference to the reference front against evaluations,
and hypervolume against simulated seconds. Front plots show every seed's final
non-dominated points (one colour per searcher), axes labelled with unit and direction.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench.benchmark import objective_label
from bench.files import atomic_path
from bench.leaderboard.report import LOG_HV_FLOOR
from bench.leaderboard.runner import read_log
from bench.leaderboard.scoring import reference_hypervolume
from bench.problems import load_problem, pareto_mask
from searchers import searcher_label


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(plt: Any, fig: Any, path: Path) -> Path:
    fig.tight_layout()
    with atomic_path(path) as temporary:
        fig.savefig(temporary, dpi=110, format=path.suffix.lstrip("."))
    plt.close(fig)
    return path


def plot_anytime(scores: pd.DataFrame, out_dir: Path, tables_dir: str) -> list[Path]:
    """Anytime HV (vs evaluations and vs simulated seconds) and final fronts, one PNG per problem."""
    plt = _pyplot()
    paths = []
    for problem_label, group in scores.groupby("problem", sort=False):
        fig, axes = plt.subplots(1, 3, figsize=(15, 4))
        for searcher, runs in group.groupby("searcher"):
            for ax, metric in zip(axes[:2], ("hv", "log_hv_diff")):
                curve = np.maximum(runs[metric], LOG_HV_FLOOR).groupby(runs["n"]).agg(["mean", "sem"])
                ax.plot(curve.index, curve["mean"], label=searcher)
                ax.fill_between(curve.index, curve["mean"] - curve["sem"], curve["mean"] + curve["sem"], alpha=0.2)
            grid = np.geomspace(max(runs["sim_seconds"].min(), 1e-3), runs["sim_seconds"].max(), 100)
            per_seed = [np.interp(grid, r["sim_seconds"], r["hv"], left=0.0) for _, r in runs.groupby("seed")]
            axes[2].plot(grid, np.mean(per_seed, axis=0), label=searcher)
        reference = reference_hypervolume(load_problem(problem_label, tables_dir))
        labels = ("hypervolume (normalised, max)", "log10 HV difference to the reference front (min)", "hypervolume (normalised, max)")
        for ax, xlabel, ylabel in zip(axes, ("evaluations", "evaluations", "simulated seconds"), labels):
            ax.set_xlabel(xlabel)
            ax.set_ylabel(ylabel, fontsize=8)
        for ax in (axes[0], axes[2]):
            ax.axhline(reference, color="k", linestyle=":", label="reference front")
        axes[2].set_xscale("log")
        axes[0].legend(fontsize=8)
        fig.suptitle(f"{problem_label}: mean over seeds, bands +- one standard error (the last panel: mean only)", fontsize=9)
        paths.append(_save(plt, fig, out_dir / f"{_slug(problem_label)}_anytime.png"))
    return paths


def plot_fronts(logs: Sequence[Path], out_dir: Path, tables_dir: str) -> list[Path]:
    """Every seed's final non-dominated points of each searcher against the reference front, first two objectives."""
    plt = _pyplot()
    by_problem: dict[str, dict[str, list[np.ndarray]]] = {}
    for path in logs:
        spec, records = read_log(path)
        by_searcher = by_problem.setdefault(spec.problem, {})
        by_searcher.setdefault(searcher_label(spec.searcher), []).append(np.array([r["objectives"] for r in records]))
    paths = []
    for label, runs in by_problem.items():
        problem = load_problem(label, tables_dir)
        fig, ax = plt.subplots(figsize=(6, 4.5))
        reference = problem.reference_front()
        ax.scatter(reference[:, 1], reference[:, 0], marker="x", color="k", label="reference front", zorder=3)
        for searcher, per_seed in sorted(runs.items()):
            fronts = np.concatenate([values[pareto_mask(problem.normalise(values))] for values in per_seed])
            ax.scatter(fronts[:, 1], fronts[:, 0], s=10, alpha=0.35, label=f"{searcher} ({len(per_seed)} seeds)")
        ax.set_xlabel(objective_label(problem.objectives[1], problem.directions[1]))
        ax.set_ylabel(objective_label(problem.objectives[0], problem.directions[0]))
        ax.set_title(f"{label}: final fronts of every seed (projection on {problem.objectives[0]}, {problem.objectives[1]})", fontsize=8)
        ax.legend(fontsize=7)
        paths.append(_save(plt, fig, out_dir / f"{_slug(label)}_fronts.png"))
    return paths


def _slug(label: str) -> str:
    return label.replace("/", "_").replace(":", "-").replace("@", "__")

"""The leaderboard's plots (PNG): anytime hypervolume and final fronts, one figure per problem."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench.files import atomic_path
from bench.leaderboard.runner import read_log
from bench.leaderboard.scoring import reference_hypervolume
from bench.problems import load_problem, pareto_mask


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
        fig, axes = plt.subplots(1, 2, figsize=(11, 4))
        for searcher, runs in group.groupby("searcher"):
            curve = runs.groupby("n")["hv"].agg(["mean", "sem"])
            axes[0].plot(curve.index, curve["mean"], label=searcher)
            axes[0].fill_between(curve.index, curve["mean"] - curve["sem"], curve["mean"] + curve["sem"], alpha=0.2)
            grid = np.geomspace(max(runs["sim_seconds"].min(), 1e-3), runs["sim_seconds"].max(), 100)
            per_seed = [np.interp(grid, r["sim_seconds"], r["hv"], left=0.0) for _, r in runs.groupby("seed")]
            axes[1].plot(grid, np.mean(per_seed, axis=0), label=searcher)
        reference = reference_hypervolume(load_problem(problem_label, tables_dir))
        for ax, xlabel in zip(axes, ("evaluations", "simulated seconds")):
            ax.axhline(reference, color="k", linestyle=":", label="reference front")
            ax.set_xlabel(xlabel)
            ax.set_ylabel("hypervolume (normalised)")
        axes[1].set_xscale("log")
        axes[0].legend(fontsize=8)
        fig.suptitle(problem_label)
        paths.append(_save(plt, fig, out_dir / f"{_slug(problem_label)}_anytime.png"))
    return paths


def plot_fronts(logs: Sequence[Path], out_dir: Path, tables_dir: str, seed: int = 0) -> list[Path]:
    """Final non-dominated points of each searcher (one seed) against the reference front, first two objectives."""
    plt = _pyplot()
    by_problem: dict[str, list[tuple[str, np.ndarray]]] = {}
    for path in logs:
        spec, records = read_log(path)
        if spec.seed == seed:
            by_problem.setdefault(spec.problem, []).append((spec.searcher, np.array([r["objectives"] for r in records])))
    paths = []
    for label, runs in by_problem.items():
        problem = load_problem(label, tables_dir)
        fig, ax = plt.subplots(figsize=(6, 4.5))
        reference = problem.reference_front()
        ax.scatter(reference[:, 1], reference[:, 0], marker="x", color="k", label="reference front")
        for searcher, values in sorted(runs):
            front = values[pareto_mask(problem.normalise(values))]
            ax.scatter(front[:, 1], front[:, 0], s=14, alpha=0.8, label=searcher)
        ax.set_xlabel(problem.objectives[1])
        ax.set_ylabel(problem.objectives[0])
        ax.set_title(f"{label}: final fronts, seed {seed} (projection on {problem.objectives[0]}, {problem.objectives[1]})", fontsize=8)
        ax.legend(fontsize=7)
        paths.append(_save(plt, fig, out_dir / f"{_slug(label)}_fronts.png"))
    return paths


def _slug(label: str) -> str:
    return label.replace("/", "_").replace(":", "-").replace("@", "__")

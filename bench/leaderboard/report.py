"""The leaderboard report: tables (Markdown + CSV) from the runs' logs (plots: :mod:`bench.leaderboard.plots`).

Per problem x searcher x budget (in evaluations): mean +- standard error over seeds of
hypervolume, log hypervolume difference and IGD+; the evaluations needed to reach 80 /
90 / 95 % of the reference hypervolume; the average rank of the searcher (by
hypervolume, within each seed); and a paired Wilcoxon signed-rank test of its
hypervolume against random search over the same seeds (same initial designs).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from bench.leaderboard.runner import read_log
from bench.leaderboard.scoring import trajectory
from bench.problems import Problem, load_problem

HV_TARGETS = (0.8, 0.9, 0.95)
BASELINE = "random"
LOG_HV_FLOOR = -6.0  # log10 HV difference of a run that reached the reference front (-inf) counts as this


def score_logs(paths: Sequence[Path], tables_dir: str) -> pd.DataFrame:
    """All runs' trajectories in one long frame (problem, searcher, seed, n, sim_seconds, indicators)."""
    problems: dict[str, Problem] = {}
    frames = []
    for path in paths:
        spec, records = read_log(path)
        problem = problems.setdefault(spec.problem, load_problem(spec.problem, tables_dir))
        frame = trajectory(problem, records)
        frame.insert(0, "seed", spec.seed)
        frame.insert(0, "searcher", spec.searcher)
        frame.insert(0, "problem", spec.problem)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _at_budget(scores: pd.DataFrame, budget: int) -> pd.DataFrame:
    """Each run's last row with ``n <= budget``."""
    return scores[scores["n"] <= budget].groupby(["problem", "searcher", "seed"]).last().reset_index()


def summary(scores: pd.DataFrame, budgets: Sequence[int]) -> pd.DataFrame:
    """One row per problem x searcher x budget."""
    rows = []
    for budget in budgets:
        at = _at_budget(scores, budget)
        at["rank"] = at.groupby(["problem", "seed"])["hv"].rank(ascending=False)
        for (problem, searcher), group in at.groupby(["problem", "searcher"]):
            row = {"problem": problem, "searcher": searcher, "budget": budget, "n_seeds": len(group)}
            for metric in ("hv", "log_hv_diff", "igd_plus"):
                values = np.maximum(group[metric].to_numpy(dtype=float), LOG_HV_FLOOR)
                row[f"{metric}_mean"] = float(values.mean())
                row[f"{metric}_se"] = float(values.std(ddof=1) / np.sqrt(len(values))) if len(values) > 1 else float("nan")
            row["avg_rank"] = float(group["rank"].mean())
            row["wilcoxon_p_vs_random"], row["median_hv_diff_vs_random"] = _versus_baseline(at, problem, group)
            rows.append(row)
    return pd.DataFrame(rows)


def _versus_baseline(at: pd.DataFrame, problem: str, group: pd.DataFrame) -> tuple[float, float]:
    base = at[(at["problem"] == problem) & (at["searcher"] == BASELINE)].set_index("seed")["hv"]
    mine = group.set_index("seed")["hv"]
    seeds = sorted(set(base.index) & set(mine.index))
    if group["searcher"].iloc[0] == BASELINE or len(seeds) < 2:
        return float("nan"), float("nan")
    diff = mine[seeds].to_numpy() - base[seeds].to_numpy()
    p = float(stats.wilcoxon(diff).pvalue) if np.any(diff != 0) else 1.0
    return p, float(np.median(diff))


def evaluations_to_targets(scores: pd.DataFrame) -> pd.DataFrame:
    """Per problem x searcher: median evaluations to reach each fraction of the reference HV, and how many seeds did."""
    rows = []
    for (problem, searcher), group in scores.groupby(["problem", "searcher"]):
        row = {"problem": problem, "searcher": searcher}
        for target in HV_TARGETS:
            reached = group[group["hv_fraction"] >= target].groupby("seed")["n"].min()
            n_seeds = group["seed"].nunique()
            row[f"evals_to_{int(target * 100)}pct"] = float(reached.median()) if len(reached) else float("nan")
            row[f"seeds_reaching_{int(target * 100)}pct"] = f"{len(reached)}/{n_seeds}"
        rows.append(row)
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame, targets: pd.DataFrame, header: str) -> str:
    """The report's Markdown: one section per problem."""
    lines = [header, ""]
    for problem, group in table.groupby("problem", sort=False):
        lines += [f"## {problem}", "", "| budget | searcher | HV | log10 HV diff | IGD+ | avg rank | Wilcoxon p vs random (median HV diff) |",
                  "|---|---|---|---|---|---|---|"]
        for _, r in group.sort_values(["budget", "avg_rank"]).iterrows():
            versus = "-" if np.isnan(r["wilcoxon_p_vs_random"]) else f"{r['wilcoxon_p_vs_random']:.3g} ({r['median_hv_diff_vs_random']:+.4f})"
            lines.append(
                f"| {r['budget']} | {r['searcher']} | {r['hv_mean']:.4f} +- {r['hv_se']:.4f} | "
                f"{r['log_hv_diff_mean']:.3f} +- {r['log_hv_diff_se']:.3f} | {r['igd_plus_mean']:.4f} +- {r['igd_plus_se']:.4f} | "
                f"{r['avg_rank']:.2f} | {versus} |"
            )
        lines += ["", "| searcher | " + " | ".join(f"evals to {int(t * 100)} % ref HV (seeds)" for t in HV_TARGETS) + " |",
                  "|---|" + "---|" * len(HV_TARGETS)]
        for _, r in targets[targets["problem"] == problem].iterrows():
            cells = [f"{r[f'evals_to_{int(t * 100)}pct']:.0f} ({r[f'seeds_reaching_{int(t * 100)}pct']})" for t in HV_TARGETS]
            lines.append(f"| {r['searcher']} | " + " | ".join(c.replace("nan", "-") for c in cells) + " |")
        lines.append("")
    return "\n".join(lines)

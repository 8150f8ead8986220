"""The leaderboard report: tables (Markdown + CSV) from the runs' logs (plots: :mod:`bench.leaderboard.plots`).

Per problem x searcher x budget (in evaluations): mean +- standard error over seeds of
hypervolume, log hypervolume difference and IGD+; the evaluations needed to reach 80 /
90 / 95 % of the reference hypervolume (the median over all seeds, a seed that never
reaches it counted at its budget, and how many reached it); the average rank of the
searcher (by hypervolume, within each seed); and a paired Wilcoxon signed-rank test of its
hypervolume against random search over the same seeds (same initial designs), its p
Holm-corrected across the searchers compared at that problem and budget.
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
from searchers import searcher_label

HV_TARGETS = (0.8, 0.9, 0.95)
BASELINE = "random"
LOG_HV_FLOOR = -6.0  # log10 HV difference of a run that reached the reference front (-inf) counts as this


def score_logs(paths: Sequence[Path], tables_dir: str) -> pd.DataFrame:
    """All runs' trajectories in one long frame (problem, searcher, seed, n, sim_seconds, indicators)."""
    problems: dict[str, Problem] = {}
    labels: dict[str, str] = {}
    frames = []
    for path in paths:
        spec, records = read_log(path)
        problem = problems.setdefault(spec.problem, load_problem(spec.problem, tables_dir))
        frame = trajectory(problem, records)
        frame.insert(0, "seed", spec.seed)
        frame.insert(0, "searcher", labels.setdefault(spec.searcher, searcher_label(spec.searcher)))
        frame.insert(0, "problem", spec.problem)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _at_budget(scores: pd.DataFrame, budget: float, axis: str = "n") -> pd.DataFrame:
    """Each run's last row with ``axis <= budget`` (``n``: evaluations; ``sim_seconds``: simulated seconds)."""
    return scores[scores[axis] <= budget].groupby(["problem", "searcher", "seed"]).last().reset_index()


def summary(scores: pd.DataFrame, budgets: Sequence[float], axis: str = "n") -> pd.DataFrame:
    """One row per problem x searcher x budget, budgets counted on ``axis`` (``n`` or ``sim_seconds``)."""
    rows = []
    for budget in budgets:
        at = _at_budget(scores, budget, axis)
        at["rank"] = at.groupby(["problem", "seed"])["hv"].rank(ascending=False)
        for (problem, searcher), group in at.groupby(["problem", "searcher"]):
            row = {"problem": problem, "searcher": searcher, "budget": budget, "n_seeds": len(group)}
            if axis != "n":  # how many evaluations the searcher had made by then
                row["evaluations_mean"] = float(group["n"].mean())
            for metric in ("hv", "log_hv_diff", "igd_plus"):
                values = np.maximum(group[metric].to_numpy(dtype=float), LOG_HV_FLOOR)
                row[f"{metric}_mean"] = float(values.mean())
                row[f"{metric}_se"] = float(values.std(ddof=1) / np.sqrt(len(values))) if len(values) > 1 else float("nan")
            row["avg_rank"] = float(group["rank"].mean())
            row["wilcoxon_p_vs_random"], row["median_hv_diff_vs_random"] = _versus_baseline(at, problem, group)
            rows.append(row)
    table = pd.DataFrame(rows)
    if len(table):
        table["wilcoxon_p_holm"] = np.nan
        for _, family in table.groupby(["problem", "budget"]):
            table.loc[family.index, "wilcoxon_p_holm"] = holm(family["wilcoxon_p_vs_random"].tolist())
    return table


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment of ``p_values`` (NaN entries are left out and stay NaN)."""
    values = np.asarray(p_values, dtype=float)
    out = np.full(len(values), np.nan)
    index = np.flatnonzero(~np.isnan(values))
    order = index[np.argsort(values[index], kind="stable")]
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(order) - rank) * values[i]))
        out[i] = running
    return out.tolist()


def min_attainable_p(n_seeds: int) -> float:
    """The smallest two-sided p of an exact Wilcoxon signed-rank test on ``n_seeds`` pairs (every difference one sign)."""
    return 2.0 / 2.0**n_seeds


def _versus_baseline(at: pd.DataFrame, problem: str, group: pd.DataFrame) -> tuple[float, float]:
    base = at[(at["problem"] == problem) & (at["searcher"] == BASELINE)].set_index("seed")["hv"]
    mine = group.set_index("seed")["hv"]
    seeds = sorted(set(base.index) & set(mine.index))
    if group["searcher"].iloc[0] == BASELINE or len(seeds) < 2:
        return float("nan"), float("nan")
    diff = mine[seeds].to_numpy() - base[seeds].to_numpy()
    return paired_wilcoxon_p(diff), float(np.median(diff))


def paired_wilcoxon_p(diff: np.ndarray) -> float:
    """Two-sided Wilcoxon signed-rank p of paired differences ``diff`` (1 when every difference is 0)."""
    return float(stats.wilcoxon(diff).pvalue) if np.any(diff != 0) else 1.0


def evaluations_to_targets(scores: pd.DataFrame, axis: str = "n") -> pd.DataFrame:
    """Per problem x searcher: the median over all seeds of the evaluations (``axis`` ``n``) or simulated seconds
    (``sim_seconds``) to reach each fraction of the reference HV (a seed that never reaches it counts at its budget,
    its last evaluation), and how many seeds reached it. The median is NaN when fewer than half the seeds reached the
    target (it would be a budget, not a time to target)."""
    rows = []
    for (problem, searcher), group in scores.groupby(["problem", "searcher"]):
        row = {"problem": problem, "searcher": searcher}
        budgets = group.groupby("seed")[axis].max()
        for target in HV_TARGETS:
            reached = group[group["hv_fraction"] >= target].groupby("seed")[axis].min()
            spent = reached.reindex(budgets.index).fillna(budgets)
            enough = 2 * len(reached) >= len(budgets)
            row[f"{_TO_TARGET[axis]}_to_{int(target * 100)}pct"] = float(spent.median()) if enough else float("nan")
            row[f"seeds_reaching_{int(target * 100)}pct"] = f"{len(reached)}/{len(budgets)}"
        rows.append(row)
    return pd.DataFrame(rows)


_TO_TARGET = {"n": "evals", "sim_seconds": "seconds"}  # axis -> the column prefix of its time to target


def markdown(table: pd.DataFrame, targets: pd.DataFrame, header: str, axis: str = "n") -> str:
    """The report's Markdown: one section per problem (budgets in evaluations, or simulated seconds for ``axis``
    ``sim_seconds``, where each row also says how many evaluations the searcher had made by then)."""
    lines = [header, ""]
    for problem, group in table.groupby("problem", sort=False):
        n_seeds = int(group["n_seeds"].max())
        lines += [f"## {problem}", "",
                  f"Wilcoxon p is paired over {n_seeds} seeds against random search; the smallest p {n_seeds} pairs can give is "
                  f"{min_attainable_p(n_seeds):.3g}; Holm p corrects across the searchers at each budget.", "",
                  "| budget | searcher | HV | log10 HV diff | IGD+ | avg rank | Wilcoxon p vs random, Holm p (median HV diff) |",
                  "|---|---|---|---|---|---|---|"]
        for _, r in group.sort_values(["budget", "avg_rank"]).iterrows():
            versus = "-" if np.isnan(r["wilcoxon_p_vs_random"]) else (
                f"{r['wilcoxon_p_vs_random']:.3g}, {r['wilcoxon_p_holm']:.3g} ({r['median_hv_diff_vs_random']:+.4f})")
            budget = f"{r['budget']:.0f}" if axis == "n" else f"{r['budget']:.0f} s ({r['evaluations_mean']:.0f} evals)"
            lines.append(
                f"| {budget} | {r['searcher']} | {r['hv_mean']:.4f} +- {r['hv_se']:.4f} | "
                f"{r['log_hv_diff_mean']:.3f} +- {r['log_hv_diff_se']:.3f} | {r['igd_plus_mean']:.4f} +- {r['igd_plus_se']:.4f} | "
                f"{r['avg_rank']:.2f} | {versus} |"
            )
        unit = _TO_TARGET[axis]
        lines += ["", f"{'Evaluations' if axis == 'n' else 'Simulated seconds'} to a share of the reference HV: median over all "
                  "seeds, a seed that never reaches it counted at its budget ('-' when fewer than half did); in brackets the seeds "
                  "that reached it.", "",
                  "| searcher | " + " | ".join(f"{unit} to {int(t * 100)} % ref HV (seeds)" for t in HV_TARGETS) + " |",
                  "|---|" + "---|" * len(HV_TARGETS)]
        for _, r in targets[targets["problem"] == problem].iterrows():
            cells = [f"{r[f'{unit}_to_{int(t * 100)}pct']:.0f} ({r[f'seeds_reaching_{int(t * 100)}pct']})" for t in HV_TARGETS]
            lines.append(f"| {r['searcher']} | " + " | ".join(c.replace("nan", "-") for c in cells) + " |")
        lines.append("")
    return "\n".join(lines)

"""How far a measured latency can be trusted: a repeat measuring round set against the first.

The joint table holds the first round of ``measured:<host>``; ``latency_repeats.parquet``
holds a repeat of a seeded sample of its configs on another day (plan
``latency-joint-repeat``). Their agreement (Kendall tau, Spearman, MAPE) is the noise
ceiling of a measured latency: no surrogate can rank the configs better than a second
measurement of them does. The figures are given raw and after calibration by the host
speed index (:mod:`bench.hardware.speed_index`), and the release's latency surrogate
(``surrogate_report.csv``, random split) is judged against that ceiling.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bench.columns import LATENCY_REPEATS
from bench.devices import TOTAL, device_spec
from bench.hardware.speed_index import SPEED_INDEX, calibrate, geometric_mean, table_speed_index
from bench.tables.manifest import load_table, read_manifest

SURROGATE_REPORT, DEFAULT_MODEL, RANDOM_SPLIT = "surrogate_report.csv", "xgboost-quantile", "random-80/20"


def agreement(first: np.ndarray, second: np.ndarray) -> dict[str, float]:
    """Kendall tau, Spearman and mean absolute percentage difference of ``second`` from ``first``."""
    from scipy import stats

    return {
        "kendall_tau": float(stats.kendalltau(first, second).statistic),
        "spearman": float(stats.spearmanr(first, second).statistic),
        "mape_pct": float(np.mean(np.abs(second - first) / first) * 100),
    }


def round_pairs(task_dir: Path) -> dict[str, pd.DataFrame]:
    """Per host of the repeats: one row per repeated config with the first round (``first_ms``), the repeat
    (``repeat_ms``), the repeat calibrated to the first round's speed index (``calibrated_ms``), both rounds' indices
    (``first_index_ms``, the chunk's), and each round's run-to-run spread ((p90 - p10) / median: ``first_spread``,
    ``repeat_spread``)."""
    manifest = read_manifest(task_dir)
    if f"{LATENCY_REPEATS}.parquet" not in manifest["files"]:
        return {}
    joint = load_table(task_dir, "joint").set_index("config_id")
    repeats = load_table(task_dir, LATENCY_REPEATS)
    task = manifest["task"]
    out = {}
    for host, rows in repeats.groupby("host", sort=True):
        device = device_spec(f"measured:{host}")
        first = joint[device.column("latency_ms", TOTAL)].reindex(rows["config_id"])
        spread = (joint[f"{device.stem}_latency_p90_ms"] - joint[f"{device.stem}_latency_p10_ms"]).reindex(rows["config_id"])
        reference = table_speed_index(joint.reset_index(), host, task)
        pairs = rows.assign(first_ms=first.to_numpy(), first_spread=(spread / first).to_numpy(), first_index_ms=reference,
                            repeat_ms=rows["latency_ms"],
                            repeat_spread=(rows["latency_p90_ms"] - rows["latency_p10_ms"]) / rows["latency_ms"])
        pairs["calibrated_ms"] = [calibrate(ms, index, reference) for ms, index in zip(pairs["repeat_ms"], pairs[SPEED_INDEX])]
        out[host] = pairs[np.isfinite(pairs["first_ms"])].reset_index(drop=True)
    return out


def latency_rounds_report(task_dir: Path) -> str:
    """Markdown: per host, the agreement of the two rounds (raw and calibrated), the speed indices, and the latency
    surrogate's tau against that ceiling."""
    task_dir = Path(task_dir)
    lines = [f"# Measured latency: a repeat round against the first ({read_manifest(task_dir)['task']})", "",
             "The noise ceiling of a measured latency: the same configs measured again in a second exclusive measuring phase "
             "on another day (plan `latency-joint-repeat`, `latency_repeats.parquet`). Calibrated: each repeat chunk's "
             "timings scaled by the ratio of the first round's host speed index (the joint table's own medians of the "
             "reference configs) to the chunk's (`bench.hardware.speed_index`).", ""]
    pairs = round_pairs(task_dir)
    if not pairs:
        return "\n".join(lines + ["No repeat round in these tables.", ""])
    quality = _surrogate_taus(task_dir)
    lines += ["| host | configs | repeat finished (UTC) | speed index: first round / repeat (ms) | tau raw | tau calibrated "
              "| Spearman | MAPE raw % | MAPE calibrated % | surrogate tau (share of the ceiling) |", "|---" * 10 + "|"]
    for host, rows in pairs.items():
        raw = agreement(rows["first_ms"].to_numpy(), rows["repeat_ms"].to_numpy())
        calibrated = agreement(rows["first_ms"].to_numpy(), rows["calibrated_ms"].to_numpy())
        surrogate = quality.get(f"measured:{host}/latency_ms")
        share = "-" if surrogate is None else f"{surrogate:.3f} ({surrogate / raw['kendall_tau']:.0%} of {raw['kendall_tau']:.3f})"
        when = f"{rows['finished_at'].min()[:10]} to {rows['finished_at'].max()[:10]}"
        lines.append(
            f"| {host} | {len(rows)} | {when} | {rows['first_index_ms'].iloc[0]:.3f} / {geometric_mean(rows[SPEED_INDEX]):.3f} "
            f"| {raw['kendall_tau']:.3f} | {calibrated['kendall_tau']:.3f} | {raw['spearman']:.3f} | {raw['mape_pct']:.1f} "
            f"| {calibrated['mape_pct']:.1f} | {share} |"
        )
    lines += ["", "Calibration scales every config of a chunk by one factor, so it moves a tau only through differences "
              "between chunks; it is meant for the absolute values (MAPE) and for figures from different days or hosts. "
              "Where the first round predates the index, its phase has one index (the table's medians of the reference "
              "configs, timed in one chunk), which calibrates the whole round only if the host kept one speed through it.",
              "", f"Surrogate: the release's default model ({DEFAULT_MODEL}) on the {RANDOM_SPLIT} split of "
              f"`{SURROGATE_REPORT}`, scored against the first round. Its training rows share chunks, and so the host's "
              "speed at the time, with its test rows, so it can rank the first round better than a second measurement "
              "does: a share above 100 % says the first round's ranking holds little beyond what the architecture and "
              "that shared drift explain.", "",
              "Drift within the repeat: the speed index at the start and at the end of each chunk.", "",
              "| host | chunks | median abs(end / start - 1) | largest | run-to-run spread (p90 - p10) / median: first round / repeat "
              "(median) | load before a repeat chunk |", "|---|---|---|---|---|---|"]
    for host, rows in pairs.items():
        drift = (rows["speed_index_end_ms"] / rows["speed_index_start_ms"] - 1).abs().groupby(rows["job_id"]).first()
        lines.append(f"| {host} | {len(drift)} | {drift.median():.1%} | {drift.max():.1%} | {rows['first_spread'].median():.1%} / "
                     f"{rows['repeat_spread'].median():.1%} | {rows['load1'].min():.2f} to {rows['load1'].max():.2f} |")
    lines += ["", "A round whose runs spread more (a noisier host, whatever its load average says) bounds the agreement of the "
              "two: the tau above is a lower bound on how well either round ranks the noise-free latencies."]
    lines.append("")
    return "\n".join(lines)


def _surrogate_taus(task_dir: Path) -> dict[str, float]:
    """Target -> Kendall tau of the default surrogate on the random split, from the committed surrogate report."""
    path = task_dir / SURROGATE_REPORT
    if not path.is_file():
        return {}
    table = pd.read_csv(path)
    rows = table[(table["model"] == DEFAULT_MODEL) & (table["split"] == RANDOM_SPLIT)]
    return dict(zip(rows["target"], rows["kendall_tau"].astype(float)))

"""A validation result set against the benchmark: per-config error, MAPE and rank correlation.

The reference values come from ``Benchmark(mode="auto")`` on the chosen device: the
table where it holds the config, the release's surrogates elsewhere (each row says
which). Against a LUT device only the rank correlation is meaningful (another board);
against this host's own ``measured:<host>`` column both are.

Errors against a measured device are given raw and calibrated: the validation's timings
scaled by the ratio of the host speed index of the phase that measured the table's column
to the run's, in that column's runtime (:mod:`bench.hardware.speed_index`), so a host that
runs faster or slower today than on the day the column was measured is not read as a
model error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from bench.benchmark import Benchmark, NotInTableError
from bench.devices import device_spec
from bench.hardware.speed_index import SPEED_INDEX, calibrate, index_runtime, phase_index, table_speed_index
from bench.locations import tables_root
from bench.space import parse_config
from bench.tables import load_table
from bench.tables.manifest import TableError


def compare(result: dict[str, Any], device: str, runtime: str, tables_dir: str | Path | None = None) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Rows (config id, measured ms, reference ms, source, error %) and summary metrics (MAPE, Spearman, Kendall tau)."""
    configs = [parse_config(item["config"]) for item in result["items"]]
    try:
        bench = Benchmark(configs[0].task, device, ("lat",), mode="auto", tables_dir=tables_dir)
        observations = bench.evaluate_many(configs)
    except TableError:  # no fitted surrogates: table rows only
        bench = Benchmark(configs[0].task, device, ("lat",), mode="table", tables_dir=tables_dir)
        observations = [_table_or_none(bench, c) for c in configs]
    index = speed_indices(result, device, tables_dir)
    rows = []
    for item, obs in zip(result["items"], observations):
        measured = item[runtime]["timing"]["median_ms"] if runtime in item else float("nan")
        reference = obs.objectives["lat"] if obs else float("nan")
        calibrated = calibrate(measured, index["run_ms"], index["table_ms"])
        rows.append({
            "config_id": item["config_id"], "measured_ms": measured,
            "spread_ms": item[runtime]["timing"]["p90_ms"] - item[runtime]["timing"]["p10_ms"] if runtime in item else float("nan"),
            "reference_ms": reference, "source": ("table" if obs.from_table else "surrogate") if obs else "missing",
            "error_pct": 100.0 * (measured - reference) / reference,
            "calibrated_error_pct": 100.0 * (calibrated - reference) / reference,
        })
    reference = np.array([r["reference_ms"] for r in rows])
    summary = summarise(np.array([r["measured_ms"] for r in rows]), reference)
    calibrated = np.abs([r["calibrated_error_pct"] for r in rows])
    summary["calibrated_mape_pct"] = float(np.mean(calibrated[np.isfinite(calibrated)])) if np.isfinite(calibrated).any() else float("nan")
    return rows, {**summary, **{f"speed_index_{k}": v for k, v in index.items()}}


def speed_indices(result: dict[str, Any], device: str, tables_dir: str | Path | None) -> dict[str, float]:
    """The host speed index of the validation run (``run_ms``) and of the phase that measured ``device``'s table
    column (``table_ms``), in the runtime of that column; NaN where either is unknown (a result from before the index,
    a device not measured on a host)."""
    spec = device_spec(device)
    if spec.kind.prices_any_config:  # a board or a model, not a host's measuring phase
        return {"run_ms": float("nan"), "table_ms": float("nan")}
    run = phase_index(result.get(SPEED_INDEX, {}).get(index_runtime(spec.member)))
    task = parse_config(result["items"][0]["config"]).task
    joint = load_table(tables_root(tables_dir) / task, "joint")
    return {"run_ms": run, "table_ms": table_speed_index(joint, spec.member, task)}


def _table_or_none(bench: Benchmark, config: Any) -> Any:
    try:
        return bench.evaluate(config)
    except NotInTableError:
        return None


def summarise(measured: np.ndarray, reference: np.ndarray) -> dict[str, float]:
    """MAPE (%), Spearman and Kendall tau over the pairs where both values exist."""
    ok = np.isfinite(measured) & np.isfinite(reference)
    m, r = measured[ok], reference[ok]
    ranked = len(m) >= 3 and np.ptp(m) > 0 and np.ptp(r) > 0
    return {
        "n": int(ok.sum()),
        "mape_pct": float(np.mean(np.abs(m - r) / r) * 100) if len(m) else float("nan"),
        "spearman": float(stats.spearmanr(m, r).statistic) if ranked else float("nan"),
        "kendall_tau": float(stats.kendalltau(m, r).statistic) if ranked else float("nan"),
    }


def markdown(rows: list[dict[str, Any]], summary: dict[str, float], title: str) -> str:
    """The comparison as Markdown."""
    lines = [f"### {title}", "", "| config | measured ms (p90-p10) | reference ms | source | error % | calibrated error % |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['config_id']} | {r['measured_ms']:.3f} ({r['spread_ms']:.3f}) | {r['reference_ms']:.3f} | {r['source']} "
            f"| {r['error_pct']:+.1f} | {r['calibrated_error_pct']:+.1f} |".replace("nan", "-")
        )
    run, table = summary["speed_index_run_ms"], summary["speed_index_table_ms"]
    lines += ["", f"n = {summary['n']}, MAPE {summary['mape_pct']:.1f} % (calibrated {summary['calibrated_mape_pct']:.1f} %), "
              f"Spearman {summary['spearman']:.3f}, Kendall tau {summary['kendall_tau']:.3f}".replace("nan", "-"),
              "", f"Host speed index (bench.hardware.speed_index): this run {run:.3f} ms, the table's measuring phase "
              f"{table:.3f} ms, ratio {run / table:.3f}.".replace("nan", "-"), ""]
    return "\n".join(lines)

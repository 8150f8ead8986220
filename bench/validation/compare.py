"""A validation result set against the benchmark: per-config error, MAPE and rank correlation.

The reference values come from ``Benchmark(mode="auto")`` on the chosen device: the
table where it holds the config, the release's surrogates elsewhere (each row says
which). Against a LUT device only the rank correlation is meaningful (another board);
against this host's own ``measured:<host>`` column both are.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from bench.benchmark import Benchmark, NotInTableError
from bench.space import parse_config
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
    rows = []
    for item, obs in zip(result["items"], observations):
        measured = item[runtime]["timing"]["median_ms"] if runtime in item else float("nan")
        reference = obs.objectives["lat"] if obs else float("nan")
        rows.append({
            "config_id": item["config_id"], "measured_ms": measured,
            "spread_ms": item[runtime]["timing"]["p90_ms"] - item[runtime]["timing"]["p10_ms"] if runtime in item else float("nan"),
            "reference_ms": reference, "source": ("table" if obs.from_table else "surrogate") if obs else "missing",
            "error_pct": 100.0 * (measured - reference) / reference,
        })
    return rows, summarise(np.array([r["measured_ms"] for r in rows]), np.array([r["reference_ms"] for r in rows]))


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
    lines = [f"### {title}", "", "| config | measured ms (p90-p10) | reference ms | source | error % |", "|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['config_id']} | {r['measured_ms']:.3f} ({r['spread_ms']:.3f}) | {r['reference_ms']:.3f} | {r['source']} | {r['error_pct']:+.1f} |"
        )
    lines += ["", f"n = {summary['n']}, MAPE {summary['mape_pct']:.1f} %, Spearman {summary['spearman']:.3f}, "
              f"Kendall tau {summary['kendall_tau']:.3f}", ""]
    return "\n".join(lines)

"""``mmnas tables report``: a Markdown summary of a task's committed tables."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from bench.columns import PRECISION_COLUMNS, component_column, total_column
from bench.devices import TOTAL, DeviceSpec, device_spec, devices_in
from bench.examples import example_document, example_names, load_example
from bench.space import COMPONENTS
from bench.tables.manifest import load_table, read_manifest

_ACCURACY_COLUMNS = ("val_acc", "test_acc")
_TX2, _HOROWITZ = device_spec("lut:tx2"), device_spec("model:horowitz45")
_COST_COLUMNS = ("params", "macs", _TX2.column("latency_ms"), _TX2.column("energy_mj"), _HOROWITZ.column("energy_mj"))
_TX2_LATENCY, _TX2_ENERGY = _TX2.column("latency_ms", TOTAL), _TX2.column("energy_mj", TOTAL)


def _measured(columns: pd.Index) -> list[DeviceSpec]:
    """The measured devices a table has columns of."""
    return [d for d in devices_in(columns) if not d.kind.prices_any_config]


def _ranges(frame: pd.DataFrame, component: str | None = None) -> list[str]:
    """Min / median / max of accuracy and of the cost columns (of ``component`` in the joint table)."""
    lines = ["| column | n | min | median | max |", "|---|---|---|---|---|"]
    costs = [c if component is None else component_column(component, c) for c in _COST_COLUMNS]
    columns = [*_ACCURACY_COLUMNS, *costs] + [d.column("latency_ms", component) for d in _measured(frame.columns)]
    for column in columns:
        if column in frame:
            values = frame[column].dropna()
            if len(values):
                lines.append(f"| {column} | {len(values)} | {values.min():.4g} | {values.median():.4g} | {values.max():.4g} |")
    return lines


def _noise_ceiling(joint: pd.DataFrame) -> list[str]:
    """Rank agreement of accuracy between training seeds."""
    lines = ["| metric | seed pair | Kendall tau | Spearman | n |", "|---|---|---|---|---|"]
    n_seeds = int(joint["val_acc_seeds"].map(len).min())
    for metric in ("val_acc", "test_acc"):
        per_seed = np.array(joint[f"{metric}_seeds"].map(lambda v: list(v)[:n_seeds]).tolist())
        for a, b in itertools.combinations(range(n_seeds), 2):
            x, y = per_seed[:, a], per_seed[:, b]
            if np.ptp(x) == 0 or np.ptp(y) == 0:
                lines.append(f"| {metric} | {a}-{b} | undefined (constant) | | {len(per_seed)} |")
                continue
            tau, rho = stats.kendalltau(x, y).statistic, stats.spearmanr(x, y).statistic
            lines.append(f"| {metric} | {a}-{b} | {tau:.3f} | {rho:.3f} | {len(per_seed)} |")
        lines.append(f"| {metric} | mean seed std (pct points) | {per_seed.std(axis=1, ddof=1).mean():.3f} | | |")
    return lines


def _additivity(joint: pd.DataFrame) -> list[str]:
    lines = []
    for device in _measured(joint.columns):
        host = device.stem.removeprefix("measured_")
        total = device.column("latency_ms", TOTAL)
        parts = [device.column("latency_ms", c) for c in COMPONENTS]
        if not all(p in joint for p in parts):
            continue
        rows = joint.dropna(subset=[total, *parts])
        error = 100 * (rows[parts].sum(axis=1) - rows[total]) / rows[total]
        lines.append(
            f"- {host}: sum of component latencies vs whole model over {len(rows)} configs: "
            f"mean error {error.mean():+.1f} %, median {error.median():+.1f} %, 5-95 % [{error.quantile(0.05):+.1f}, {error.quantile(0.95):+.1f}] %"
        )
    return lines or ["- no measured component latencies yet"]


def _harmonic(joint: pd.DataFrame) -> list[str]:
    lines = ["| model | val acc % (mean) | test acc % (mean) | lut:tx2 ms | lut:tx2 mJ | reference acc % |", "|---|---|---|---|---|---|"]
    by_id = joint.set_index("config_id")
    for name in example_names():
        config = load_example(name)
        if config.id in by_id.index:
            row = by_id.loc[config.id]
            ref = example_document(name)["reference"]["multimodal_acc_pct"]
            lines.append(
                f"| {name} | {row['val_acc']:.2f} | {row['test_acc']:.2f} | {row[_TX2_LATENCY]:.3f} | "
                f"{row[_TX2_ENERGY]:.3f} | {ref} |"
            )
    best = joint.sort_values(["val_acc", _TX2_LATENCY], ascending=[False, True]).head(5)
    lines += ["", "Best joint models by mean validation accuracy (ties: lower TX2 latency):", "",
              "| config_id | precision (image/audio/fusion) | cells x nodes | val acc % | test acc % | kB | lut:tx2 ms | lut:tx2 mJ |",
              "|---|---|---|---|---|---|---|---|"]
    for _, row in best.iterrows():  # LUT figures exist for fp32 configs only: NaN for quantised ones
        lines.append(
            f"| {row['config_id']} | {'/'.join(row[list(PRECISION_COLUMNS)])} | {row['n_cells']} x {row['n_nodes']} | "
            f"{row['val_acc']:.2f} | {row['test_acc']:.2f} | {row[total_column('bytes')] / 1e3:.0f} | "
            f"{row[_TX2_LATENCY]:.3f} | {row[_TX2_ENERGY]:.3f} |"
        )
    return lines


def tables_report(task_dir: str | Path) -> str:
    """Markdown summary: sizes, ranges, supernets, noise ceiling, additivity, Harmonic-NAS rows."""
    task_dir = Path(task_dir)
    manifest = read_manifest(task_dir)
    out = [f"# Tables report: {manifest['task']} (schema {manifest['schema_version']}, exported {manifest['exported_at']})", ""]
    for modality, info in manifest["protocol"].get("supernets", {}).items():
        acc = info["final_accuracy_pct"]
        out.append(
            f"- supernet {modality}: largest subnet val {acc['largest']['val']:.2f} % / test {acc['largest']['test']:.2f} %, "
            f"smallest val {acc['smallest']['val']:.2f} % / test {acc['smallest']['test']:.2f} %"
        )
    for name in sorted(n[:-8] for n in manifest["files"] if n.endswith(".parquet")):
        frame = load_table(task_dir, name)
        out += ["", f"## {name}: {len(frame)} rows", ""]
        if not len(frame):
            continue
        out += _ranges(frame, TOTAL if name == "joint" else None)
        if name == "joint":
            out += ["", "### Seed-to-seed agreement of accuracy (the noise ceiling)", ""] + _noise_ceiling(frame)
            out += ["", "### Additivity of measured latency", ""] + _additivity(frame)
            out += ["", "### Harmonic-NAS AV-MNIST models", ""] + _harmonic(frame)
    return "\n".join(out) + "\n"

"""``mmnas tables report``: a Markdown summary of a task's committed tables."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from bench.columns import PRECISION_COLUMNS, component_column, total_column
from bench.devices import TOTAL, DeviceSpec, device_spec, devices_in
from bench.examples import example_document, example_names, load_example
from bench.space import COMPONENTS, MODALITIES, parse_config
from bench.sweep.logs import read_log
from bench.tables.fusion_parts import FUSION_PARTS_TABLE
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


def _harmonic(joint: pd.DataFrame, task: str) -> list[str]:
    lines = ["| model | val acc % (mean) | test acc % (mean) | lut:tx2 ms | lut:tx2 mJ | reference acc % |", "|---|---|---|---|---|---|"]
    by_id = joint.set_index("config_id")
    for name in example_names():
        config = replace(load_example(name), task=task)  # the paper's architectures on this task
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


def _resolution(joint: pd.DataFrame, backbones: dict[str, pd.DataFrame]) -> list[str]:
    """How finely accuracy ranks models, and whether fusion beats either modality alone."""
    lines = [f"- joint: {joint['val_acc'].nunique()} distinct mean validation accuracies over {len(joint)} configs; "
             f"seed-mean validation vs test Kendall tau {stats.kendalltau(joint['val_acc'], joint['test_acc']).statistic:.3f}"]
    best = joint.loc[joint["val_acc"].idxmax()]
    lines.append(f"- best joint config {best['config_id']}: val {best['val_acc']:.2f} % / test {best['test_acc']:.2f} %; "
                 f"median joint config val {joint['val_acc'].median():.2f} % / test {joint['test_acc'].median():.2f} %")
    for modality, frame in backbones.items():
        measured = frame.dropna(subset=["val_acc"]) if "val_acc" in frame else frame.iloc[:0]
        if not len(measured):
            lines.append(f"- {modality} backbones: no accuracy measured yet")
            continue
        top = measured.loc[measured["val_acc"].idxmax()]
        lines.append(
            f"- {modality} backbones: {measured['val_acc'].nunique()} distinct validation accuracies over {len(measured)}; "
            f"best val {top['val_acc']:.2f} % / test {top['test_acc']:.2f} %, so the best joint config is "
            f"{best['val_acc'] - top['val_acc']:+.2f} points (val) above it; validation vs test Kendall tau "
            f"{stats.kendalltau(measured['val_acc'], measured['test_acc']).statistic:.3f}"
        )
    return lines


def _curves(joint: pd.DataFrame) -> list[str]:
    """Where the seed-mean validation curves peak, and what the last epochs add."""
    if "val_acc_curve_seeds" not in joint:
        return ["- no learning curves in this table"]
    mean = np.array([np.mean(np.array([list(c) for c in seeds]), axis=0) for seeds in joint["val_acc_curve_seeds"]])
    peak = mean.argmax(axis=1) + 1
    epochs = mean.shape[1]
    lines = [
        f"- {epochs} epochs recorded per seed; epoch of the best seed-mean validation accuracy: median {np.median(peak):.0f}, "
        f"10-90 % [{np.percentile(peak, 10):.0f}, {np.percentile(peak, 90):.0f}], {np.mean(peak == epochs) * 100:.0f} % of configs "
        "peak at the last epoch",
    ]
    if epochs >= 2:
        lines.append(
            f"- mean validation accuracy gained from epoch {max(epochs // 2, 1)} to {epochs}: "
            f"{np.mean(mean[:, -1] - mean[:, max(epochs // 2, 1) - 1]):+.2f} points; from epoch {epochs - 1} to {epochs}: "
            f"{np.mean(mean[:, -1] - mean[:, -2]):+.2f}"
        )
    return lines


def _training_host(result: dict) -> str | None:
    """The host a job result records, with how it ran bfloat16 convolutions where it says (None for a result without a host)."""
    host = result.get("host")
    if host and result.get("bfloat16_kernels"):
        return f"{host} (bfloat16 convolutions {result['bfloat16_kernels']})"
    return host


def _throughput(task_dir: Path, joint: pd.DataFrame) -> list[str]:
    """Joint evaluations per core-hour: the configs over the job seconds of their static-cost and training jobs, in all
    and per host of the training where it is recorded (job seconds are wall seconds: a busy machine counts)."""
    in_table = set(joint["config_id"])
    jobs = []  # (config id, kind, seconds, host of a training job or None)
    for kind in ("joint_train", "joint_static"):
        path = task_dir / "results" / f"{kind}.jsonl"
        if path.is_file():
            jobs += [(parse_config(row["params"]["config"]).id, kind, row["seconds"], _training_host(row["result"])) for _, row in read_log(path)]
    jobs = [job for job in jobs if job[0] in in_table]
    if not jobs:
        return ["- no result logs"]
    host_of = {config_id: host for config_id, kind, _, host in jobs if kind == "joint_train" and host}

    def rate(group: list[tuple]) -> tuple[int, float]:
        return len({job[0] for job in group}), sum(job[2] for job in group) / 3600

    n, hours = rate(jobs)
    lines = [f"- {n} joint configs in {hours:.2f} core-hours of job time: {n / hours:.0f} joint evaluations (all seeds) per core-hour"]
    for host in sorted(set(host_of.values())):
        n, hours = rate([job for job in jobs if host_of.get(job[0]) == host])
        lines.append(f"- of them trained on {host}: {n} in {hours:.2f} core-hours, {n / hours:.0f} per core-hour")
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
    for name in sorted(n[:-8] for n in manifest["files"] if n.endswith(".parquet") and n[:-8] != FUSION_PARTS_TABLE):
        frame = load_table(task_dir, name)
        out += ["", f"## {name}: {len(frame)} rows", ""]
        if not len(frame):
            continue
        out += _ranges(frame, TOTAL if name == "joint" else None)
        if name == "joint":
            backbones = {m: load_table(task_dir, f"backbones_{m}") for m in MODALITIES}
            out += ["", "### Resolution, and fusion against either modality", ""] + _resolution(frame, backbones)
            out += ["", "### Seed-to-seed agreement of accuracy (the noise ceiling)", ""] + _noise_ceiling(frame)
            out += ["", "### Learning curves", ""] + _curves(frame)
            out += ["", "### Sweep throughput", ""] + _throughput(task_dir, frame)
            out += ["", "### Additivity of measured latency", ""] + _additivity(frame)
            out += ["", "### Harmonic-NAS AV-MNIST models", ""] + _harmonic(frame, manifest["task"])
    return "\n".join(out) + "\n"

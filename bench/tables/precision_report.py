"""``mmnas tables report --precision``: does multimodal beat unimodal at the same size, per precision mix?

TinyM2Net's claim is that a small multimodal net stays more accurate than a unimodal
one even with mixed 8/4-bit weights. For every precision mix (image / audio / fusion) in
the joint table this report takes the best multimodal config (by mean validation
accuracy; its test accuracy is quoted) and, at the same budget of parameter bytes, the
best backbone of each modality alone at that modality's precision (backbone tables;
subnets with inherited weights). Since the best multimodal config is often many times
the size of any backbone, it also compares at fixed byte budgets, each side taking its
best config of any precision within the budget. Energies are ``model:horowitz45``
estimates at each component's precision. It also gives the accuracy lost from fp32 to
int8 to int4: per backbone, per fusion network (the same training before and after
quantisation), and per whole config against the same architecture at fp32 (each trained
on its own features).
Accuracies never measured (no quantised rows yet) are reported as missing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from bench.columns import PRECISION_COLUMNS
from bench.hardware.figures import backbone_figures
from bench.space import MODALITIES, PRECISIONS, parse_backbone, parse_config
from bench.tables.manifest import load_table, read_manifest

BYTE_BUDGETS_KB = (100, 200, 300, 500, 1000, 2000)
_MIX = list(PRECISION_COLUMNS)


def _backbone_columns(precision: str) -> dict[str, str]:
    """Backbone-table columns of accuracy and bytes at ``precision``."""
    if precision == "fp32":
        return {"val": "val_acc", "test": "test_acc", "bytes": "bytes"}
    return {"val": f"val_acc_{precision}", "test": f"test_acc_{precision}", "bytes": f"bytes_{precision}"}


def _backbone_energy(config_json: str, modality: str, precision: str, task: str) -> float:
    genotype = parse_backbone(json.loads(config_json), f"{modality} backbone")
    return backbone_figures(genotype, modality, precision, task)["horowitz45_energy_mj"]


def _unimodal_candidates(backbones: dict[str, pd.DataFrame], task: str) -> pd.DataFrame:
    """One row per measured (backbone, precision) of every modality of ``task``: accuracy and bytes at that precision."""
    frames = []
    for modality, frame in backbones.items():
        for precision in PRECISIONS:
            columns = _backbone_columns(precision)
            if columns["val"] in frame:
                picked = frame[["config_json", *columns.values()]].rename(columns={v: k for k, v in columns.items()})
                frames.append(picked.dropna(subset=["val"]).assign(modality=modality, precision=precision, task=task))
    if not frames:
        return pd.DataFrame(columns=["config_json", "val", "test", "bytes", "modality", "precision", "task"])
    return pd.concat(frames, ignore_index=True)


def _best_within(candidates: pd.DataFrame, max_bytes: float) -> dict[str, float | str] | None:
    """The candidate with the best validation accuracy within ``max_bytes`` (ties: fewer bytes), with its energy."""
    fits = candidates[candidates["bytes"] <= max_bytes]
    if not len(fits):
        return None
    row = fits.sort_values(["val", "bytes"], ascending=[False, True]).iloc[0]
    return {
        "modality": row["modality"], "precision": row["precision"],
        "val_acc": float(row["val"]), "test_acc": float(row["test"]), "bytes": float(row["bytes"]),
        "energy_mj": _backbone_energy(row["config_json"], row["modality"], row["precision"], row["task"]),
    }


def _cell(best: dict[str, float] | None) -> str:
    if best is None:
        return "not measured | | |"
    return f"{best['test_acc']:.2f} | {best['bytes'] / 1e3:.0f} | {best['energy_mj']:.3f} |"


def _by_mix(joint: pd.DataFrame) -> list[tuple[tuple[str, ...], pd.DataFrame]]:
    """Rows grouped by precision mix, mixes ordered by bit width: fp32/fp32/fp32 first, int4/int4/int4 last."""
    rank = joint[_MIX].apply(lambda column: column.map(PRECISIONS.index))
    return list(joint.loc[rank.sort_values(_MIX, kind="stable").index].groupby(_MIX, sort=False))


def _best_multimodal(rows: pd.DataFrame) -> pd.Series:
    """The joint config with the best mean validation accuracy (ties: fewer bytes)."""
    return rows.sort_values(["val_acc", "total_bytes"], ascending=[False, True]).iloc[0]


def _mix_rows(joint: pd.DataFrame, unimodal: pd.DataFrame) -> list[str]:
    lines = [
        "| precision mix (image/audio/fusion) | configs | multimodal test % | kB | mJ | image-only test % | kB | mJ "
        "| audio-only test % | kB | mJ | multimodal better? |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for mix, rows in _by_mix(joint):
        best = _best_multimodal(rows)
        budget = float(best["total_bytes"])
        alone = {
            m: _best_within(unimodal[(unimodal["modality"] == m) & (unimodal["precision"] == p)], budget)
            for m, p in zip(MODALITIES, mix[:2])
        }
        measured = [a["test_acc"] for a in alone.values() if a is not None]
        verdict = ("yes" if best["test_acc"] > max(measured) else "no") if len(measured) == 2 else "unknown"
        lines.append(
            f"| {'/'.join(mix)} | {len(rows)} | {best['test_acc']:.2f} | {budget / 1e3:.0f} | {best['total_horowitz45_energy_mj']:.3f} | "
            f"{_cell(alone['image'])} {_cell(alone['audio'])} {verdict} |"
        )
    return lines


def _budget_rows(joint: pd.DataFrame, unimodal: pd.DataFrame) -> list[str]:
    """Per byte budget: the best multimodal config of any mix against the best backbone of either modality at any precision."""
    lines = [
        "| budget kB | multimodal configs within | best multimodal mix | test % | kB | mJ | best unimodal | test % | kB | mJ "
        "| multimodal better? |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for budget_kb in (*BYTE_BUDGETS_KB, None):
        max_bytes = float("inf") if budget_kb is None else budget_kb * 1e3
        fits = joint[joint["total_bytes"] <= max_bytes]
        alone = _best_within(unimodal, max_bytes)
        multimodal = "none in the table | | | |"
        if len(fits):
            best = _best_multimodal(fits)
            multimodal = (
                f"{'/'.join(best[_MIX])} | {best['test_acc']:.2f} | {best['total_bytes'] / 1e3:.0f} | "
                f"{best['total_horowitz45_energy_mj']:.3f} |"
            )
        unimodal_cells = "none measured | | | |" if alone is None else f"{alone['modality']} {alone['precision']} | {_cell(alone)}"
        verdict = "unknown" if alone is None or not len(fits) else ("yes" if best["test_acc"] > alone["test_acc"] else "no")
        label = "no limit" if budget_kb is None else f"{budget_kb:,}"
        lines.append(f"| {label} | {len(fits):,} | {multimodal} {unimodal_cells} {verdict} |")
    return lines


def _accuracy_lost(joint: pd.DataFrame, backbones: dict[str, pd.DataFrame]) -> list[str]:
    lines = ["| what | precision | n | median val acc % | median loss vs fp32 (pct points) | worst loss |", "|---|---|---|---|---|---|"]
    for modality, frame in backbones.items():
        for precision in PRECISIONS:
            column = _backbone_columns(precision)["val"]
            if column not in frame:
                lines.append(f"| {modality} backbones | {precision} | 0 | not measured | | |")
                continue
            rows = frame.dropna(subset=[column, "val_acc"])
            loss = rows["val_acc"] - rows[column]
            lines.append(
                f"| {modality} backbones | {precision} | {len(rows)} | {rows[column].median():.2f} | {loss.median():.2f} | {loss.max():.2f} |"
            )
    if "val_acc_before_quantisation" in joint:
        for precision in PRECISIONS[1:]:
            rows = joint[joint["fusion_precision"] == precision].dropna(subset=["val_acc_before_quantisation"])
            if len(rows):
                loss = rows["val_acc_before_quantisation"] - rows["val_acc"]
                lines.append(
                    f"| fusion network (same training) | {precision} | {len(rows)} | {rows['val_acc'].median():.2f} | "
                    f"{loss.median():.2f} | {loss.max():.2f} |"
                )
    return lines + _same_architecture_loss(joint)


def _same_architecture_loss(joint: pd.DataFrame) -> list[str]:
    """Rows per quantised mix: val accuracy lost against the same architectures' fp32 rows."""
    architecture = joint["config_json"].map(lambda text: parse_config(text).architecture_id)
    is_fp32 = (joint[_MIX] == "fp32").all(axis=1)
    fp32_twin_acc = architecture.map(pd.Series(joint["val_acc"][is_fp32].to_numpy(), index=architecture[is_fp32]))
    matched = joint.assign(loss=fp32_twin_acc - joint["val_acc"])[~is_fp32 & fp32_twin_acc.notna()]
    return [
        f"| whole config vs same architecture at fp32 | {'/'.join(mix)} | {len(rows)} | {rows['val_acc'].median():.2f} | "
        f"{rows['loss'].median():.2f} | {rows['loss'].max():.2f} |"
        for mix, rows in _by_mix(matched)
    ]


def precision_report(task_dir: str | Path) -> str:
    """Markdown: best multimodal vs best unimodal per precision mix and per byte budget; accuracy lost to quantisation."""
    task_dir = Path(task_dir)
    joint = load_table(task_dir, "joint")
    backbones = {m: load_table(task_dir, f"backbones_{m}") for m in MODALITIES}
    unimodal = _unimodal_candidates(backbones, task_dir.name)
    mixes = joint.groupby(_MIX).ngroups
    out = [
        f"# Precision report: {task_dir.name} ({len(joint)} joint configs in {mixes} precision mixes, "
        f"joint table {read_manifest(task_dir)['files']['joint.parquet']['sha256'][:12]})", "",
        "Best multimodal config per mix (by mean val accuracy; test accuracy quoted) against the best single backbone "
        "of each modality at the same precision with at most the same parameter bytes (by val accuracy). "
        "Energy: model:horowitz45 (analytical estimate).", "",
        *_mix_rows(joint, unimodal), "",
        "## At a fixed byte budget", "",
        "Best multimodal config of any precision mix within the budget of parameter bytes against the best single "
        "backbone of either modality at any precision within the same budget (both by val accuracy; test accuracy "
        "quoted). A budget below the smallest joint config in the table has no multimodal entry.", "",
        *_budget_rows(joint, unimodal), "",
        "## Accuracy lost to quantisation", "",
        *_accuracy_lost(joint, backbones),
    ]
    return "\n".join(out) + "\n"

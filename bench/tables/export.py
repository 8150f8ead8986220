"""Export a sweep store to the committed tables: parquet files plus ``manifest.json``.

Only results of the current protocol are exported: accuracy of the committed supernets
(by sha256) and fusion training with this release's settings. A value that was not
measured is missing (NaN / null), never filled in.
"""

from __future__ import annotations

import datetime
import json
import platform
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench.columns import BACKBONES, CURVE_KEYS, EVAL_SECONDS, JOINT, LATENCY_REPEATS, canonical_order, provenance, schema_of
from bench.devices import TOTAL, device_spec, static_devices
from bench.files import atomic_path, write_text_atomic
from bench.hardware.horowitz import DRAM_PJ_PER_BYTE, MAC_PJ, SRAM_PJ_PER_BYTE
from bench.hardware.speed_index import SPEED_INDEX, phase_index
from bench.locations import tables_root
from bench.reports import REPORT_SUFFIX
from bench.space import COMPONENTS, MODALITIES, Config, parse_backbone, parse_config
from bench.space.dataflow import data_flow
from bench.sweep.kinds import SUBNET_BATCH_SIZE, SUBNET_BN_BATCHES, fusion_settings, supernet_path, supernet_sha256
from bench.sweep.logs import read_log, results_dir
from bench.sweep.plan import JOINT_SAMPLE_SEED, JOINT_SEEDS, latency_round
from bench.sweep.store import ResultStore
from bench.tables.fusion_parts import FUSION_PARTS_TABLE, fusion_parts_frame
from bench.tables.manifest import MANIFEST, SCHEMA_VERSION, TableError, is_release_file, read_manifest, release_lock, sha256_of
from bench.tables.merge import REPLACES
from bench.tables.release import current_release
from bench.tables.seed_records import protocol_seed_records
from bench.tasks import get_task, task_names


def static_columns(prefix: str, static: dict[str, Any]) -> dict[str, Any]:
    """Table columns (``prefix`` + name) of one component's static figures from ``joint_static`` / ``backbone_static``."""
    figures = {"params": static["params"], "macs": static["macs"], "bytes": static.get("bytes", 4 * static["params"])}
    row = {f"{prefix}{stem}": value for stem, value in figures.items()}
    for device in static_devices():  # None (a LUT has no figure at that precision) -> missing
        for quantity in device.kind.quantities:
            value = static[device.name][quantity]
            row[f"{prefix}{device.column(quantity)}"] = np.nan if value is None else value
    return row


def latency_rows(store: ResultStore, task: str, tables_dir: str | Path) -> list[dict[str, Any]]:
    """The latency results that time ``task``'s models: those of every other task whose inputs have the same shapes
    (read from its committed result log, each line verified), then ``task``'s own from the store.

    A measured latency depends on the layers and their input shapes only: the timed models are freshly initialised,
    never trained on any data, so the same architecture of another task with equal shapes is the same measurement.
    """
    shapes = get_task(task).input_shapes
    shared = []
    for other in task_names():
        path = results_dir(tables_dir, other) / "latency.jsonl"
        if other != task and get_task(other).input_shapes == shapes and path.is_file():
            shared += [row for _, row in read_log(path)]
    return shared + [row for row in store.rows("latency") if row["task"] == task]


def _measured(rows: list[dict[str, Any]], task: str) -> dict[tuple, dict[str, Any]]:
    """Measured latency (and metered energy) columns per item key of ``task``: ('backbone', modality, id) or
    ('joint', id); a row of another task times the same architecture of ``task``. Of two timings of one key, a
    merge that replaces the sweep's wins, then the later row (``bench.tables.merge``). Only first-round rows: a
    repeat round goes to :func:`latency_repeats_frame`."""
    out: dict[tuple, dict[str, Any]] = defaultdict(dict)
    first_round = [row for row in rows if latency_round(row["params"]) == 1]  # repeats: latency_repeats_frame
    replacing_last = sorted(first_round, key=lambda r: (True, r["finished_at"]) if r["params"].get(REPLACES) else (False, 0.0))
    for row in replacing_last:  # stable: the input order among the others
        host = row["params"]["host"]
        load1 = row["result"]["load_before"][0]
        index = row["result"].get(SPEED_INDEX)  # absent from chunks timed before the index existed: no column
        for key, timing in _timed_items(row, task):
            columns, device = out[key], device_spec(f"measured:{host}")
            for component, t in timing.items():
                columns[device.column("latency_ms", component)] = t["median_ms"]
                if component == TOTAL:
                    columns[f"{device.stem}_latency_p10_ms"] = t["p10_ms"]
                    columns[f"{device.stem}_latency_p90_ms"] = t["p90_ms"]
                    if t.get("energy_mj") is not None:  # only where a real meter measured it
                        columns[device.column("energy_mj", TOTAL)] = t["energy_mj"]
            columns[f"{device.stem}_load1"] = load1
            if index is not None:
                columns[f"{device.stem}_{SPEED_INDEX}"] = phase_index(index)
    return out


def _timed_items(row: dict[str, Any], task: str) -> list[tuple[tuple, dict[str, Any]]]:
    """(item key, timing) of every item a latency row timed (not those without a kernel on its runtime): keys
    ('backbone', modality, id) or ('joint', id of the config as ``task``'s)."""
    out = []
    for item, timing in zip(row["params"]["items"], row["result"]["items"]):
        if "missing" in timing:  # no kernel for it on this runtime: stays missing
            continue
        if item["target"] == "backbone":
            out.append((("backbone", item["modality"], parse_backbone(item["backbone"]).id), timing))
        else:
            out.append((("joint", replace(parse_config(item["config"]), task=task).id), timing))
    return out


def latency_repeats_frame(rows: list[dict[str, Any]], joint_ids: set[str], task: str) -> pd.DataFrame:
    """One row per joint config of ``joint_ids`` x host x repeat measuring round (``round`` > 1, the plan
    ``latency-joint-repeat``): its whole-model timing, the chunk's job id, load and host speed index (start, end and
    their geometric mean), and when it finished."""
    records = []
    for row in rows:
        if latency_round(row["params"]) == 1:
            continue
        when = datetime.datetime.fromtimestamp(row["finished_at"], datetime.timezone.utc).isoformat(timespec="seconds")
        index = row["result"].get(SPEED_INDEX)
        for key, timing in _timed_items(row, task):
            if key[0] == "joint" and key[1] in joint_ids:
                t = timing[TOTAL]
                records.append({
                    "config_id": key[1], "host": row["params"]["host"], "round": latency_round(row["params"]),
                    "latency_ms": t["median_ms"], "latency_p10_ms": t["p10_ms"], "latency_p90_ms": t["p90_ms"],
                    "load1": row["result"]["load_before"][0], SPEED_INDEX: phase_index(index),
                    **{f"speed_index_{end}_ms": index[end] if index else np.nan for end in ("start", "end")},
                    "job_id": row["job_id"], "finished_at": when,
                })
    return _frame(records, ["config_id", "host", "round"], LATENCY_REPEATS)


def backbone_frame(
    store: ResultStore, task: str, modality: str, supernet_sha: str | None, measured: dict[tuple, dict[str, Any]]
) -> pd.DataFrame:
    """One row per backbone with static costs; accuracy where measured with the current supernet."""
    accuracy = {}
    for row in store.rows("backbone_accuracy"):
        p = row["params"]
        if row["task"] == task and p["modality"] == modality and p["supernet_sha256"] == supernet_sha:
            accuracy[parse_backbone(p["backbone"]).id] = {**row["result"], EVAL_SECONDS: row["seconds"]}
    quantised: dict[str, dict[str, float]] = defaultdict(dict)
    for row in store.rows("backbone_quant"):
        p = row["params"]
        if row["task"] == task and p["modality"] == modality and p["supernet_sha256"] == supernet_sha:
            columns = quantised[parse_backbone(p["backbone"]).id]
            columns[f"val_acc_{p['precision']}"], columns[f"test_acc_{p['precision']}"] = row["result"]["val_acc"], row["result"]["test_acc"]
            columns.update({f"bytes_{precision}": n for precision, n in row["result"]["bytes"].items()})
    records = []
    for row in store.rows("backbone_static"):
        p = row["params"]
        if row["task"] != task or p["modality"] != modality:
            continue
        g = parse_backbone(p["backbone"])
        acc = accuracy.get(g.id, {})
        records.append(
            {
                "backbone_id": g.id, "ks": list(g.ks), "e": list(g.e), "d": g.d,
                "config_json": json.dumps(g.to_dict(), sort_keys=True),
                **static_columns("", row["result"]),
                "val_acc": acc.get("val_acc", np.nan), "test_acc": acc.get("test_acc", np.nan), EVAL_SECONDS: acc.get(EVAL_SECONDS, np.nan),
                **quantised.get(g.id, {}),
                **measured.get(("backbone", modality, g.id), {}),
            }
        )
    return _frame(records, "backbone_id", BACKBONES)


def live_feature_columns(config: Config) -> dict[str, list[int]]:
    """``<modality>_live_features``: positions (0 = earliest) of the modality's fusion features that reach the head."""
    flow = data_flow(config.fusion)
    return {f"{m}_live_features": list(flow.reaches(i)) for i, m in enumerate(MODALITIES)}


def joint_frame(store: ResultStore, task: str, shas: dict[str, str], measured: dict[tuple, dict[str, Any]]) -> pd.DataFrame:
    """One row per joint config with fusion-training results of the current protocol."""
    static = {parse_config(r["params"]["config"]).id: r["result"] for r in store.rows("joint_static") if r["task"] == task}
    configs, seeds = protocol_seed_records(store.rows("joint_train"), task, fusion_settings(task), shas)
    records = []
    for config_id, per_seed in seeds.items():
        if config_id not in static:
            continue
        config = configs[config_id]
        ordered = [per_seed[s] for s in sorted(per_seed)]
        row = {
            "config_id": config_id, "config_json": config.to_json(),
            "image_id": config.image.id, "audio_id": config.audio.id,
            "n_cells": config.fusion.n_cells, "n_nodes": config.fusion.n_nodes,
            "ops": [node.op for cell in config.fusion.cells for node in cell.nodes],
            **live_feature_columns(config),
            **{f"{component}_precision": value for component, value in config.precision.to_dict().items()},
            "seeds": sorted(per_seed),
        }
        for key in ("val_acc", "test_acc", "best_val_epoch", "test_acc_at_best_val", "train_seconds"):
            row[f"{key}_seeds"] = [r[key] for r in ordered]
        if all("curve" in r for r in ordered):  # learning curves: every epoch of every seed
            for key in CURVE_KEYS:
                row[f"{key}_curve_seeds"] = [[point[key] for point in r["curve"]] for r in ordered]
        row["val_acc"] = float(np.mean(row["val_acc_seeds"]))
        row["test_acc"] = float(np.mean(row["test_acc_seeds"]))
        row["train_seconds"] = float(np.mean(row["train_seconds_seeds"]))
        for key in ("val_acc_before_quantisation", "test_acc_before_quantisation"):  # quantised fusion networks only
            if all(key in r for r in ordered):
                row[key] = float(np.mean([r[key] for r in ordered]))
        for component in (*COMPONENTS, TOTAL):
            row.update(static_columns(f"{component}_", static[config_id][component]))
        row.update(measured.get(("joint", config_id), {}))
        records.append(row)
    return _frame(records, "config_id", JOINT)


# Release artefacts rebuilt from the tables after the export (README, "Making a release"), so
# the manifest, written by the export, lists the data and never these (nor any report).
DERIVED = (
    "surrogates/", "problems.json", "leaderboard", "surrogate_report.", "tables_report.", "precision_report.",
    "query_speed.", "bo_timings.", "bo_comparison.",
)


def _frame(records: list[dict[str, Any]], key: str | list[str], table: str) -> pd.DataFrame:
    """Rows sorted by ``key``, columns in the schema's order: the same records always give the same bytes."""
    frame = pd.DataFrame.from_records(records)
    if not len(frame):
        return frame
    return frame.sort_values(key, ignore_index=True)[canonical_order(frame.columns, table)]


def export_tables(
    store: ResultStore, task: str, tables_dir: str | Path | None = None, accept_row_loss: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """Write ``backbones_<modality>.parquet``, ``joint.parquet`` and ``manifest.json``; returns row counts.

    Raises:
        TableError: a table would have fewer rows than the release it replaces (rows lost from the store or the
            logs), unless ``accept_row_loss`` names that table and exactly how many rows it loses.
    """
    tables_dir = tables_root(tables_dir)
    task_dir = Path(tables_dir) / task
    task_dir.mkdir(parents=True, exist_ok=True)
    shas = {m: supernet_sha256(tables_dir, task, m) if supernet_path(tables_dir, task, m).is_file() else None for m in MODALITIES}
    timed = latency_rows(store, task, tables_dir)
    measured = _measured(timed, task)
    frames = {f"backbones_{m}": backbone_frame(store, task, m, shas[m], measured) for m in MODALITIES}
    if all(shas.values()):
        frames["joint"] = joint_frame(store, task, shas, measured)
        repeats = latency_repeats_frame(timed, set(frames["joint"]["config_id"]), task)
        if len(repeats):
            frames[LATENCY_REPEATS] = repeats
    frames[FUSION_PARTS_TABLE] = fusion_parts_frame()
    _refuse_row_loss(task_dir, {name: len(frame) for name, frame in frames.items()}, dict(accept_row_loss or {}))
    with release_lock(task_dir, exclusive=True):  # readers see the old release or the new one (bench.tables.manifest)
        for name, frame in frames.items():
            _atomic_parquet(frame, task_dir / f"{name}.parquet")
        _write_manifest(task_dir, task, frames, shas, store, timed)
    return {name: len(frame) for name, frame in frames.items()}


def _refuse_row_loss(task_dir: Path, rows: dict[str, int], accepted: dict[str, int]) -> None:
    """Refuse an export that publishes fewer rows in some table than the release it replaces, unless accepted exactly."""
    if not (task_dir / MANIFEST).is_file():
        return
    previous = {name[: -len(".parquet")]: entry["rows"] for name, entry in read_manifest(task_dir)["files"].items() if "rows" in entry}
    for name, before in sorted(previous.items()):
        lost = before - rows.get(name, 0)
        if lost > 0 and accepted.get(name) != lost:
            raise TableError(
                f"the export would shrink {task_dir / name}.parquet from {before} to {rows.get(name, 0)} rows ({lost} lost): "
                f"a store or result log is missing rows; if that loss is meant, pass --accept-row-loss {name}={lost}"
            )


def _atomic_parquet(frame: pd.DataFrame, path: Path) -> None:
    with atomic_path(path) as temporary:
        frame.to_parquet(temporary, index=False)


def _write_manifest(
    task_dir: Path, task: str, frames: dict[str, pd.DataFrame], shas: dict, store: ResultStore, timed: list[dict[str, Any]]
) -> None:
    files = {}
    for path in sorted(p for p in task_dir.rglob("*") if is_release_file(p) and p.name != MANIFEST):
        name = path.relative_to(task_dir).as_posix()
        if name.startswith(DERIVED) or name.endswith(REPORT_SUFFIX):  # a report carries its own checksum
            continue
        files[name] = {"sha256": sha256_of(path), "bytes": path.stat().st_size}
        if name.endswith(".parquet") and name[:-8] in frames:
            files[name]["rows"] = len(frames[name[:-8]])
    supernets = {}
    for modality, sha in shas.items():
        info = supernet_path(task_dir.parent, task, modality).with_suffix(".json")
        if sha and info.is_file():
            record = json.loads(info.read_text())
            supernets[modality] = {"sha256": sha, "settings": record["settings"], "final_accuracy_pct": record["final_accuracy_pct"]}
    workers = sorted({row["worker"].rsplit(":", 1)[0] for row in store.rows()})
    measured_on = {row["params"]["host"]: row["result"]["host"] for row in timed}
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "data_release": current_release(task_dir.parent),
        "task": task,
        "exported_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "protocol": {
            "data": get_task(task).protocol,
            "supernets": supernets,
            "subnet_evaluation": {"inherited_weights": True, "bn_recalibration_batches": SUBNET_BN_BATCHES, "batch_size": SUBNET_BATCH_SIZE},
            "measured_latency_of": sorted({row["task"] for row in timed}),
            "joint": {"sample_seed": JOINT_SAMPLE_SEED, "seeds": list(JOINT_SEEDS), "fusion_training": fusion_settings(task)},
            "horowitz45_pj": {"mac": MAC_PJ, "sram_per_byte": SRAM_PJ_PER_BYTE, "dram_per_byte": DRAM_PJ_PER_BYTE},
        },
        "software": _software(),
        "hosts": {"workers": workers, "exported_on": platform.node(), "measured": measured_on},
        "columns": {name: provenance(list(frame.columns), schema_of(name)) for name, frame in frames.items()},
        "files": files,
    }
    write_text_atomic(task_dir / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def _software() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in ("mmnas-bench", "torch", "numpy", "pandas", "pyarrow", "librosa"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions

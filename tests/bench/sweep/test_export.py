from __future__ import annotations

import json

import numpy as np
import pytest

from bench.space import FUSION_OPS
from bench.sweep import InProcessExecutor, JobContext, ResultStore, run_sweep
from bench.sweep.plan import make_plan
from bench.tables import TableError, load_table
from bench.tables.export import export_tables


@pytest.fixture()
def exported(tmp_path):
    store = ResultStore(tmp_path / "s.db")
    specs = make_plan("backbones-static", "soundmnist", limit=4) + make_plan("joint-static", "soundmnist", limit=1)
    run_sweep(store, specs, InProcessExecutor(), JobContext())
    counts = export_tables(store, "soundmnist", tmp_path / "tables")
    return tmp_path / "tables" / "soundmnist", counts


def test_export_writes_verified_tables_with_provenance(exported):
    task_dir, counts = exported
    assert counts == {"backbones_image": 4, "backbones_audio": 0, "fusion_parts": 30}  # no supernet yet: no joint table
    parts = load_table(task_dir, "fusion_parts")
    assert set(parts["kind"]) == {"input", "cell", "head", *FUSION_OPS} and set(parts["precision"]) == {"fp32", "int8", "int4"}
    assert parts.loc[parts["kind"].isin(FUSION_OPS), "lut_keys"].map(len).eq(1).all()  # one LUT entry per operator
    frame = load_table(task_dir, "backbones_image")
    assert len(frame) == 4 and frame["lut_tx2_latency_ms"].gt(0).all()
    assert frame["val_acc"].isna().all()  # never measured, so missing rather than invented
    manifest = json.loads((task_dir / "manifest.json").read_text())
    assert manifest["files"]["backbones_image.parquet"]["rows"] == 4
    assert manifest["columns"]["backbones_image"]["lut_agx_energy_mj"].startswith("lut:agx")
    assert set(manifest["columns"]["backbones_image"]) == set(frame.columns)  # every column says what it is
    assert manifest["protocol"]["data"]["val_per_class"] == 15
    assert np.isfinite(frame["horowitz45_energy_mj"]).all()


def test_manifest_lists_the_data_but_not_the_artefacts_rebuilt_after_the_export(exported, tmp_path):
    task_dir, _ = exported
    written_after = ["query_speed.md", "leaderboard-precision/report.md", "leaderboard/summary.csv", "precision_report.md"]
    for name in [*written_after, "validation/host.json"]:
        (task_dir / name).parent.mkdir(exist_ok=True)
        (task_dir / name).write_text("x")
    export_tables(ResultStore(tmp_path / "s.db"), "soundmnist", tmp_path / "tables")
    files = json.loads((task_dir / "manifest.json").read_text())["files"]
    assert "validation/host.json" in files and "backbones_image.parquet" in files
    assert not set(written_after) & set(files)


def test_corrupt_parquet_fails_loading(exported):
    task_dir, _ = exported
    path = task_dir / "backbones_image.parquet"
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(TableError, match="backbones_image.parquet: sha256 .* does not match the manifest"):
        load_table(task_dir, "backbones_image")


def test_corrupt_or_missing_manifest_fails_loading(exported):
    task_dir, _ = exported
    manifest = task_dir / "manifest.json"
    manifest.write_text(manifest.read_text()[:50])
    with pytest.raises(TableError, match="manifest.json: not valid JSON"):
        load_table(task_dir, "backbones_image")
    manifest.write_text(json.dumps({"schema_version": 99, "files": {}}))
    with pytest.raises(TableError, match="schema version 99"):
        load_table(task_dir, "backbones_image")
    manifest.unlink()
    with pytest.raises(TableError, match="no manifest.json"):
        load_table(task_dir, "backbones_image")


def test_unlisted_table_is_an_error(exported):
    task_dir, _ = exported
    with pytest.raises(TableError, match="lists no file 'joint.parquet'"):
        load_table(task_dir, "joint")


def test_an_export_that_would_lose_rows_is_refused_unless_the_loss_is_named(exported, tmp_path):
    task_dir, _ = exported
    before = (task_dir / "backbones_image.parquet").read_bytes()
    smaller = ResultStore(tmp_path / "smaller.db")
    run_sweep(smaller, make_plan("backbones-static", "soundmnist", limit=3), InProcessExecutor(), JobContext())
    with pytest.raises(TableError, match=r"shrink .*backbones_image.parquet from 4 to 3 rows \(1 lost\).*--accept-row-loss backbones_image=1"):
        export_tables(smaller, "soundmnist", tmp_path / "tables")
    assert (task_dir / "backbones_image.parquet").read_bytes() == before  # nothing written
    with pytest.raises(TableError, match="1 lost"):
        export_tables(smaller, "soundmnist", tmp_path / "tables", accept_row_loss={"backbones_image": 2})  # not the loss named
    assert export_tables(smaller, "soundmnist", tmp_path / "tables", accept_row_loss={"backbones_image": 1})["backbones_image"] == 3


def test_exports_of_the_same_rows_from_fresh_stores_are_byte_identical(exported, tmp_path):
    task_dir, _ = exported
    first = {p.name: p.read_bytes() for p in task_dir.glob("*.parquet")}
    fresh = ResultStore(tmp_path / "fresh.db")
    specs = make_plan("joint-static", "soundmnist", limit=1) + make_plan("backbones-static", "soundmnist", limit=4)[::-1]
    run_sweep(fresh, specs, InProcessExecutor(), JobContext())  # the same jobs, finished in another order
    export_tables(fresh, "soundmnist", tmp_path / "tables")
    assert {p.name: p.read_bytes() for p in task_dir.glob("*.parquet")} == first


def test_column_order_does_not_depend_on_which_row_came_first():
    from bench.columns import JOINT
    from bench.tables.export import _frame

    fp32 = {"config_id": "b", "val_acc": 90.0, "n_cells": 1}
    quantised = {"config_id": "a", "val_acc_before_quantisation": 91.0, "n_cells": 2, "val_acc": 89.0}
    one, other = _frame([fp32, quantised], "config_id", JOINT), _frame([quantised, fp32], "config_id", JOINT)
    assert list(one.columns) == list(other.columns) == ["config_id", "n_cells", "val_acc_before_quantisation", "val_acc"]
    assert one.equals(other)

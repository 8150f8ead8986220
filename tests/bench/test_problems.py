from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from bench.devices import TOTAL, device_spec
from bench.errors import UnknownNameError
from bench.problems import build_problems, load_problem, pareto_mask, write_problems
from bench.space import sample_config
from bench.tables import TableError
from bench.tables.manifest import sha256_of


def test_pareto_mask_by_hand():
    points = np.array([[1, 5], [2, 2], [5, 1], [3, 3], [2, 2], [6, 6]])
    assert pareto_mask(points).tolist() == [True, True, True, False, False, False]


CONFIGS = [sample_config(np.random.default_rng(i)) for i in range(4)]


@pytest.fixture()
def joint():
    return pd.DataFrame(
        {
            "config_id": ["a", "b", "c", "d"],
            "config_json": [c.to_json() for c in CONFIGS],
            "val_acc": [99.0, 98.0, 97.0, 99.0],
            "total_lut_tx2_latency_ms": [10.0, 8.0, 9.0, 12.0],
            "total_lut_tx2_energy_mj": [20.0, 15.0, 14.0, 25.0],
            "total_lut_agx_latency_ms": [1.0, 1.0, 1.0, 1.0],
            "total_lut_agx_energy_mj": [1.0, 1.0, 1.0, 1.0],
            "total_horowitz45_energy_mj": [0.5, 0.4, 0.3, 0.6],
            device_spec("measured:host-a").column("latency_ms", TOTAL): [3.0, np.nan, 2.0, 4.0],
        }
    )


def test_problems_fix_directions_bounds_and_exact_fronts(joint):
    problems = build_problems(joint, "soundmnist")
    assert sorted(problems) == [
        "soundmnist/lut:agx/acc-lat-energy", "soundmnist/lut:tx2/acc-lat-energy",
        "soundmnist/measured:host-a/acc-lat", "soundmnist/model:horowitz45/acc-energy",
    ]
    tx2 = problems["soundmnist/lut:tx2/acc-lat-energy"]
    assert tx2["directions"] == ["max", "min", "min"] and tx2["ref_point"] == [1.1, 1.1, 1.1]
    assert tx2["bounds"] == [(97.0, 99.0), (8.0, 12.0), (14.0, 25.0)]
    assert sorted(i for i, _ in tx2["table_front"]) == ["a", "b", "c"]  # d is dominated by a
    measured = problems["soundmnist/measured:host-a/acc-lat"]
    assert measured["n_table_rows"] == 3 and sorted(i for i, _ in measured["table_front"]) == ["a", "c"]


def _tables(tmp_path, joint):
    task_dir = tmp_path / "soundmnist"
    task_dir.mkdir()
    joint.to_parquet(task_dir / "joint.parquet", index=False)
    manifest = {"schema_version": 1, "files": {"joint.parquet": {"sha256": sha256_of(task_dir / "joint.parquet"), "rows": len(joint)}}}
    (task_dir / "manifest.json").write_text(json.dumps(manifest))
    return task_dir


def test_load_round_trip_and_normalisation(tmp_path, joint):
    task_dir = _tables(tmp_path, joint)
    write_problems(task_dir, joint, "soundmnist")
    with pytest.raises(UnknownNameError, match="names no variant"):
        load_problem("soundmnist/lut:tx2/acc-lat-energy", tmp_path)
    problem = load_problem("soundmnist/lut:tx2/acc-lat-energy@table", tmp_path)
    assert problem.objectives == ("acc", "lat", "energy")
    assert np.allclose(problem.normalise([[99.0, 8.0, 14.0], [97.0, 12.0, 25.0]]), [[0, 0, 0], [1, 1, 1]])
    assert problem.variant == "table" and problem.label == "soundmnist/lut:tx2/acc-lat-energy@table"
    assert problem.pool == tuple(CONFIGS)
    assert problem.reference_front().shape == (3, 3)
    measured = load_problem("soundmnist/measured:host-a/acc-lat@table", tmp_path)
    assert measured.pool == (CONFIGS[0], CONFIGS[2], CONFIGS[3])  # the row without a measurement is left out
    with pytest.raises(UnknownNameError, match="unknown problem"):
        load_problem("soundmnist/lut:tx2/acc-params@table", tmp_path)
    with pytest.raises(UnknownNameError, match="unknown problem variant 'fast'"):
        load_problem("soundmnist/lut:tx2/acc-lat-energy@fast", tmp_path)
    with pytest.raises(TableError, match="no best-known front"):
        load_problem("soundmnist/lut:tx2/acc-lat-energy", tmp_path, variant="full")


def test_stale_or_missing_problems_are_errors(tmp_path, joint):
    task_dir = _tables(tmp_path, joint)
    with pytest.raises(TableError, match="missing or corrupt"):
        load_problem("soundmnist/lut:tx2/acc-lat-energy@table", tmp_path)
    write_problems(task_dir, joint, "soundmnist")
    manifest = json.loads((task_dir / "manifest.json").read_text())
    manifest["files"]["joint.parquet"]["sha256"] = "0" * 64
    (task_dir / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(TableError, match="another joint table"):
        load_problem("soundmnist/lut:tx2/acc-lat-energy@table", tmp_path)


def test_precision_problem_only_with_quantised_rows(joint):
    joint = joint.assign(total_bytes=[4000, 3000, 1000, 5000], image_precision="fp32", audio_precision="fp32", fusion_precision="fp32")
    assert "soundmnist/model:horowitz45/acc-energy-bytes" not in build_problems(joint, "soundmnist")
    joint.loc[2, "image_precision"] = "int8"
    entry = build_problems(joint, "soundmnist")["soundmnist/model:horowitz45/acc-energy-bytes"]
    assert entry["objectives"] == ["acc", "energy", "bytes"] and entry["directions"] == ["max", "min", "min"]


def test_precision_problems_search_only_the_precisions_the_device_has_values_at(joint):
    ort = device_spec("measured:host-a-onnxruntime").column("latency_ms", TOTAL)
    joint = joint.assign(
        total_bytes=[4000, 3000, 1000, 5000], image_precision=["fp32", "int8", "int4", "fp32"], audio_precision="fp32",
        fusion_precision="fp32", **{ort: [3.0, 2.5, np.nan, 4.0]},  # int4: no kernel on that runtime
        **{device_spec("measured:host-a").column("latency_ms", TOTAL): [3.0, np.nan, np.nan, 4.0]},  # eager: fp32 configs only
    )
    problems = build_problems(joint, "soundmnist")
    assert problems["soundmnist/model:horowitz45/acc-energy-bytes"]["precisions"] == ["fp32", "int8", "int4"]
    int8 = problems["soundmnist/measured:host-a-onnxruntime/acc-lat-bytes"]
    assert int8["precisions"] == ["fp32", "int8"] and int8["n_table_rows"] == 3
    assert "soundmnist/measured:host-a/acc-lat-bytes" not in problems  # eager latency of fp32 rows only: no tier to search
    fp32 = problems["soundmnist/model:horowitz45/acc-energy"]
    assert fp32["precisions"] == ["fp32"] and fp32["n_table_rows"] == 2  # quantised rows are not in fp32 problems
    assert [i for i, _ in fp32["table_front"]] == ["a"]


def test_problems_and_surrogate_index_edited_by_hand_are_refused(release, tmp_path):
    import shutil

    from surrogates.fitted import read_index

    tables = tmp_path / "tables"
    shutil.copytree(release, tables)
    path = tables / "soundmnist" / "problems.json"
    doc = json.loads(path.read_text())
    assert doc["checksum"].startswith("sha256:")
    name = next(iter(doc["problems"]))
    doc["problems"][name]["ref_point"] = [5.0] * len(doc["problems"][name]["ref_point"])
    path.write_text(json.dumps(doc))
    with pytest.raises(TableError, match="problems.json: its content does not match its checksum"):
        load_problem(f"{name}@table", tables)
    index = tables / "soundmnist" / "surrogates" / "index.json"
    doc = json.loads(index.read_text())
    doc["n_joint_rows"] += 1
    index.write_text(json.dumps(doc))
    with pytest.raises(TableError, match="index.json: its content does not match its checksum"):
        read_index(tables / "soundmnist")

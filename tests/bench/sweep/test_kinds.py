"""The job kinds that train or measure, on the committed supernets and the real data."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import torch

from bench.errors import DataError
from bench.examples import load_example
from bench.hardware.host import host_slug
from bench.hardware.measure import TimingSettings
from bench.hardware.speed_index import SPEED_INDEX, phase_index
from bench.space import PrecisionGenotype, parse_config
from bench.sweep import InProcessExecutor, JobContext, JobSpec, ResultStore, run_sweep
from bench.sweep.kinds import backbone_accuracy, backbone_quant, fusion_settings, joint_static, joint_train, latency, supernet_sha256
from bench.sweep.logs import results_dir, write_logs
from bench.sweep.plan import joint_configs as make_configs
from bench.sweep.plan import make_plan, quantised_configs
from bench.tables import load_table
from bench.tables.export import export_tables
from bench.tables.latency_rounds import latency_rounds_report
from bench.tables.report import tables_report
from bench.tasks import load_task
from bench.train.correctness import unpack_correct
from bench.train.fusion import FusionSettings
from bench.train.precision import bfloat16_kernels

FAST_FUSION = dataclasses.asdict(FusionSettings(epochs=1))
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def context(data_dir) -> JobContext:
    return JobContext(data_dir=str(data_dir))


def _shas() -> dict[str, str]:
    return {m: supernet_sha256("tables", "soundmnist", m) for m in ("image", "audio")}


def test_backbone_accuracy_of_the_largest_subnet(context):
    params = {"task": "soundmnist", "modality": "image", "backbone": {"ks": [7] * 4, "e": [6] * 4, "d": [4]}, "supernet_sha256": _shas()["image"]}
    result = backbone_accuracy(params, context)
    assert set(result) == {"val_acc", "test_acc"}
    assert 80 < result["val_acc"] <= 100 and 80 < result["test_acc"] <= 100


def test_quantised_backbone_accuracy_and_bytes(context):
    params = {"task": "soundmnist", "modality": "image", "backbone": {"ks": [7] * 4, "e": [6] * 4, "d": [4]}, "supernet_sha256": _shas()["image"]}
    fp32 = backbone_accuracy(params, context)
    int8, int4 = (backbone_quant({**params, "precision": p}, context) for p in ("int8", "int4"))
    assert abs(int8["val_acc"] - fp32["val_acc"]) <= 3.0  # int8 post-training quantisation loses little
    assert 10 <= int4["test_acc"] <= 100
    assert int8["bytes"] == int4["bytes"] and int8["bytes"]["int4"] < int8["bytes"]["int8"] < int8["bytes"]["fp32"] / 3
    specs = make_plan("backbones-quant", "soundmnist", limit=1)
    assert [(s.params["modality"], s.params["precision"]) for s in specs] == [
        ("image", "int8"), ("image", "int4"), ("audio", "int8"), ("audio", "int4")
    ]


def test_mixed_precision_static_costs_and_training(context):
    config = quantised_configs(3, "soundmnist")[0]
    mixed = dataclasses.replace(load_example("harmonic_avmnist_1"), precision=PrecisionGenotype("int8", "fp32", "int4"))
    fp32 = joint_static({"task": "soundmnist", "config": load_example("harmonic_avmnist_1").to_dict()}, context)
    static = joint_static({"task": "soundmnist", "config": mixed.to_dict()}, context)
    assert static["image"]["lut:tx2"]["latency_ms"] is None and static["fusion"]["lut:agx"]["energy_mj"] is None
    assert static["total"]["lut:tx2"] == {"latency_ms": None, "energy_mj": None}  # LUTs are never scaled
    assert static["audio"]["lut:tx2"] == fp32["audio"]["lut:tx2"] and "bytes" not in static["audio"]
    assert static["image"]["bytes"] < 4 * static["image"]["params"] / 2.5  # int8 weights; scales, BN and biases stay fp32
    assert static["total"]["bytes"] == static["image"]["bytes"] + 4 * static["audio"]["params"] + static["fusion"]["bytes"]
    energy = "model:horowitz45"
    assert static["total"][energy]["energy_mj"] < fp32["total"][energy]["energy_mj"]
    params = {"task": "soundmnist", "config": mixed.to_dict(), "seeds": [0], "supernet_sha256": _shas(), "settings": FAST_FUSION}
    (record,) = joint_train(params, context)["seeds"]
    assert {"val_acc_before_quantisation", "test_acc_before_quantisation"} <= set(record)
    correct = unpack_correct(record["val_correct"])
    assert 100.0 * float(torch.from_numpy(correct).float().mean()) == record["val_acc"]  # the quantised network's predictions
    assert 10 <= record["val_acc"] <= 100 and abs(record["val_acc"] - record["val_acc_before_quantisation"]) <= 20
    assert config.precision != PrecisionGenotype() and quantised_configs(3, "soundmnist") == quantised_configs(3, "soundmnist")
    assert [c.image for c in quantised_configs(3, "soundmnist")] == [c.image for c in make_configs(3, "soundmnist")[:3]]  # the same architectures


def test_changed_supernet_is_refused(context):
    params = {"task": "soundmnist", "modality": "audio", "backbone": {"ks": [3] * 4, "e": [3] * 4, "d": [2]}, "supernet_sha256": "0" * 64}
    with pytest.raises(DataError, match="corrupt or replaced"):
        backbone_accuracy(params, context)


def test_joint_train_records_every_seed(context):
    params = {
        "task": "soundmnist", "config": load_example("harmonic_avmnist_1").to_dict(), "seeds": [0, 1],
        "supernet_sha256": _shas(), "settings": FAST_FUSION,
    }
    result = joint_train(params, context)
    seeds = result["seeds"]
    assert [s["seed"] for s in seeds] == [0, 1] and result["host"] == host_slug()
    n = {split: len(load_task("soundmnist", context.data_dir).split(split).label) for split in ("val", "test")}
    for record in seeds:
        assert record["best_val_epoch"] == 1 and 10 < record["test_acc"] <= 100 and record["train_seconds"] > 0
        for split in ("val", "test"):  # the per-example record is the scored network's: its mean is the accuracy, exactly
            correct = unpack_correct(record[f"{split}_correct"])
            assert len(correct) == n[split] and 100.0 * float(torch.from_numpy(correct).float().mean()) == record[f"{split}_acc"]
    again = joint_train({**params, "seeds": [0]}, context)["seeds"][0]
    assert again["val_acc"] == seeds[0]["val_acc"] and again["test_acc"] == seeds[0]["test_acc"]  # seeded


def test_latency_chunk_times_whole_model_and_components():
    settings = dataclasses.asdict(TimingSettings(warmup=1, runs=5))
    items = [{"target": "joint", "config": load_example("harmonic_avmnist_3").to_dict()},
             {"target": "backbone", "modality": "audio", "backbone": {"ks": [3] * 4, "e": [3] * 4, "d": [2]}}]
    result = latency({"task": "soundmnist", "items": items, "host": host_slug(), "settings": settings}, JobContext())
    joint, backbone = result["items"]
    assert set(joint) == {"total", "image", "audio", "fusion"} and set(backbone) == {"total"}
    for timing in (*joint.values(), backbone["total"]):
        assert 0 < timing["p10_ms"] <= timing["median_ms"] <= timing["p90_ms"]
    assert result["host"]["threads"] == 1 and len(result["load_before"]) == 3
    assert set(result[SPEED_INDEX]) == {"start", "end"} and all(v > 0 for v in result[SPEED_INDEX].values())
    with pytest.raises(DataError, match="cannot run on"):
        latency({"task": "soundmnist", "items": items, "host": "some-other-host", "settings": settings}, JobContext())


def test_export_joint_with_measured_columns_and_report(context, tmp_path, monkeypatch):
    monkeypatch.setattr("bench.tables.export.fusion_settings", lambda task: FAST_FUSION)
    store = ResultStore(tmp_path / "s.db")
    configs = [load_example(n).to_dict() for n in ("harmonic_avmnist_1", "harmonic_avmnist_3")]
    specs = [JobSpec.make("joint_static", "soundmnist", {"config": c}) for c in configs]
    specs += [
        JobSpec.make("joint_train", "soundmnist", {"config": c, "seeds": [0, 1], "supernet_sha256": _shas(), "settings": FAST_FUSION})
        for c in configs
    ]
    assert run_sweep(store, specs, InProcessExecutor(), context).n_finished == 4
    timing = dataclasses.asdict(TimingSettings(warmup=1, runs=5))
    items = [{"target": "joint", "config": c} for c in configs]
    measure = [JobSpec.make("latency", "soundmnist", {"items": items, "host": host_slug(), "settings": timing}),
               JobSpec.make("latency", "soundmnist", {"items": items, "host": host_slug(), "settings": timing, "round": 2})]
    assert run_sweep(store, measure, InProcessExecutor(), context).n_finished == 2
    tables = tmp_path / "tables"
    (tables / "soundmnist").mkdir(parents=True)
    (tables / "soundmnist" / "supernets").symlink_to((REPO / "tables/soundmnist/supernets").resolve())
    counts = export_tables(store, "soundmnist", tables)
    assert counts["joint"] == 2
    joint = load_table(tables / "soundmnist", "joint")
    host = host_slug().replace("-", "_")
    assert joint[f"measured_{host}_latency_ms"].gt(0).all() and joint[f"measured_{host}_fusion_latency_ms"].gt(0).all()
    assert joint["val_acc_seeds"].map(len).tolist() == [2, 2]
    first, repeat = sorted(store.rows("latency"), key=lambda row: row["params"].get("round", 1))
    assert joint[f"measured_{host}_speed_index_ms"].eq(phase_index(first["result"][SPEED_INDEX])).all()
    repeats = load_table(tables / "soundmnist", "latency_repeats")  # the second round, never over the first
    ids = [parse_config(c).id for c in configs]
    assert sorted(repeats[["config_id", "host", "round"]].values.tolist()) == sorted([i, host_slug(), 2] for i in ids)
    for n, config_id in enumerate(ids):
        timed = repeats.set_index("config_id").loc[config_id]
        assert timed["latency_ms"] == repeat["result"]["items"][n]["total"]["median_ms"]
        first_ms = first["result"]["items"][n]["total"]["median_ms"]
        assert joint.set_index("config_id").at[config_id, f"measured_{host}_latency_ms"] == first_ms
        assert timed[SPEED_INDEX] == phase_index(repeat["result"][SPEED_INDEX]) > 0
    rounds = latency_rounds_report(tables / "soundmnist")
    assert f"| {host_slug()} | 2 | " in rounds and f"| {host_slug()} | 1 | " in rounds  # 2 configs; 1 chunk's drift
    manifest = json.loads((tables / "soundmnist" / "manifest.json").read_text())
    assert set(manifest["columns"]["joint"]) == set(joint.columns)  # every column says where it comes from
    assert abs(joint.set_index("config_id").loc[load_example("harmonic_avmnist_1").id, "total_lut_tx2_latency_ms"] - 8.969) < 0.01
    write_logs(store, results_dir(tables, "soundmnist"))  # as the sweep driver does after every chunk
    report = tables_report(tables / "soundmnist")
    assert "noise ceiling" in report and "harmonic_avmnist_1" in report and f"- {host}: sum of component latencies" in report
    assert "| val_acc | 2 |" in report and "| total_lut_tx2_latency_ms | 2 |" in report
    assert "- 2 joint configs in " in report and f"- of them trained on {host_slug()}: 2 in " in report  # throughput by host
    assert f"| {load_example('harmonic_avmnist_1').id} | fp32/fp32/fp32 | 2 x 1 |" in report  # best joint models, with precision


def test_plans_name_the_committed_supernets():
    specs = make_plan("joint", "soundmnist", limit=2)
    assert [s.kind for s in specs] == ["joint_static", "joint_train", "joint_static", "joint_train"]
    assert specs[1].params["supernet_sha256"] == _shas()
    assert make_plan("backbones", "soundmnist", limit=1)[1].params["supernet_sha256"] == _shas()["image"]


def test_repeat_plan_is_a_seeded_sample_of_the_first_round_with_its_own_job_ids():
    first = {job.id: job for job in make_plan("latency-joint", "soundmnist")}
    repeat = make_plan("latency-joint-repeat", "soundmnist")
    configs = [item["config"] for job in repeat for item in job.params["items"]]
    measured = [item["config"] for job in first.values() for item in job.params["items"]]
    assert len(configs) == len({json.dumps(c, sort_keys=True) for c in configs}) == 200
    assert all(c in measured for c in configs) and configs == [c for c in measured if c in configs]  # in plan order
    assert {job.params["round"] for job in repeat} == {2} and not set(first) & {job.id for job in repeat}
    assert [job.id for job in make_plan("latency-joint-repeat", "soundmnist")] == [job.id for job in repeat]
    onnx = make_plan("latency-joint-repeat-onnxruntime", "soundmnist")
    assert [item["config"] for job in onnx for item in job.params["items"]] == configs
    onnx_host = f"{host_slug()}-onnxruntime"
    assert {(job.params["host"], job.params["runtime"], job.params["round"]) for job in onnx} == {(onnx_host, "onnxruntime", 2)}


def test_bfloat16_schedule_is_seeded_and_keeps_the_float32_job_ids(context):
    with pytest.raises(ValueError, match="float16"):
        FusionSettings(autocast="float16")
    with (REPO / "tables/soundmnist/results/joint_train.jsonl").open() as log:
        committed = json.loads(next(log))["params"]["settings"]
    assert fusion_settings("soundmnist") == committed  # the unset option is not recorded: the tables' job ids stay
    assert fusion_settings("avmnist")["autocast"] == "bfloat16"
    config = load_example("harmonic_avmnist_1").to_dict()
    params = {"task": "soundmnist", "config": config, "seeds": [0], "supernet_sha256": _shas(), "settings": FAST_FUSION}
    fp32_result = joint_train(params, context)
    (fp32,) = fp32_result["seeds"]
    assert "bfloat16_kernels" not in fp32_result
    bf16 = {**params, "settings": {**FAST_FUSION, "autocast": "bfloat16"}}
    first_result, second_result = (joint_train(bf16, context) for _ in range(2))
    (first,), (second,) = first_result["seeds"], second_result["seeds"]
    assert first_result["bfloat16_kernels"] == bfloat16_kernels()
    assert first["curve"][0]["val_acc"] == second["curve"][0]["val_acc"] and first["test_acc"] == second["test_acc"]
    assert abs(first["val_acc"] - fp32["val_acc"]) <= 10

"""Device validation: ONNX-friendly export, timing result files, comparison metrics and the merge into the tables."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from bench.examples import load_example
from bench.hardware.export import build_model, export_onnx, exportable_adaptive_max_pool2d
from bench.hardware.measure import TimingSettings
from bench.hardware.speed_index import ONNX_RUNTIME, SPEED_INDEX, TORCH
from bench.hardware.validate import read_result, validate_configs, write_result
from bench.sweep.store import ResultStore
from bench.tables.export import _measured
from bench.tables.merge import merge_result
from bench.validation.compare import summarise


@pytest.mark.parametrize("shape", [(7, 7), (4, 4), (5, 3), (14, 14), (2, 2), (10, 6)])
def test_exportable_pooling_equals_adaptive_max_pool(shape):
    x = torch.randn(2, 3, *shape)
    assert torch.equal(exportable_adaptive_max_pool2d(x, 4), F.adaptive_max_pool2d(x, 4))


def test_onnx_export_runs_in_onnxruntime_like_torch(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    config = load_example("harmonic_avmnist_2")
    path = export_onnx(config, tmp_path / "m.onnx")
    model, (image, audio) = build_model(config)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    out = session.run(None, {"image": image.numpy(), "audio": audio.numpy()})[0]
    with torch.inference_mode():
        np.testing.assert_allclose(out, model(image, audio).numpy(), atol=1e-4)


@pytest.fixture(scope="module")
def result():
    """A real (short) validation of one example with both runtimes."""
    pytest.importorskip("onnxruntime")
    return validate_configs([load_example("harmonic_avmnist_1")], TimingSettings(warmup=2, runs=5))


def test_result_holds_host_runtimes_meters_and_raw_timings(result, tmp_path):
    item = result["items"][0]
    for runtime in ("torchscript", "onnxruntime"):
        timing = item[runtime]["timing"]
        assert len(item[runtime]["samples_ms"]) == 5 and timing["p10_ms"] <= timing["median_ms"] <= timing["p90_ms"]
    assert result["runtimes"]["torch"] and set(result["meters"]) >= {"rapl", "nvml"}
    assert {runtime: set(index) for runtime, index in result[SPEED_INDEX].items()} == {r: {"start", "end"} for r in (TORCH, ONNX_RUNTIME)}
    assert all(v > 0 for index in result[SPEED_INDEX].values() for v in index.values())
    assert bool(item["onnxruntime"]["energy_mj"]) == any(v == "present" for v in result["meters"].values())
    path = write_result(result, tmp_path / "r.json")
    assert read_result(path) == json.loads(path.read_text())


def test_corrupt_or_foreign_results_are_refused(tmp_path, result):
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(ValueError, match="missing or corrupt"):
        read_result(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text(json.dumps({**result, "format": "something/2"}))
    with pytest.raises(ValueError, match="format 'something/2'"):
        read_result(tmp_path / "other.json")


def test_summary_metrics_by_hand():
    summary = summarise(np.array([1.0, 2.0, 4.0, np.nan]), np.array([2.0, 2.0, 3.0, 1.0]))
    assert summary["n"] == 3
    assert summary["mape_pct"] == pytest.approx(100 * (0.5 + 0 + 1 / 3) / 3)
    assert summary["spearman"] == pytest.approx(np.corrcoef([1, 2, 3], [1.5, 1.5, 3])[0, 1])


def test_merge_is_idempotent_and_adds_one_device_per_runtime(tmp_path, result):
    with_energy = json.loads(json.dumps(result))
    with_energy["items"][0]["onnxruntime"]["energy_mj"] = {"rapl": 0.25}
    store = ResultStore(tmp_path / "sweep.db")
    slug = result["host"]["slug"]
    assert merge_result(store, with_energy, "soundmnist") == [f"measured:{slug}-torchscript", f"measured:{slug}-onnxruntime"]
    assert merge_result(store, with_energy, "soundmnist") == []
    columns = _measured(store.rows("latency"), "soundmnist")[("joint", result["items"][0]["config_id"])]
    host = slug.replace("-", "_")
    assert columns[f"measured_{host}_onnxruntime_latency_ms"] == result["items"][0]["onnxruntime"]["timing"]["median_ms"]
    assert columns[f"measured_{host}_onnxruntime_energy_mj"] == 0.25
    assert f"measured_{host}_torchscript_energy_mj" not in columns  # no meter, no energy
    store.close()


def _crafted(result, change):
    crafted = json.loads(json.dumps(result))
    change(crafted)
    return crafted


@pytest.mark.parametrize("change, message", [
    (lambda r: r["host"].update(slug="../../x"), "host slug '../../x' is not lowercase"),
    (lambda r: r["host"].update(slug="lut:tx2"), "host slug 'lut:tx2'"),
    (lambda r: r["host"].update(slug="a" * 300), "host slug 'aaaa"),
    (lambda r: r["items"][0]["onnxruntime"]["timing"].update(median_ms=-6.9), "median_ms = -6.9 is not a finite positive"),
    (lambda r: r["items"][0]["onnxruntime"]["timing"].update(median_ms=float("nan")), "median_ms = nan"),
    (lambda r: r["items"][0]["onnxruntime"]["timing"].update(median_ms=1e308), "median_ms = 1e\\+308"),
    (lambda r: r["items"][0]["config"]["fusion"]["cells"][0].update(inputs=[0, 0]), "expected two distinct"),
    (lambda r: r["items"][0].update(config_id="0" * 16), "is not a soundmnist config of that id"),
])
def test_a_crafted_result_is_refused_and_writes_nothing(tmp_path, result, change, message):
    store = ResultStore(tmp_path / "sweep.db")
    with pytest.raises(ValueError, match=message):
        merge_result(store, _crafted(result, change), "soundmnist")
    assert store.count() == 0
    store.close()


def test_a_host_the_sweep_measured_is_not_merged_over(tmp_path, result):
    from bench.sweep.jobs import JobSpec

    store = ResultStore(tmp_path / "sweep.db")
    host = f"{result['host']['slug']}-onnxruntime"
    swept = JobSpec.make("latency", "soundmnist", {"items": [], "host": host, "settings": {}})
    store.put(swept, {"items": []}, worker="sweep-host:123", seconds=1.0, owner="sweep")
    with pytest.raises(ValueError, match=f"measured:{host} was measured by the sweep itself"):
        merge_result(store, result, "soundmnist")
    assert store.count() == 1
    store.close()


def test_replace_merges_over_the_sweeps_host_and_its_timings_win(tmp_path, result):
    from bench.sweep.jobs import JobSpec

    store = ResultStore(tmp_path / "sweep.db")
    item, host = result["items"][0], f"{result['host']['slug']}-onnxruntime"
    timing = {"median_ms": 99.0, "p10_ms": 98.0, "p90_ms": 100.0}
    swept = JobSpec.make("latency", "soundmnist", {"items": [{"target": "joint", "config": item["config"]}], "host": host, "settings": {}})
    store.put(swept, {"items": [{"total": timing}], "load_before": [0.1]}, worker="sweep-host:123", seconds=1.0, owner="sweep")
    assert f"measured:{host}" in merge_result(store, result, "soundmnist", replace=True)
    merged = next(row for row in store.rows("latency") if row["job_id"] != swept.id and row["params"]["host"] == host)
    sweeps = next(row for row in store.rows("latency") if row["job_id"] == swept.id)
    stem = f"measured_{host.replace('-', '_')}"
    for order in ([merged, sweeps], [sweeps, merged]):  # whatever the store's order, the replacing merge wins
        columns = _measured(order, "soundmnist")[("joint", item["config_id"])]
        assert columns[f"{stem}_latency_ms"] == item["onnxruntime"]["timing"]["median_ms"] != 99.0
    store.close()

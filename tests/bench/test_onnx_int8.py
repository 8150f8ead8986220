"""The precision tier through a real int8 runtime: ONNX export at a config's precision and its measured latency."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from bench.columns import JOINT, provenance
from bench.errors import NoKernelError
from bench.examples import load_example
from bench.hardware.export import export_onnx
from bench.hardware.host import host_slug
from bench.space import PrecisionGenotype, sample_config
from bench.sweep.jobs import JobContext
from bench.sweep.kinds import latency
from bench.sweep.plan import make_plan
from bench.sweep.store import ResultStore
from bench.tables.export import _measured
from bench.tasks import get_task

ort = pytest.importorskip("onnxruntime")


def _session(path, optimised=None):
    options = ort.SessionOptions()
    if optimised is not None:
        options.optimized_model_filepath = str(optimised)
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


@pytest.fixture(scope="module")
def calibration(data_dir):
    return get_task("soundmnist").calibration_inputs(str(data_dir), n=16)


def test_float_export_of_sampled_configs_runs_like_torch(tmp_path):
    from bench.hardware.export import build_model

    rng = np.random.default_rng(3)
    for k in range(3):  # sampled configs pool 7x7 maps to 4x4: bins that do not divide
        config = sample_config(rng)
        session = _session(export_onnx(config, tmp_path / f"{k}.onnx"))
        model, (image, audio) = build_model(config)
        feed = {i.name: {"image": image, "audio": audio}[i.name].numpy() for i in session.get_inputs()}
        with torch.inference_mode():
            np.testing.assert_allclose(session.run(None, feed)[0], model(image, audio).numpy(), atol=1e-4)


@pytest.mark.parametrize("int8", [("image",), ("audio", "fusion"), ("image", "audio", "fusion")])
def test_exactly_the_int8_components_run_on_int8_kernels(tmp_path, calibration, int8):
    import onnx

    precision = PrecisionGenotype(*("int8" if c in int8 else "fp32" for c in ("image", "audio", "fusion")))
    config = replace(load_example("harmonic_avmnist_1"), precision=precision)
    float_convs = [n.name for n in onnx.load(str(export_onnx(load_example("harmonic_avmnist_1"), tmp_path / "f.onnx"))).graph.node
                   if n.op_type == "Conv"]
    _session(export_onnx(config, tmp_path / "q.onnx", calibration), optimised=tmp_path / "opt.onnx")
    kernels = {n.name: n.op_type for n in onnx.load(str(tmp_path / "opt.onnx")).graph.node if n.op_type in ("Conv", "QLinearConv")}
    quantised = sorted(name for name, op in kernels.items() if op == "QLinearConv")
    expected = [name for name in float_convs if name.split("/")[1] in int8]
    assert len(quantised) == len(expected) > 0  # every conv of an int8 component, and no other, on int8 kernels
    assert all(name.split("/")[1] in int8 for name in quantised)


def test_int8_runtime_agrees_with_the_fake_quantised_model(tmp_path, data_dir, calibration):
    from bench.hardware.export import build_model
    from bench.models import MultimodalNet
    from bench.models.fusion import pool_features
    from bench.models.quantize import quantise_component

    config = replace(load_example("harmonic_avmnist_1"), precision=PrecisionGenotype("int8", "int8", "int8"))
    session = _session(export_onnx(config, tmp_path / "m.int8.onnx", calibration))
    model, _ = build_model(config)
    pairs = [(torch.from_numpy(a), torch.from_numpy(b)) for a, b in calibration]
    with torch.no_grad():
        fusion_inputs = [(pool_features(model.image(a)[0]) + pool_features(model.audio(b)[0]),) for a, b in pairs]
        fake = MultimodalNet(
            quantise_component(model.image, "int8", [(a,) for a, _ in pairs]),
            quantise_component(model.audio, "int8", [(b,) for _, b in pairs]),
            quantise_component(model.fusion, "int8", fusion_inputs),
        ).eval()
        tests = get_task("soundmnist").calibration_inputs(str(data_dir), n=48)[16:]
        runtime = np.concatenate([session.run(None, {"image": a, "audio": b})[0] for a, b in tests])
        simulated = np.concatenate([fake(torch.from_numpy(a), torch.from_numpy(b)).numpy() for a, b in tests])
    # ONNX Runtime quantises more tensors than the simulation (the raw MFCC input, every quantised node's output,
    # the attention products), so on this untrained net its logits move further than the simulation's; the decisions agree.
    assert np.isfinite(runtime).all() and np.abs(runtime - simulated).mean() < np.abs(simulated).mean()
    assert (runtime.argmax(axis=1) == simulated.argmax(axis=1)).mean() >= 0.9


def test_int4_has_no_kernel_and_int8_needs_calibration(tmp_path):
    config = load_example("harmonic_avmnist_1")
    with pytest.raises(NoKernelError, match="no int4 convolution kernel"):
        export_onnx(replace(config, precision=PrecisionGenotype("fp32", "int4", "fp32")), tmp_path / "m.onnx")
    with pytest.raises(ValueError, match="calibration"):
        export_onnx(replace(config, precision=PrecisionGenotype("int8", "fp32", "fp32")), tmp_path / "m.onnx")


def test_onnxruntime_latency_job_times_fp32_and_int8_and_leaves_int4_missing(tmp_path, data_dir, monkeypatch):
    indexed = []  # the chunk's speed index is its own runtime's (timed for real in test_validate)
    monkeypatch.setattr("bench.hardware.speed_index.measure_speed_index", lambda task, settings, runtime: indexed.append(runtime) or 2.0)
    example = load_example("harmonic_avmnist_1")
    configs = [example] + [replace(example, precision=PrecisionGenotype(*p)) for p in [("int8", "fp32", "int8"), ("int4", "fp32", "fp32")]]
    host = f"{host_slug()}-onnxruntime"
    params = {"items": [{"target": "joint", "config": c.to_dict()} for c in configs], "host": host,
              "settings": {"warmup": 1, "runs": 3, "threads": 1, "cpu": 0}, "runtime": "onnxruntime", "task": "soundmnist"}
    result = latency(params, JobContext(data_dir=str(data_dir)))
    timed, int8, int4 = result["items"]
    assert 0 < timed["total"]["p10_ms"] <= timed["total"]["median_ms"] <= timed["total"]["p90_ms"]
    assert int8["total"]["median_ms"] > 0 and "int4" in int4["missing"] and result["host"]["runtime"] == "onnxruntime"
    assert indexed == ["onnxruntime"] * 2 and result["speed_index_ms"] == {"start": 2.0, "end": 2.0}
    with pytest.raises(ValueError, match="cannot run on"):
        latency({**params, "host": host_slug()}, JobContext(data_dir=str(data_dir)))

    from bench.sweep.jobs import JobSpec

    store = ResultStore(tmp_path / "sweep.db")
    store.put(JobSpec.make("latency", "soundmnist", {k: v for k, v in params.items() if k != "task"}), result, worker="w", seconds=1.0, owner="test")
    measured = _measured(store.rows("latency"), "soundmnist")
    column = f"measured_{host.replace('-', '_')}_latency_ms"
    assert measured[("joint", configs[1].id)][column] == int8["total"]["median_ms"]
    assert ("joint", configs[2].id) not in measured  # missing, never filled in
    assert "no int4 convolution kernel" in provenance([column], JOINT)[column]
    store.close()


def test_onnxruntime_plan_covers_fp32_and_quantised_configs_on_its_own_device():
    jobs = make_plan("latency-joint-onnxruntime", "soundmnist", limit=30)
    configs = [item["config"] for job in jobs for item in job.params["items"]]
    assert len(configs) == 60 and {job.params["host"] for job in jobs} == {f"{host_slug()}-onnxruntime"}
    assert sum(set(c["precision"].values()) == {"fp32"} for c in configs) == 30
    eager = make_plan("latency-joint", "soundmnist", limit=30)
    assert all("runtime" not in job.params for job in eager)  # eager jobs keep their ids

"""Real-device validation: export configs, time them on this host, keep a result file.

For every config the model is built exactly as the sweep builds it, exported to
TorchScript and ONNX (:mod:`bench.hardware.export`), and each export is timed in a
fresh process pinned to one CPU with a fixed thread count: ``warmup`` untimed then
``runs`` timed batch-1 inferences (median, p10, p90 and every sample kept). Energy is
measured around the timed runs by every meter this host really has, and by none
otherwise (the result says why each meter is absent). The timing worker imports only
numpy and its runtime (torch or onnxruntime), so it runs on a small board.

The result file (JSON, :data:`RESULT_FORMAT`) holds the host, runtime versions,
settings, meters, raw timings and the host speed indices before and after the run
(:mod:`bench.hardware.speed_index`: the reference configs timed with the sweep's settings,
eagerly and through ONNX Runtime); :mod:`bench.validation.compare` sets it against the tables, raw and calibrated
by that index, and ``mmnas tables merge`` adds it to them as new ``measured:<host>-<runtime>``
devices.

Run as ``python -m bench.hardware.validate`` (internal timing worker).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from bench.errors import ConfigError
from bench.files import write_text_atomic
from bench.hardware.host import describe_host, host_slug
from bench.hardware.measure import TimingSettings, time_callable
from bench.hardware.meters import available_meters, describe_meters
from bench.hardware.speed_index import ONNX_RUNTIME, SPEED_INDEX, TORCH, measure_speed_index
from bench.jsonio import read_json
from bench.progress import progress
from bench.space import MODALITIES, Config, PrecisionGenotype

RESULT_FORMAT = "mmnas-device-validation/1"
RUNTIMES = ("torchscript", "onnxruntime", "onnxruntime-int8")
DEFAULT_RUNTIMES = ("torchscript", "onnxruntime")


def runtime_versions() -> dict[str, str | None]:
    from importlib import metadata

    versions: dict[str, str | None] = {"python": platform.python_version()}
    for package in ("torch", "onnxruntime", "onnx", "numpy"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return versions


def time_exports(paths: list[Path], runtime: str, settings: TimingSettings, task: str) -> list[dict[str, Any]]:
    """Time exported models of ``task``'s configs one after another in one fresh pinned process; per model: timing,
    samples, energy."""
    from bench.tasks import get_task

    shapes = [list(get_task(task).input_shape(m)) for m in MODALITIES]
    request = {"paths": [str(p) for p in paths], "runtime": runtime, "settings": asdict(settings), "shapes": shapes}
    load1 = os.getloadavg()[0]
    done = subprocess.run(
        [sys.executable, "-m", "bench.hardware.validate"], input=json.dumps(request), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"timing worker failed for {paths[0]} ... ({runtime}): {done.stderr[-2000:]}")
    return [{**timed, "load1_before": load1} for timed in json.loads(done.stdout)]


def timing_record(timed: dict[str, Any]) -> dict[str, Any]:
    """A timed model as the tables store it: median / p10 / p90 ms, and energy from the first meter that measured it."""
    energy = timed.get("energy_mj") or {}
    meter = sorted(energy)[0] if energy else None
    return {**timed["timing"], "energy_mj": energy.get(meter), "energy_meter": meter}


def validate_configs(
    configs: list[Config],
    settings: TimingSettings = TimingSettings(),
    runtimes: tuple[str, ...] = DEFAULT_RUNTIMES,
    calibration: list | None = None,
) -> dict[str, Any]:
    """Export and time every config with every runtime; the result document.

    The configs must be fp32 (the tables' float runtimes time them as they are);
    ``onnxruntime-int8`` times them with every component int8 and needs ``calibration``:
    batch-1 (image, audio) numpy pairs from the training split.
    """
    quantised = [c.id for c in configs if not c.precision.all_fp32]
    if quantised:
        raise ConfigError(f"device validation times fp32 configs; {len(quantised)} are quantised, e.g. {quantised[0]}")
    from bench.hardware.export import export_onnx, export_torchscript

    all_int8 = PrecisionGenotype("int8", "int8", "int8")
    exporters = {
        "torchscript": (export_torchscript, ".pt"),
        "onnxruntime": (export_onnx, ".onnx"),
        "onnxruntime-int8": (lambda config, path: export_onnx(replace(config, precision=all_int8), path, calibration), ".int8.onnx"),
    }
    items = []
    if not configs:
        raise ConfigError("device validation needs at least one config")
    start = _speed_indices(configs[0].task, settings, runtimes)
    with tempfile.TemporaryDirectory() as folder:
        for config in progress(configs, desc="validate", unit="config"):
            item: dict[str, Any] = {"config_id": config.id, "config": config.to_dict()}
            for runtime in runtimes:
                export, suffix = exporters[runtime]
                path = export(config, Path(folder) / f"{config.id}{suffix}")
                item[runtime] = time_exports([path], runtime, settings, config.task)[0]
            items.append(item)
    end = _speed_indices(configs[0].task, settings, runtimes)
    return {
        "format": RESULT_FORMAT,
        "host": {**describe_host(), "slug": host_slug()},
        "runtimes": runtime_versions(),
        "settings": asdict(settings),
        "meters": describe_meters(),
        SPEED_INDEX: {runtime: {"start": start[runtime], "end": end[runtime]} for runtime in start},
        "items": items,
    }


def _speed_indices(task: str, settings: TimingSettings, runtimes: tuple[str, ...]) -> dict[str, float]:
    """The host speed index now, eager and (when an ONNX runtime is validated) through ONNX Runtime, timed as the
    sweep times the tables' reference rows (its default settings, the run's CPU), whatever the load (recorded)."""
    index = TimingSettings(cpu=settings.cpu)
    wanted = [TORCH] + [ONNX_RUNTIME] * any(r.startswith(ONNX_RUNTIME) for r in runtimes)
    return {runtime: measure_speed_index(task, index, runtime, require_quiet=False) for runtime in wanted}


def write_result(result: dict[str, Any], path: Path) -> Path:
    """Write a result document as JSON (atomically)."""
    return write_text_atomic(path, json.dumps(result, indent=1))


def read_result(path: Path) -> dict[str, Any]:
    """A result document, checked for its format and fields."""
    try:
        result = read_json(path, ValueError)
        fields = (result["format"], result["host"]["slug"], result["settings"], result["items"])
        for item in result["items"]:
            item["config"], item["config_id"]
    except (ValueError, KeyError, TypeError) as err:
        raise ValueError(f"validation result {path} is missing or corrupt: {err!r}") from err
    if fields[0] != RESULT_FORMAT:
        raise ValueError(f"validation result {path}: format {fields[0]!r}, this release reads {RESULT_FORMAT!r}")
    return result


def _runner(request: dict[str, Any], path: str):
    import numpy as np

    inputs = [np.random.default_rng(i).standard_normal((1, *shape)).astype(np.float32) for i, shape in enumerate(request["shapes"])]
    threads = request["settings"]["threads"]
    if request["runtime"] == "torchscript":  # else an ONNX file, float or int8 (QDQ)
        import torch

        torch.set_num_threads(threads)
        model = torch.jit.load(path).eval()
        tensors = [torch.from_numpy(x) for x in inputs]

        def run() -> None:
            with torch.inference_mode():
                model(*tensors)

        return run
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    wanted = {i.name for i in session.get_inputs()}  # the exporter drops a backbone whose features no output uses
    feed = {name: x for name, x in zip(("image", "audio"), inputs) if name in wanted}
    return lambda: session.run(None, feed)


def _worker() -> None:
    request = json.loads(sys.stdin.read())
    settings = TimingSettings(**request["settings"])
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {settings.cpu % os.cpu_count()})
    results = []
    for path in request["paths"]:
        run = _runner(request, path)
        timing, samples = time_callable(run, settings)
        energy = {}
        for meter in available_meters():
            reading = meter.measure(lambda: [run() for _ in range(settings.runs)])
            energy[meter.name] = reading.joules * 1000.0 / settings.runs
        results.append({"timing": timing, "samples_ms": samples, "energy_mj": energy})
    print(json.dumps(results))


if __name__ == "__main__":
    _worker()

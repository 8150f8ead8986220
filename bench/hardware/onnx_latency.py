"""Batch-1 latency of joint configs through ONNX Runtime on this host (device ``measured:<host>-onnxruntime``).

The precision tier's measured device. Each config is exported as its precision says
(:func:`bench.hardware.export.export_onnx`: int8 components as static QDQ int8, run by
ONNX Runtime's int8 kernels; fp32 components in float). A chunk's models are then timed
one after another in one fresh process pinned to one CPU, one thread (the timing worker
of :mod:`bench.hardware.validate`). A config with an int4 component is not timed: its
latency is missing, and the result says why (:data:`bench.hardware.export.NO_INT4_KERNEL`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from bench.errors import NoKernelError
from bench.hardware.export import export_onnx
from bench.hardware.measure import TimingSettings, check_quiet_after, wait_until_quiet
from bench.hardware.speed_index import ONNX_RUNTIME
from bench.hardware.validate import runtime_versions, time_exports, timing_record
from bench.space import parse_config
from bench.tasks import get_task


def measure_onnx_chunk(
    items: list[dict[str, Any]], settings: TimingSettings, data_dir: str | None, task: str, require_quiet: bool = True,
) -> dict[str, Any]:
    """Export and time the joint configs of ``items`` (of ``task``); per item ``{"total": timing}`` or ``{"missing": reason}``.
    With ``require_quiet`` False the load averages are recorded, never checked."""
    from bench.hardware.host import describe_host
    from bench.hardware.meters import describe_meters

    configs = [parse_config(item["config"]) for item in items]
    calibration = get_task(task).calibration_inputs(data_dir) if any("int8" in c.precision.to_dict().values() for c in configs) else None
    results: list[dict[str, Any]] = [{} for _ in configs]
    load_before = wait_until_quiet("onnxruntime latency chunk") if require_quiet else os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        exported = {}
        for i, config in enumerate(configs):
            try:
                exported[i] = export_onnx(config, Path(folder) / f"{i}.onnx", calibration)
            except NoKernelError as err:
                results[i] = {"missing": str(err)}
        timed = time_exports(list(exported.values()), ONNX_RUNTIME, settings, task) if exported else []
    for i, result in zip(exported, timed):
        results[i] = {"total": timing_record(result)}
    host = {
        **describe_host(), "runtime": ONNX_RUNTIME, "runtimes": runtime_versions(), "threads": settings.threads, "pinned_cpu": settings.cpu,
        "meters": describe_meters(),
    }
    load_after = os.getloadavg()
    if require_quiet:
        check_quiet_after("onnxruntime latency chunk", load_after)
    return {"items": results, "host": host, "load_before": list(load_before), "load_after": list(load_after)}

"""Batch-1 latency measured on this host (device ``measured:<host>``).

A chunk of models is timed in a fresh process: pinned to one CPU, one torch thread,
``warmup`` untimed runs then ``runs`` timed runs per model (median, p10, p90 kept).
The parent starts it with the chunk as JSON on stdin and reads JSON from stdout, so
nothing imported or cached by the caller can disturb the timing. Energy is not
estimated here: it is recorded only where a real meter exists.

Run as ``python -m bench.hardware.measure`` (internal).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.tasks import Task

PROVENANCE_PREFIX = "measured:"


@dataclass(frozen=True)
class TimingSettings:
    """How a model is timed."""

    warmup: int = 10
    runs: int = 30
    threads: int = 1
    cpu: int = 0


def measure_chunk(items: list[dict[str, Any]], settings: TimingSettings, task: str) -> dict[str, Any]:
    """Time ``items`` (inputs shaped as ``task``'s) in a fresh pinned process; returns per-item timings and the host state."""
    payload = json.dumps({"items": items, "settings": asdict(settings), "task": task})
    load_before = os.getloadavg()
    done = subprocess.run(
        [sys.executable, "-m", "bench.hardware.measure"], input=payload, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"latency worker failed: {done.stderr[-2000:]}")
    out = json.loads(done.stdout)
    out["load_before"], out["load_after"] = list(load_before), list(os.getloadavg())
    return out


def time_callable(run: Any, settings: TimingSettings) -> tuple[dict[str, float], list[float]]:
    """``settings.warmup`` untimed then ``settings.runs`` timed calls of ``run()``: (median / p10 / p90 ms, samples ms)."""
    import numpy as np

    for _ in range(settings.warmup):
        run()
    samples = []
    for _ in range(settings.runs):
        start = time.perf_counter_ns()
        run()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    p10, median, p90 = np.percentile(samples, [10, 50, 90])
    return {"median_ms": float(median), "p10_ms": float(p10), "p90_ms": float(p90)}, samples


def _time(model: Any, inputs: list, settings: TimingSettings) -> dict[str, float]:
    import torch

    with torch.inference_mode():
        return time_callable(lambda: model(*inputs), settings)[0]


def _measure_item(item: dict[str, Any], settings: TimingSettings, task: Task) -> dict[str, Any]:
    import torch

    from bench.models import Backbone, MultimodalNet, build_fusion, skeleton
    from bench.space import parse_backbone, parse_config

    def x(modality: str) -> torch.Tensor:
        return torch.randn(1, *task.input_shape(modality))

    if item["target"] == "backbone":
        model = Backbone(parse_backbone(item["backbone"])).eval()
        return {"total": _time(model, [x(item["modality"])], settings)}
    config = parse_config(item["config"])
    image, audio, fusion = Backbone(config.image).eval(), Backbone(config.audio).eval(), build_fusion(config).eval()
    pooled = [torch.randn(1, c, skeleton.FUSION_LENGTH) for c in fusion.feature_channels]
    return {
        "total": _time(MultimodalNet(image, audio, fusion).eval(), [x("image"), x("audio")], settings),
        "image": _time(image, [x("image")], settings),
        "audio": _time(audio, [x("audio")], settings),
        "fusion": _time(fusion, [pooled], settings),
    }


def _worker() -> None:
    request = json.loads(sys.stdin.read())
    settings = TimingSettings(**request["settings"])
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {settings.cpu % os.cpu_count()})
    import torch

    from bench.hardware.host import describe_host
    from bench.tasks import get_task

    torch.set_num_threads(settings.threads)
    task = get_task(request["task"])
    results = [_measure_item(item, settings, task) for item in request["items"]]
    host = {**describe_host(), "torch": torch.__version__, "threads": settings.threads, "pinned_cpu": settings.cpu}
    print(json.dumps({"items": results, "host": host}))


if __name__ == "__main__":
    _worker()

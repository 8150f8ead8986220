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
MAX_LOAD_PER_CPU = 0.75  # a measurement starts, and is kept, only below this 1-minute load average per logical CPU
QUIET_WAIT_S = 300.0  # how long a measurement waits for the load to fall below it before it is refused


def max_load() -> float:
    """The load average above which no latency is measured or kept: ``MMNAS_MAX_MEASURE_LOAD``, else
    :data:`MAX_LOAD_PER_CPU` per logical CPU (1.5 on 2 CPUs; the measuring process itself adds about 1)."""
    value = os.environ.get("MMNAS_MAX_MEASURE_LOAD")
    return float(value) if value else MAX_LOAD_PER_CPU * (os.cpu_count() or 1)


def wait_until_quiet(what: str, wait_s: float = QUIET_WAIT_S, poll_s: float = 5.0) -> tuple[float, float, float]:
    """The load averages once the 1-minute one is below :func:`max_load`, waiting up to ``wait_s``.

    Raises:
        DataError: still above it after ``wait_s`` (the job fails and stays pending; nothing is stored).
    """
    from bench.errors import DataError

    deadline = time.monotonic() + wait_s
    while True:
        load = os.getloadavg()
        if load[0] <= max_load():
            return load
        if time.monotonic() >= deadline:
            raise DataError(f"{what}: load average {load[0]:.2f} above {max_load():.2f} for {wait_s:.0f} s: not measured "
                            "(something else is running; the job stays pending)")
        time.sleep(poll_s)


def check_quiet_after(what: str, load_after: tuple[float, float, float]) -> None:
    """Refuse a measurement that ended above :func:`max_load` (something started during it)."""
    from bench.errors import DataError

    if load_after[0] > max_load():
        raise DataError(f"{what}: load average rose to {load_after[0]:.2f} (above {max_load():.2f}) while timing: the "
                        "measurement is discarded, the job stays pending")


@dataclass(frozen=True)
class TimingSettings:
    """How a model is timed."""

    warmup: int = 10
    runs: int = 30
    threads: int = 1
    cpu: int = 0


def measure_chunk(items: list[dict[str, Any]], settings: TimingSettings, task: str, require_quiet: bool = True) -> dict[str, Any]:
    """Time ``items`` (inputs shaped as ``task``'s) in a fresh pinned process; returns per-item timings and the host state
    (load averages before and after; with ``require_quiet`` False they are recorded, never checked).

    Raises:
        DataError: the machine is busier than :func:`max_load` before (after waiting) or after the timing.
    """
    payload = json.dumps({"items": items, "settings": asdict(settings), "task": task})
    load_before = wait_until_quiet("latency chunk") if require_quiet else os.getloadavg()
    done = subprocess.run(
        [sys.executable, "-m", "bench.hardware.measure"], input=payload, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"latency worker failed: {done.stderr[-2000:]}")
    out = json.loads(done.stdout)
    load_after = os.getloadavg()
    if require_quiet:
        check_quiet_after("latency chunk", load_after)
    out["load_before"], out["load_after"] = list(load_before), list(load_after)
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

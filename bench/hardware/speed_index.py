"""A host speed index: how fast this machine runs a fixed set of models right now, per runtime.

The index is the geometric mean of the median batch-1 latency of a task's reference
configs (the shipped Harmonic-NAS examples, which are also the first configs of every
task's joint plan) timed with the sweep's settings in a fresh pinned process, in one
runtime: eager torch (:data:`TORCH`, the device ``measured:<host>``) or ONNX Runtime
(:data:`ONNX_RUNTIME`, ``measured:<host>-onnxruntime``). The two are kept apart: a
table's eager and ONNX Runtime columns were measured in different phases, and a host need
not change speed by the same factor in both runtimes. Because the
reference configs lead the joint plan, a table column's own medians of them are the index
of the phase that measured that column (:func:`table_speed_index`).

Every latency chunk of the sweep times the index of its own runtime before and after its
models (``speed_index_ms``: start, end); a device validation run times both before and
after its run. Figures of two phases compare after calibration: a latency measured where
the index was ``index_ms`` reads ``ms * reference_ms / index_ms`` at the speed of the phase
whose index is ``reference_ms`` (:func:`calibrate`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from bench.devices import TOTAL, device_spec
from bench.examples import example_names, load_example
from bench.hardware.measure import TimingSettings, measure_chunk
from bench.space import Config

SPEED_INDEX = "speed_index_ms"  # the result field (start and end) and the table column stem
TORCH, ONNX_RUNTIME = "torch", "onnxruntime"
RUNTIME_SUFFIXES = {TORCH: "", ONNX_RUNTIME: "-onnxruntime"}  # index runtime -> suffix of its measured:<host> device


def reference_configs(task: str) -> list[Config]:
    """The configs the index times for ``task``: the shipped examples, as configs of ``task``."""
    return [replace(load_example(name), task=task) for name in example_names()]


def geometric_mean(values: Iterable[float]) -> float:
    """Geometric mean of positive ``values``; NaN when any is missing or not positive, or there are none."""
    values = list(values)
    if not values or not all(math.isfinite(v) and v > 0 for v in values):
        return float("nan")
    return math.exp(sum(math.log(v) for v in values) / len(values))


def measure_speed_index(
    task: str, settings: TimingSettings = TimingSettings(), runtime: str = TORCH, require_quiet: bool = True,
) -> float:
    """The index of ``runtime`` now: the reference configs timed in a fresh pinned process (ms).

    Raises:
        DataError: with ``require_quiet``, the machine is busier than :func:`bench.hardware.measure.max_load`.
    """
    items = [{"target": "joint", "config": c.to_dict()} for c in reference_configs(task)]
    if runtime == ONNX_RUNTIME:
        from bench.hardware.onnx_latency import measure_onnx_chunk  # it times through bench.hardware.validate

        timed = measure_onnx_chunk(items, settings, None, task, require_quiet)["items"]  # fp32: no calibration data
    else:
        timed = measure_chunk(items, settings, task, require_quiet)["items"]
    return geometric_mean(t[TOTAL]["median_ms"] for t in timed)


def with_speed_index(measure: Callable[[], dict[str, Any]], task: str, settings: TimingSettings, runtime: str) -> dict[str, Any]:
    """``measure()``'s result with the index of ``runtime`` timed just before and just after it (``speed_index_ms``:
    start, end)."""
    start = measure_speed_index(task, settings, runtime)
    out = measure()
    out[SPEED_INDEX] = {"start": start, "end": measure_speed_index(task, settings, runtime)}
    return out


def phase_index(start_end: dict[str, float] | None) -> float:
    """One index of a measurement from its start and end indices (their geometric mean; NaN when absent)."""
    return float("nan") if not start_end else geometric_mean((start_end["start"], start_end["end"]))


def index_runtime(host: str) -> str:
    """The runtime whose index calibrates device ``measured:<host>`` (``-onnxruntime`` hosts: ONNX Runtime)."""
    return ONNX_RUNTIME if host.endswith(RUNTIME_SUFFIXES[ONNX_RUNTIME]) else TORCH


def table_speed_index(joint: Any, host: str, task: str) -> float:
    """The index of the phase that measured ``task``'s joint-table column of ``measured:<host>``: the geometric mean
    of that column's own medians of the reference configs (NaN when it lacks any of them)."""
    column = device_spec(f"measured:{host}").column("latency_ms", TOTAL)
    if column not in joint:
        return float("nan")
    by_id = joint.set_index("config_id")[column]
    return geometric_mean(float(by_id.get(c.id, float("nan"))) for c in reference_configs(task))


def calibrate(ms: float, index_ms: float, reference_ms: float) -> float:
    """``ms``, measured where the index was ``index_ms``, at the speed of the phase whose index is ``reference_ms``."""
    return ms * reference_ms / index_ms

"""Merge a device validation result into the tables as new ``measured:<host>-<runtime>`` devices.

Each runtime of the result becomes one latency job in the sweep store (its id is the hash
of the configs, host and settings, so merging the same result twice adds nothing), is
written to the committed result logs, and appears after the export as the columns
``measured_<host>_<runtime>_latency_ms`` (and ``..._energy_mj`` where a meter measured
energy) of the configs the tables hold. The problem registry picks the device up at the
next ``mmnas problems build``.
"""

from __future__ import annotations

from typing import Any

from bench.hardware.validate import timing_record
from bench.sweep.jobs import JobSpec
from bench.sweep.store import ResultStore

# Float runtimes time the configs as the tables hold them (fp32); int8 timings of an fp32
# config would describe another model, so they enter the tables through the precision tier.
MERGED_RUNTIMES = ("torchscript", "onnxruntime")


def latency_jobs(result: dict[str, Any], task: str) -> list[tuple[JobSpec, dict[str, Any]]]:
    """(spec, result) of one latency job per runtime in a validation result."""
    jobs = []
    for runtime in MERGED_RUNTIMES:
        measured = [item for item in result["items"] if runtime in item]
        if not measured:
            continue
        host = f"{result['host']['slug']}-{runtime}"
        params = {"items": [{"target": "joint", "config": item["config"]} for item in measured], "host": host, "settings": result["settings"]}
        timings = [{"total": timing_record(item[runtime])} for item in measured]
        load1 = max(item[runtime].get("load1_before", 0.0) for item in measured)
        host_info = {**result["host"], "runtime": runtime, "runtimes": result["runtimes"], "meters": result["meters"]}
        jobs.append((JobSpec.make("latency", task, params), {"items": timings, "host": host_info, "load_before": [load1]}))
    return jobs


def merge_result(store: ResultStore, result: dict[str, Any], task: str) -> list[str]:
    """Add the result's latency jobs to ``store``; returns the devices added (none when already merged)."""
    done = store.done_ids()
    added = []
    for spec, job_result in latency_jobs(result, task):
        if spec.id not in done:
            store.put(spec, job_result, worker=f"{result['host']['hostname']}:validate", seconds=0.0, owner="merge")
            added.append(f"measured:{spec.params['host']}")
    return added

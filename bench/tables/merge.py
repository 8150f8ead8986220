"""Merge a device validation result into the tables as new ``measured:<host>-<runtime>`` devices.

Each runtime of the result becomes one latency job in the sweep store (its id is the hash
of the configs, host and settings, so merging the same result twice adds nothing), is
written to the committed result logs, and appears after the export as the columns
``measured_<host>_<runtime>_latency_ms`` (and ``..._energy_mj`` where a meter measured
energy) of the configs the tables hold. The problem registry picks the device up at the
next ``mmnas problems build``.

A host the sweep itself timed is refused, since the result would silently mix with the
sweep's timings, unless the merge is asked to replace it (``replace=True``, ``mmnas tables
merge --replace``): then the result's timings replace the sweep's for the configs it timed
(the others keep the sweep's), and of two replacing merges the later one wins.
"""

from __future__ import annotations

import math
from typing import Any

from bench.devices import SLUG
from bench.errors import DataError
from bench.hardware.validate import timing_record
from bench.space import parse_config
from bench.sweep.jobs import JobSpec
from bench.sweep.store import ResultStore

# Float runtimes time the configs as the tables hold them (fp32); int8 timings of an fp32
# config would describe another model, so they enter the tables through the precision tier.
MERGED_RUNTIMES = ("torchscript", "onnxruntime")
VALIDATE_WORKER = ":validate"  # the worker suffix of merged rows, apart from the sweep's own


MAX_MS = 1e6  # a batch-1 inference slower than 1000 s is a corrupt figure, not a measurement


def _checked_timing(record: dict[str, Any], where: str) -> dict[str, Any]:
    """A timing record whose figures are all finite, positive and bounded (else DataError naming ``where``)."""
    for key, value in record.items():
        if key == "energy_meter" or (key == "energy_mj" and value is None):
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not 0 < value <= MAX_MS:
            raise DataError(f"{where}: {key} = {str(value)[:40]} is not a finite positive figure of at most {MAX_MS:g}")
    return record


REPLACES = "replaces_sweep"  # latency job parameter: its timings win over the sweep's for the same host and config


def latency_jobs(result: dict[str, Any], task: str, replace: bool = False) -> list[tuple[JobSpec, dict[str, Any]]]:
    """(spec, result) of one latency job per runtime in a validation result, every host slug, config and figure
    checked first (a refused result writes nothing); ``replace`` marks the jobs as replacing the sweep's timings."""
    slug = result["host"]["slug"]
    if not isinstance(slug, str) or not SLUG.match(slug):
        raise DataError(f"validation result: host slug {str(slug)[:60]!r} is not lowercase letters, digits and '-' (at most 64)")
    jobs = []
    for runtime in MERGED_RUNTIMES:
        measured = [item for item in result["items"] if runtime in item]
        if not measured:
            continue
        for item in measured:
            config = parse_config(item["config"])
            if config.id != item["config_id"] or config.task != task:
                raise DataError(f"validation result: item {str(item['config_id'])[:20]!r} is not a {task} config of that id")
        host = f"{slug}-{runtime}"
        params = {"items": [{"target": "joint", "config": item["config"]} for item in measured], "host": host, "settings": result["settings"]}
        if replace:
            params[REPLACES] = True
        timings = [{"total": _checked_timing(timing_record(item[runtime]), f"validation result {item['config_id']} {runtime}")}
                   for item in measured]
        load1 = max(item[runtime].get("load1_before", 0.0) for item in measured)
        host_info = {**result["host"], "runtime": runtime, "runtimes": result["runtimes"], "meters": result["meters"]}
        jobs.append((JobSpec.make("latency", task, params), {"items": timings, "host": host_info, "load_before": [load1]}))
    return jobs


def merge_result(store: ResultStore, result: dict[str, Any], task: str, replace: bool = False) -> list[str]:
    """Add the result's latency jobs to ``store``; returns the devices added (none when already merged).

    Args:
        replace: allow a host the sweep measured; the result's timings then replace the sweep's for its configs.

    Raises:
        DataError: a malformed result, or, without ``replace``, a host the sweep itself measured (merging would mix
            two sets of timings under one device); nothing is written then.
    """
    jobs = latency_jobs(result, task, replace)
    swept = {row["params"]["host"] for row in store.rows("latency") if not row["worker"].endswith(VALIDATE_WORKER)}
    clash = sorted({spec.params["host"] for spec, _ in jobs} & swept)
    if clash and not replace:
        raise DataError(f"measured:{clash[0]} was measured by the sweep itself: merge with --replace to replace the sweep's "
                        "timings of the configs the result timed, or validate under another name (MMNAS_HOST_ID)")
    done = store.done_ids()
    added = []
    for spec, job_result in jobs:
        if spec.id not in done:
            store.put(spec, job_result, worker=f"{result['host']['hostname']}{VALIDATE_WORKER}", seconds=0.0, owner="merge")
            added.append(f"measured:{spec.params['host']}")
    return added

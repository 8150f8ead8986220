"""The host speed index: reference configs, the table's own index, calibration of a validation run's errors."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from bench.examples import example_names, load_example
from bench.hardware.speed_index import (
    ONNX_RUNTIME,
    SPEED_INDEX,
    TORCH,
    calibrate,
    geometric_mean,
    index_runtime,
    phase_index,
    reference_configs,
    table_speed_index,
)
from bench.sweep.plan import joint_configs
from bench.tables import load_table
from bench.tables.latency_rounds import agreement
from bench.validation.compare import compare
from tests.helpers import COMMITTED

TABLES = COMMITTED.parent


def test_reference_configs_are_the_examples_and_lead_every_joint_plan():
    for task in ("soundmnist", "avmnist"):
        reference = reference_configs(task)
        assert [c.id for c in reference] == [c.id for c in joint_configs(0, task)] and len(reference) == len(example_names())
        assert {c.task for c in reference} == {task}


def test_geometric_mean_and_missing_values():
    assert geometric_mean([2.0, 8.0]) == pytest.approx(4.0)
    assert phase_index({"start": 1.0, "end": 4.0}) == pytest.approx(2.0)
    for bad in ([], [1.0, float("nan")], [1.0, 0.0]):
        assert math.isnan(geometric_mean(bad))
    assert math.isnan(phase_index(None)) and calibrate(3.0, 2.0, 4.0) == 6.0


def test_the_tables_index_is_its_own_eager_medians_of_the_reference_configs():
    joint = load_table(TABLES / "soundmnist", "joint")
    column = joint.set_index("config_id")["measured_amd_epyc_2cpu_latency_ms"]
    expected = geometric_mean(column[c.id] for c in reference_configs("soundmnist"))
    assert table_speed_index(joint, "amd-epyc-2cpu", "soundmnist") == pytest.approx(expected)
    onnx = joint.set_index("config_id")["measured_amd_epyc_2cpu_onnxruntime_latency_ms"]
    assert table_speed_index(joint, "amd-epyc-2cpu-onnxruntime", "soundmnist") == pytest.approx(  # its own phase
        geometric_mean(onnx[c.id] for c in reference_configs("soundmnist")))
    assert index_runtime("amd-epyc-2cpu-onnxruntime") == ONNX_RUNTIME and index_runtime("amd-epyc-2cpu") == TORCH
    assert math.isnan(table_speed_index(joint, "some-other-host", "soundmnist"))
    without = joint[joint["config_id"] != reference_configs("soundmnist")[0].id]
    assert math.isnan(table_speed_index(without, "amd-epyc-2cpu", "soundmnist"))  # a reference row missing


def test_a_validation_run_twice_as_fast_as_the_tables_phase_is_calibrated_to_zero_error():
    config = load_example("harmonic_avmnist_1")
    joint = load_table(TABLES / "soundmnist", "joint").set_index("config_id")
    table_ms = float(joint.at[config.id, "measured_amd_epyc_2cpu_latency_ms"])
    index = table_speed_index(joint.reset_index(), "amd-epyc-2cpu", "soundmnist")
    timing = {"median_ms": table_ms / 2, "p10_ms": table_ms / 2, "p90_ms": table_ms / 2}
    result = {"items": [{"config_id": config.id, "config": config.to_dict(), "torchscript": {"timing": timing}}],
              SPEED_INDEX: {TORCH: {"start": index / 2, "end": index / 2}, ONNX_RUNTIME: {"start": 1.0, "end": 1.0}}}
    rows, summary = compare(json.loads(json.dumps(result)), "measured:amd-epyc-2cpu", "torchscript", TABLES)
    assert rows[0]["error_pct"] == pytest.approx(-50.0) and rows[0]["calibrated_error_pct"] == pytest.approx(0.0, abs=1e-9)
    assert summary["speed_index_run_ms"] == pytest.approx(index / 2) and summary["calibrated_mape_pct"] == pytest.approx(0.0, abs=1e-9)
    del result[SPEED_INDEX]  # a result from before the index: raw errors only
    rows, summary = compare(result, "measured:amd-epyc-2cpu", "torchscript", TABLES)
    assert rows[0]["error_pct"] == pytest.approx(-50.0) and math.isnan(rows[0]["calibrated_error_pct"])
    rows, summary = compare({**result, SPEED_INDEX: {TORCH: {"start": 1.0, "end": 1.0}}}, "lut:tx2", "torchscript", TABLES)
    assert math.isnan(summary["speed_index_table_ms"])  # a board, not a measuring phase of a host


def test_round_agreement_by_hand():
    first = np.array([1.0, 2.0, 3.0, 4.0])
    assert agreement(first, 2 * first) == {"kendall_tau": 1.0, "spearman": 1.0, "mape_pct": 100.0}
    swapped = agreement(first, np.array([2.0, 1.0, 3.0, 4.0]))
    assert swapped["kendall_tau"] == pytest.approx(4 / 6) and swapped["mape_pct"] == pytest.approx(100 * (1 + 0.5) / 4)

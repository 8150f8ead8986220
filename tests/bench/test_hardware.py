from __future__ import annotations

import json
import shutil

import pytest

from bench.devices import get_device
from bench.errors import DataError, LutKeyError, UnknownNameError
from bench.examples import example_document, load_example
from bench.hardware.lut_tables import lut_dir_from_env
from bench.space import enumerate_backbones

# Sums of the tables for the three Harmonic-NAS rows, as listed in the LUT README (ms, mJ).
LUT_README_SUMS = {
    "harmonic_avmnist_1": (8.969, 13.920),
    "harmonic_avmnist_2": (14.418, 25.491),
    "harmonic_avmnist_3": (9.117, 13.886),
}


@pytest.mark.parametrize("name", sorted(LUT_README_SUMS))
def test_harmonic_rows_reproduce_the_tx2_figures(name):
    cost = get_device("lut:tx2").cost(load_example(name))
    latency, energy = LUT_README_SUMS[name]
    assert abs(cost.total.latency_ms - latency) < 0.01
    assert abs(cost.total.energy_mj - energy) < 0.01
    reference = example_document(name)["reference"]  # the README's two-decimal figures
    assert abs(cost.total.latency_ms - reference["latency_ms"]) < 0.01
    assert abs(cost.total.energy_mj - reference["energy_mj"]) < 0.01 + 1e-9
    assert cost.total.provenance == "lut:tx2"
    assert sum(c.latency_ms for c in cost.components.values()) == pytest.approx(cost.total.latency_ms)


def test_fusion_cost_counts_one_entry_per_node():
    table = json.loads((lut_dir_from_env() / "lut_fusion_agx.json").read_text())
    cost = get_device("lut:agx").cost(load_example("harmonic_avmnist_2"))
    per_op = {k.split("-")[0]: float(v["lat"]) for k, v in table.items()}
    assert cost.components["fusion"].latency_ms == pytest.approx(
        8 * per_op["LinearGLU"] + 2 * per_op["ConcatFC"] + 2 * per_op["CatConvMish"]
    )


def test_boards_price_the_same_layers():
    for family in ("ofa_mnist", "fusion"):
        tx2, agx = (json.loads((lut_dir_from_env() / f"lut_{family}_{b}.json").read_text()) for b in ("tx2", "agx"))
        assert set(tx2) == set(agx)


@pytest.mark.parametrize("modality", ["image", "audio"])
def test_backbones_across_the_space_have_all_their_keys(modality):
    # every 10th backbone (all depths, kernels and expand ratios occur); the sweep prices all 7,371
    lut = get_device("lut:tx2")
    sample = list(enumerate_backbones())[::10]
    assert {(k, e) for g in sample for k, e in g.active_blocks} == {(k, e) for k in (3, 5, 7) for e in (3, 4, 6)}
    costs = {lut.backbone_cost(g, modality).latency_ms for g in sample}
    assert len(costs) > 100 and min(costs) > 0


def test_missing_key_is_an_error_naming_it(tmp_path):
    for path in lut_dir_from_env().glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    table_path = tmp_path / "lut_ofa_mnist_tx2.json"
    table = json.loads(table_path.read_text())
    key = "MBConvLayer-input:1_16_14_14-in_ch:16-out_ch:24-mid_ch:96-expand:6-kernel:7-stride:2-use_se:0"
    del table[key]
    table_path.write_text(json.dumps(table))
    device = get_device("lut:tx2", lut_dir=tmp_path)
    config = load_example("harmonic_avmnist_1").to_dict()
    config["image"] = {"ks": [7, 3, 3, 3], "e": [6, 3, 3, 3], "d": [2]}
    from bench.space import parse_config

    with pytest.raises(LutKeyError, match=key):
        device.cost(parse_config(config))


def test_corrupt_or_missing_tables(tmp_path):
    with pytest.raises(DataError, match="not found: set MMNAS_LUT_DIR"):
        get_device("lut:tx2", lut_dir=tmp_path)
    for path in lut_dir_from_env().glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "lut_fusion_tx2.json").write_text('{"Sum-input:1_192_16-N:1-C:192-L:16": {"lat": "fast"}}')
    with pytest.raises(DataError, match="lut_fusion_tx2.json is corrupt"):
        get_device("lut:tx2", lut_dir=tmp_path)


@pytest.mark.parametrize("name", ["lut:nano", "tx2", "gpu:h100", "lut:"])
def test_unknown_device(name):
    with pytest.raises(UnknownNameError, match="unknown device"):
        get_device(name)


def test_analytical_energy_by_precision_by_hand():
    from bench.hardware.horowitz import DRAM_PJ_PER_BYTE, SRAM_PJ_PER_BYTE, energy_mj

    counts = {"macs": 1000, "weights": 100, "activations": 50}
    expected_pj = {
        "fp32": 1000 * 4.6 + 100 * 4 * DRAM_PJ_PER_BYTE + 50 * 4 * SRAM_PJ_PER_BYTE,
        "int8": 1000 * 0.3 + 100 * 1 * DRAM_PJ_PER_BYTE + 50 * 1 * SRAM_PJ_PER_BYTE,
        "int4": 1000 * 0.2 + 100 * 0.5 * DRAM_PJ_PER_BYTE + 50 * 1 * SRAM_PJ_PER_BYTE,  # activations stay int8
    }
    for precision, pj in expected_pj.items():
        assert abs(energy_mj(counts, precision) - pj * 1e-9) < 1e-15
    assert energy_mj(counts, "int4") < energy_mj(counts, "int8") < energy_mj(counts, "fp32")


@pytest.mark.parametrize("value", ['"NaN"', "-6.9", '"-1"', '"inf"', "true", "null"])
def test_a_lut_entry_that_is_not_a_finite_non_negative_number_is_refused(tmp_path, value):
    for path in lut_dir_from_env().glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "lut_fusion_tx2.json").write_text('{"Sum-input:1_192_16-N:1-C:192-L:16": {"lat": %s, "enrg": 1.0}}' % value)
    with pytest.raises(DataError, match="lut_fusion_tx2.json is corrupt: entry 'Sum-input.* lat = .* is not a finite non-negative"):
        get_device("lut:tx2", lut_dir=tmp_path)


def test_conditions_say_the_load_and_what_else_ran():
    import sys

    from bench.hardware.host import conditions

    with conditions() as during:
        sum(i * i for i in range(200_000))
    assert during.load1 >= 0 and str(during).startswith("load ")
    if sys.platform.startswith("linux"):
        assert 0.0 <= during.others_cpu_share <= 1.0


def test_latency_is_neither_measured_nor_kept_on_a_busy_machine(monkeypatch):
    import subprocess
    from types import SimpleNamespace

    import bench.hardware.measure as measure
    from bench.errors import DataError

    monkeypatch.setenv("MMNAS_MAX_MEASURE_LOAD", "1.5")
    monkeypatch.setattr(measure.os, "getloadavg", lambda: (3.2, 3.0, 2.0))
    with pytest.raises(DataError, match="load average 3.20 above 1.50 for 0 s: not measured"):
        measure.wait_until_quiet("latency chunk", wait_s=0.0)
    loads = iter([(0.9, 1.0, 1.0), (2.4, 1.2, 1.0)])  # quiet before, busy after
    monkeypatch.setattr(measure.os, "getloadavg", lambda: next(loads))
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: SimpleNamespace(returncode=0, stdout='{"items": []}', stderr=""))
    with pytest.raises(DataError, match="rose to 2.40 .* discarded"):
        measure.measure_chunk([], measure.TimingSettings(), "soundmnist")
    loads = iter([(0.9, 1.0, 1.0), (1.1, 1.0, 1.0)])
    assert measure.measure_chunk([], measure.TimingSettings(), "soundmnist")["load_after"] == [1.1, 1.0, 1.0]

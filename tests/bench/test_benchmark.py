from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from bench.benchmark import Benchmark, NotInTableError
from bench.errors import ConfigError, UnknownNameError
from bench.examples import load_example
from bench.locations import tables_root
from bench.space import parse_backbone, sample_config
from tests.helpers import write_tables

CONFIGS = [load_example("harmonic_avmnist_1"), load_example("harmonic_avmnist_3")]


@pytest.fixture()
def tables(tmp_path):
    joint = pd.DataFrame(
        {
            "config_id": [c.id for c in CONFIGS],
            "val_acc": [99.0, 98.0], "test_acc": [97.0, 96.0],
            "val_acc_seeds": [[98.0, 99.0, 100.0], [97.0, 98.0, 99.0]],
            "test_acc_seeds": [[96.0, 97.0, 98.0], [95.0, 96.0, 97.0]],
            "train_seconds_seeds": [[10.0, 11.0, 12.0], [20.0, 21.0, 22.0]],
            "total_lut_tx2_latency_ms": [8.969, 9.117], "total_lut_tx2_energy_mj": [13.92, 13.886],
            "total_horowitz45_energy_mj": [0.5, 0.6], "total_params": [100, 200], "total_macs": [1000, 2000],
            "measured_host_a_latency_ms": [3.0, 4.0],
        }
    )
    g = CONFIGS[0].image
    backbones = pd.DataFrame(
        {"backbone_id": [g.id], "val_acc": [97.5], "test_acc": [95.0], "lut_tx2_latency_ms": [3.964],
         "lut_tx2_energy_mj": [5.793], "params": [14722], "macs": [680984]}
    )
    write_tables(tmp_path / "soundmnist", {"joint": joint, "backbones_image": backbones})
    return tmp_path


def test_table_lookup_returns_the_row(tables):
    bench = Benchmark("soundmnist", "lut:tx2", ("acc", "lat", "energy", "params"), tables_dir=tables)
    obs = bench.evaluate(CONFIGS[1].to_dict())
    assert obs.objectives == {"acc": 98.0, "lat": 9.117, "energy": 13.886, "params": 200.0}
    assert obs.cost_seconds == 21.0 and obs.from_table and obs.config_id == CONFIGS[1].id
    assert obs.provenance["lat"] == "table:soundmnist (lut:tx2)"
    assert bench.evaluate_many(CONFIGS + CONFIGS[:1]) == [bench.evaluate(c) for c in CONFIGS + CONFIGS[:1]]


def test_other_devices_use_their_columns(tables):
    assert Benchmark(device="measured:host-a", objectives=("lat",), tables_dir=tables).evaluate(CONFIGS[0]).objectives == {"lat": 3.0}
    assert Benchmark(device="model:horowitz45", objectives=("energy",), tables_dir=tables).evaluate(CONFIGS[1]).objectives == {"energy": 0.6}


def test_unknown_config_is_an_error_in_table_mode(tables):
    bench = Benchmark(tables_dir=tables)
    other = sample_config(np.random.default_rng(0))
    with pytest.raises(NotInTableError, match=f"config {other.id} is not in the soundmnist table"):
        bench.evaluate(other)
    with pytest.raises(ConfigError, match="image.ks"):
        bench.evaluate({**CONFIGS[0].to_dict(), "image": {"ks": [1, 3, 3, 3], "e": [3] * 4, "d": [2]}})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"device": "lut:nano"}, "unknown device"),
        ({"objectives": ("acc", "speed")}, "unknown objective"),
        ({"mode": "oracle"}, "unknown mode"),
        ({"device": "measured:host-a", "objectives": ("energy",)}, "has no 'energy' values"),
        ({"device": "measured:host-b", "objectives": ("lat",)}, "has no 'lat' values"),
        ({"device": "model:horowitz45", "objectives": ("lat",)}, "has no 'lat' values"),
    ],
)
def test_bad_names_are_rejected(tables, kwargs, message):
    with pytest.raises(UnknownNameError, match=message):
        Benchmark(tables_dir=tables, **kwargs)


def test_noisy_draws_are_per_seed_and_reproducible(tables):
    def draws(seed):
        bench = Benchmark(objectives=("acc", "test_acc"), tables_dir=tables, noisy=True, seed=seed)
        return [(o.objectives["acc"], o.objectives["test_acc"], o.cost_seconds) for o in bench.evaluate_many(CONFIGS * 20)]

    first = draws(7)
    assert first == draws(7)
    assert first != draws(8)
    for (acc, test, seconds), config in zip(first, CONFIGS * 20):
        k = [98.0, 99.0, 100.0].index(acc) if config is CONFIGS[0] else [97.0, 98.0, 99.0].index(acc)
        assert test == (96.0 + k if config is CONFIGS[0] else 95.0 + k)  # one seed's val and test together
        assert seconds == (10.0 + k if config is CONFIGS[0] else 20.0 + k)
    with pytest.raises(ValueError, match="explicit seed"):
        Benchmark(tables_dir=tables, noisy=True)


def test_backbone_queries(tables):
    bench = Benchmark(objectives=("acc", "lat", "params"), tables_dir=tables)
    obs = bench.evaluate_backbone("image", CONFIGS[0].image.to_dict())
    assert obs.objectives == {"acc": 97.5, "lat": 3.964, "params": 14722.0}
    with pytest.raises(NotInTableError, match="soundmnist image backbones"):
        bench.evaluate_backbone("image", parse_backbone({"ks": [7] * 4, "e": [6] * 4, "d": [4]}).to_dict())


def test_table_queries_import_no_torch(tables):
    code = (
        "import sys; from bench.benchmark import Benchmark; from bench.examples import load_example;"
        f"b = Benchmark(tables_dir={str(tables)!r}); b.evaluate(load_example('harmonic_avmnist_1'));"
        "assert 'torch' not in sys.modules, 'torch was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_committed_tables_answer_the_harmonic_rows():
    bench = Benchmark("soundmnist", "lut:tx2", ("acc", "lat", "energy"))
    obs = bench.evaluate(load_example("harmonic_avmnist_1"))
    assert abs(obs.objectives["lat"] - 8.969) < 0.01 and abs(obs.objectives["energy"] - 13.920) < 0.01
    assert 0 < obs.objectives["acc"] <= 100 and obs.cost_seconds > 0


def test_answers_by_id_are_the_answers_by_config():
    bench = Benchmark("soundmnist", objectives=("acc", "lat", "energy"))
    joint = pd.read_parquet(tables_root(None) / "soundmnist" / "joint.parquet").iloc[:50]
    arrays = bench.evaluate_ids(list(joint["config_id"]))
    observations = bench.evaluate_many(list(joint["config_json"]))
    for name in ("acc", "lat", "energy"):  # quantised rows have no LUT figures: NaN in both
        np.testing.assert_array_equal(arrays[name], [o.objectives[name] for o in observations])
    np.testing.assert_array_equal(arrays["cost_seconds"], [o.cost_seconds for o in observations])
    with pytest.raises(NotInTableError, match="ffffffffffffffff"):
        bench.evaluate_ids(["ffffffffffffffff"])

"""Live mode: a config trained now with the sweep's protocol gives the table's values, and is cached in the store."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bench.benchmark import Benchmark
from bench.errors import UnknownNameError
from bench.locations import tables_root
from bench.space import parse_config


def _cheapest_fp32_row() -> pd.Series:
    joint = pd.read_parquet(tables_root(None) / "soundmnist" / "joint.parquet")
    fp32 = joint[(joint.image_precision == "fp32") & (joint.audio_precision == "fp32") & (joint.fusion_precision == "fp32")]
    return fp32.sort_values("train_seconds").iloc[0]


def test_live_training_reproduces_the_stored_row_and_is_cached(data_dir, tmp_path, monkeypatch):
    row = _cheapest_fp32_row()
    config = parse_config(row["config_json"])
    store = tmp_path / "live.db"
    live = Benchmark("soundmnist", objectives=("acc", "test_acc", "lat"), mode="live", store=store, data_dir=data_dir)
    obs = live.evaluate(config)
    assert obs.objectives["acc"] == pytest.approx(float(np.mean(row["val_acc_seeds"])), abs=1e-9)
    assert obs.objectives["test_acc"] == pytest.approx(float(np.mean(row["test_acc_seeds"])), abs=1e-9)
    assert obs.objectives["lat"] == pytest.approx(Benchmark("soundmnist", objectives=("lat",)).evaluate(config).objectives["lat"])
    assert obs.provenance["acc"].startswith("live:soundmnist") and obs.cost_seconds > 0

    import bench.live

    monkeypatch.setattr(bench.live, "job_kind", lambda kind: pytest.fail("a config in the store was trained again"))
    again = Benchmark("soundmnist", objectives=("acc", "test_acc", "lat"), mode="live", store=store, data_dir=data_dir).evaluate(config)
    assert again.objectives == obs.objectives


def test_live_mode_refuses_what_it_cannot_answer(tmp_path):
    with pytest.raises(UnknownNameError, match="is measured, so it has no live answer"):
        Benchmark("soundmnist", device="measured:amd-epyc-2cpu", objectives=("acc", "lat"), mode="live", store=tmp_path / "s.db")
    with pytest.raises(ValueError, match="neither noisy nor fidelity"):
        Benchmark("avmnist", mode="live", fidelity=2, store=tmp_path / "s.db")

"""Validation-vs-test rank agreement against the validation split size."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.tables import load_table
from bench.tables.split_size import ExampleRecords, example_records, split_size_markdown, split_size_taus

AVMNIST = Path(__file__).resolve().parents[2] / "tables" / "avmnist"


def _records(val_correct: np.ndarray, test_acc: np.ndarray) -> ExampleRecords:
    return ExampleRecords([f"c{i}" for i in range(len(test_acc))], val_correct, test_acc, without_record=0)


def test_nested_predictions_rank_like_test_on_the_whole_split_and_nearly_on_subsets():
    rng = np.random.default_rng(0)
    skill = np.linspace(0.3, 0.9, 100)  # config i gets right every pair easier than its skill: nested sets, 14 pairs apart
    easiness = rng.uniform(size=2400)
    val = np.repeat((easiness[None, :] < skill[:, None])[:, None, :], 3, axis=1)
    taus = split_size_taus(_records(val, 100 * skill), sizes=(150, 600), repeats=20)
    assert taus["val_pairs"].tolist() == [150, 600, 2400] and taus["subsets"].tolist() == [20, 20, 1]
    assert taus["kendall_tau"].iloc[-1] == pytest.approx(1.0)
    assert 0.9 < taus["kendall_tau"].iloc[0] < taus["kendall_tau"].iloc[1] < 1.0  # ties on small subsets only
    assert (taus["tau_p10"] <= taus["kendall_tau"]).all() and (taus["kendall_tau"] <= taus["tau_p90"] + 1e-12).all()


def test_noise_alone_gives_no_rank_agreement_and_the_subsets_are_seeded():
    rng = np.random.default_rng(1)
    val, test = rng.random((300, 3, 1200)) < 0.8, rng.uniform(70, 90, 300)
    taus = split_size_taus(_records(val, test), sizes=(150,), repeats=30)
    assert abs(taus["kendall_tau"]).max() < 0.1
    assert taus.equals(split_size_taus(_records(val, test), sizes=(150,), repeats=30))
    lines = split_size_markdown(_records(val, test), taus)
    assert lines[0] == "## Validation split size" and len(lines) == 6 + len(taus)


def test_records_of_the_committed_avmnist_logs_agree_with_its_joint_table():
    records = example_records(AVMNIST, "avmnist")
    joint = load_table(AVMNIST, "joint").set_index("config_id")
    assert records.val_correct.shape[1:] == (3, 2400) or len(records.config_ids) == 0
    assert set(records.config_ids) <= set(joint.index) and records.without_record >= 900  # trained before records existed
    for i in range(len(records.config_ids)):
        row = joint.loc[records.config_ids[i]]
        # as training computed it: a float32 mean, then 100 x in float64
        np.testing.assert_array_equal(100.0 * records.val_correct[i].mean(axis=1, dtype=np.float32).astype(float), row["val_acc_seeds"])
        assert records.test_acc[i] == pytest.approx(row["test_acc"], abs=1e-9)

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bench.devices import TOTAL, device_spec, devices_in
from bench.space import encode_ordinal, sample_config
from surrogates import XGBoostEnsemble
from surrogates.quality import NOISE_FREE, Target, joint_targets, metrics, noise_ceiling, quality_table, splits


def test_metrics_of_perfect_and_reversed_predictions():
    y = np.array([1.0, 2.0, 3.0, 4.0])
    perfect = metrics(y, y, np.full(4, 0.1), resolution=0.1)
    assert perfect["r2"] == 1.0 and perfect["mae"] == 0.0 and perfect["kendall_tau"] == 1.0
    assert perfect["coverage_68"] == perfect["coverage_95"] == 1.0
    reversed_ = metrics(y, y[::-1], None, resolution=0.1)
    assert reversed_["kendall_tau"] == -1.0 and "coverage_68" not in reversed_


def test_sparse_kendall_ignores_differences_below_the_resolution():
    y = np.array([99.01, 99.02, 99.03, 98.0])
    pred = np.array([99.03, 99.02, 99.01, 98.0])  # order among the first three is noise at 0.1 %
    m = metrics(y, pred, None, resolution=0.1)
    assert m["kendall_tau"] < 0.5 and m["sparse_kendall_tau"] == 1.0


def test_interval_coverage():
    y = np.zeros(100)
    m = metrics(y, np.linspace(-2, 2, 100), np.ones(100), resolution=0.1)
    assert m["coverage_68"] == pytest.approx(0.5, abs=0.02) and m["coverage_95"] == pytest.approx(0.98, abs=0.02)


@pytest.fixture(scope="module")
def joint():
    rng = np.random.default_rng(0)
    configs = [sample_config(rng) for _ in range(60)]
    X = encode_ordinal(configs)
    val = 95 + X[:, :4].mean(axis=1) / 3
    return pd.DataFrame(
        {
            "config_json": [c.to_json() for c in configs],
            "n_cells": [c.fusion.n_cells for c in configs],
            "val_acc": val,
            "val_acc_seeds": [[v - 0.2, v, v + 0.2] for v in val],
            "total_lut_tx2_latency_ms": X[:, :9].sum(axis=1) + X[:, 18] * 0.5,
            device_spec("measured:host-a").column("latency_ms", TOTAL): X[:, :9].sum(axis=1) / 10,
            device_spec("measured:host-a").column("latency_ms", "fusion"): np.ones(60),
        }
    )


def test_splits_are_disjoint_and_ood_is_out_of_distribution(joint):
    parts = splits(joint)
    assert "random-80/20" in parts and "ood-deepest" in parts
    for train, test in parts.values():
        assert not set(train) & set(test)
    for k in range(1, 5):
        train, test = parts[f"ood-cells={k}"]
        assert (joint["n_cells"].to_numpy()[test] == k).all() and (joint["n_cells"].to_numpy()[train] != k).all()
        assert len(train) + len(test) == len(joint)


def test_targets_include_measured_hosts(joint):
    assert [d.name for d in devices_in(joint.columns) if d.kind.prefix == "measured"] == ["measured:host-a"]
    names = [t.name for t in joint_targets(joint.columns)]
    assert names == ["val_acc", "lut:tx2/latency_ms", "measured:host-a/latency_ms"]


def test_noise_ceiling_uses_seed_pairs(joint):
    ceiling = noise_ceiling(joint, Target("val_acc", "val_acc", 0.1))
    assert ceiling["kendall_tau"] == pytest.approx(1.0)  # seeds differ by a constant here
    assert noise_ceiling(joint, Target("lat", "total_lut_tx2_latency_ms", 0.01)) is None


def test_quality_table_rows(joint):
    table = quality_table(joint, {"xgboost": lambda: XGBoostEnsemble(n_members=2, n_estimators=50)})
    assert set(table["model"]) == {"xgboost", "seed-to-seed", NOISE_FREE}
    random_split = table[(table["split"] == "random-80/20") & (table["target"] == "lut:tx2/latency_ms")].iloc[0]
    assert random_split["n_train"] == 48 and random_split["n_test"] == 12
    assert random_split["kendall_tau"] > 0.5


def test_exact_columns_get_computed_rows_scored_on_the_same_split(joint):
    column = "total_lut_tx2_latency_ms"
    exact = {column: joint[column].to_numpy() + np.where(np.arange(len(joint)) % 2 == 0, 0.0, 1.0)}
    table = quality_table(joint, {"xgboost": lambda: XGBoostEnsemble(n_members=2, n_estimators=20)}, exact=exact)
    computed = table[table["model"] == "computed-exact"]
    assert set(computed["target"]) == {"lut:tx2/latency_ms"}
    row = computed[computed["split"] == "random-80/20"].iloc[0]
    test = splits(joint)["random-80/20"][1]
    assert row["n_test"] == len(test) and row["mae"] == pytest.approx(np.mean(np.arange(len(joint))[test] % 2))


def test_computed_static_costs_are_scored_but_never_learned(joint):
    with_params = joint.assign(total_params=np.arange(len(joint)) * 1000.0)
    target = next(t for t in joint_targets(with_params.columns) if t.column == "total_params")
    assert not target.learned and all(t.learned for t in joint_targets(joint.columns))
    exact = {"total_params": with_params["total_params"].to_numpy()}
    table = quality_table(with_params, {"xgboost": lambda: XGBoostEnsemble(n_members=2, n_estimators=20)}, exact=exact)
    assert set(table[table["target"] == "params"]["model"]) == {"computed-exact"}
    assert "xgboost" in set(table[table["target"] == "val_acc"]["model"])


def test_parallel_scoring_gives_the_same_rows(joint):
    from surrogates import XGBoostQuantile

    models = {"xgboost-quantile": XGBoostQuantile}
    serial = quality_table(joint, models)
    parallel = quality_table(joint, models, workers=2)
    pd.testing.assert_frame_equal(serial, parallel)


def test_targets_summary_judges_the_model_benchmark_uses():
    from surrogates.quality import targets_summary

    def row(target, model, split, tau, r2):
        return {"target": target, "model": model, "split": split, "kendall_tau": tau, "r2": r2}

    table = pd.DataFrame([
        row("val_acc", "seed-to-seed", "all", 0.70, 0.9), row("val_acc", NOISE_FREE, "all", 0.80, float("nan")),
        row("val_acc", "xgb", "random-80/20", 0.75, 0.6),
        row("val_acc", "xgb", "ood-cells=1", 0.5, 0.2), row("val_acc", "xgb", "ood-deepest", 0.5, 0.7),
        row("lut:tx2/latency_ms", "xgb", "random-80/20", 0.90, 0.9), row("lut:tx2/latency_ms", "xgb", "ood-cells=1", 0.9, 0.9),
        row("lut:tx2/latency_ms", "computed-exact", "random-80/20", 1.0, 1.0),
        row("lut:tx2/latency_ms", "computed-exact", "ood-cells=1", 1.0, 1.0),
    ])
    quantised = {**row("val_acc", "xgb", "random-80/20-quantised", 0.40, 0.1), "n_test": 7}
    lines = targets_summary(pd.concat([table, pd.DataFrame([quantised])]), "xgb")
    assert lines[2] == "| val_acc | xgb | 0.750 met | 0.75 | 94% of 0.800 (seed-to-seed 0.700) met | 0.200 (ood-cells=1) | not met | 0.400 (n=7) |"
    assert lines[3] == "| lut:tx2/latency_ms | computed-exact | 1.000 met | 0.98 | - | 1.000 (ood-cells=1) | met | - |"



def test_quantised_configs_are_scored_apart_on_the_random_split(joint):
    precision = np.where(np.arange(len(joint)) % 3 == 0, "int8", "fp32")  # every third config quantised
    mixed = joint.assign(image_precision=precision, audio_precision="fp32", fusion_precision="fp32")
    table = quality_table(mixed, {"xgboost": lambda: XGBoostEnsemble(n_members=2, n_estimators=20)})
    test = splits(mixed)["random-80/20"][1]
    rows = table[(table["split"] == "random-80/20-quantised") & (table["model"] == "xgboost")]
    assert set(rows["target"]) == {t.name for t in joint_targets(mixed.columns)}
    assert (rows["n_test"] == int((test % 3 == 0).sum())).all() and (rows["n_train"] == len(mixed) - len(test)).all()
    ceiling = table[(table["model"] == "seed-to-seed") & (table["split"] == "quantised")]
    assert ceiling["n_test"].tolist() == [20]
    assert "random-80/20-quantised" not in set(quality_table(joint, {"xgboost": lambda: XGBoostEnsemble(n_members=2, n_estimators=20)})["split"])


def test_random_split_keeps_precision_twins_on_one_side(joint):
    from dataclasses import replace

    from bench.space import PrecisionGenotype, parse_config

    twins = [replace(parse_config(text), precision=PrecisionGenotype("int8", "int4", "int8")) for text in joint["config_json"][:30]]
    with_twins = pd.concat([joint, joint.iloc[:30].assign(config_json=[c.to_json() for c in twins])], ignore_index=True)
    train, test = splits(with_twins)["random-80/20"]
    architecture = with_twins["config_json"].map(lambda text: parse_config(text).architecture_id)
    assert not set(architecture[train]) & set(architecture[test]) and len(train) + len(test) == 90
    assert architecture.nunique() == 60 and 0.7 < len(train) / 90 < 0.9
    no_twins_train, _ = splits(joint)["random-80/20"]  # without twins: the plain seeded permutation of rows
    order = np.random.default_rng(0).permutation(60)
    assert no_twins_train.tolist() == sorted(order[:48].tolist())


def test_model_choice_section_on_the_training_rows_only(joint):
    from surrogates.candidates import Candidate
    from surrogates.selection import model_choice

    candidates = [Candidate("xgb", lambda: XGBoostEnsemble(n_members=2, n_estimators=20)),
                  Candidate("xgb/ordinal", lambda: XGBoostEnsemble(n_members=2, n_estimators=20), "ordinal")]
    choice = model_choice(joint, candidates, n_folds=3)
    train = splits(joint)["random-80/20"][0]
    assert set(choice.scores["model"]) == {"xgb", "xgb/ordinal"} and len(choice.scores) == 6
    assert choice.chosen in {"xgb", "xgb/ordinal"} and choice.curve["n_train"].tolist() == [len(train)]
    lines = choice.markdown()
    assert lines[0] == "## Model choice for val_acc" and any(line.startswith(f"Chosen: **{choice.chosen}**") for line in lines)

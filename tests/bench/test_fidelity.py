"""Benchmark(fidelity=epoch) answers from the learning curves, charged at that epoch's seconds."""

from __future__ import annotations

import numpy as np
import pytest

from bench.benchmark import Benchmark
from bench.errors import UnknownNameError
from bench.space import sample_config
from tests.helpers import synthetic_joint, write_tables

EPOCHS, SEEDS = 4, 3


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    configs = [sample_config(np.random.default_rng(i)) for i in range(12)]
    joint = synthetic_joint(configs)
    # seed s of row r after epoch e: 50 + 10 e + s + r; seconds 2 e + s
    joint["val_acc_curve_seeds"] = [[[50.0 + 10 * e + s + r for e in range(1, EPOCHS + 1)] for s in range(SEEDS)] for r in range(len(joint))]
    joint["test_acc_curve_seeds"] = [[[40.0 + 10 * e + s for e in range(1, EPOCHS + 1)] for s in range(SEEDS)] for _ in range(len(joint))]
    joint["seconds_curve_seeds"] = [[[2.0 * e + s for e in range(1, EPOCHS + 1)] for s in range(SEEDS)] for _ in range(len(joint))]
    root = tmp_path_factory.mktemp("tables")
    write_tables(root / "soundmnist", {"joint": joint})
    return root, configs


def test_each_recorded_epoch_answers_its_mean_accuracy_and_seconds(tables):
    root, configs = tables
    for epoch in range(1, EPOCHS + 1):
        bench = Benchmark(objectives=("acc", "test_acc", "lat"), tables_dir=root, fidelity=epoch)
        obs = bench.evaluate_many(configs[:3])
        assert [o.objectives["acc"] for o in obs] == [50.0 + 10 * epoch + 1 + r for r in range(3)]  # mean of seeds 0, 1, 2
        assert all(o.objectives["test_acc"] == 40.0 + 10 * epoch + 1 and o.cost_seconds == 2.0 * epoch + 1 for o in obs)
    full = Benchmark(objectives=("acc", "lat"), tables_dir=root).evaluate(configs[0])
    assert full.objectives["lat"] == obs[0].objectives["lat"]  # costs do not depend on the fidelity


def test_noisy_fidelity_answers_one_seeds_curve(tables):
    root, configs = tables
    obs = Benchmark(objectives=("acc",), tables_dir=root, fidelity=2, noisy=True, seed=0).evaluate_many(configs[:1] * 30)
    seeds = {o.objectives["acc"] - 70.0 for o in obs}
    assert seeds <= {0.0, 1.0, 2.0} and len(seeds) > 1
    assert all(o.cost_seconds == 4.0 + o.objectives["acc"] - 70.0 for o in obs)  # charged at that seed's seconds


@pytest.mark.parametrize("fidelity", [0, EPOCHS + 1, 1.5])
def test_an_epoch_the_curves_do_not_record_is_refused(tables, fidelity):
    with pytest.raises(UnknownNameError, match="learning curves record epochs 1 to 4"):
        Benchmark(tables_dir=tables[0], fidelity=fidelity)


def test_a_table_without_curves_has_no_fidelities(tmp_path):
    write_tables(tmp_path / "soundmnist", {"joint": synthetic_joint([sample_config(np.random.default_rng(0))])})
    with pytest.raises(UnknownNameError, match="no learning curves"):
        Benchmark(tables_dir=tmp_path, fidelity=1)


def test_surrogate_and_auto_modes_answer_each_epoch_from_its_fidelity_surrogates(tables, tmp_path):
    import shutil

    from bench.tables import load_table
    from surrogates import XGBoostQuantile
    from surrogates.fitted import fit_release

    root, configs = tables
    copy = tmp_path / "tables"
    shutil.copytree(root, copy)
    fit_release(copy / "soundmnist", load_table(copy / "soundmnist", "joint"), {"xgboost-quantile": lambda: XGBoostQuantile(n_estimators=40)})
    unseen = sample_config(np.random.default_rng(1000))
    assert unseen.id not in {c.id for c in configs}
    answers = [Benchmark(objectives=("acc",), mode="surrogate", tables_dir=copy, fidelity=e).evaluate(unseen) for e in range(1, EPOCHS + 1)]
    accs, costs = [o.objectives["acc"] for o in answers], [o.cost_seconds for o in answers]
    assert accs == sorted(accs) and accs[-1] - accs[0] > 20  # the curves rise 10 points an epoch
    assert all(abs(c - (2.0 * e + 1)) < 0.5 for e, c in zip(range(1, EPOCHS + 1), costs))  # charged at that epoch's seconds
    assert "val_acc_epoch2" in Benchmark(objectives=("acc",), mode="surrogate", tables_dir=copy, fidelity=2).evaluate(unseen).provenance["acc"]
    auto = Benchmark(objectives=("acc",), mode="auto", tables_dir=copy, fidelity=3)
    known, guessed = auto.evaluate_many([configs[0], unseen])
    assert known.from_table and known.objectives["acc"] == 50.0 + 30 + 1 and not guessed.from_table

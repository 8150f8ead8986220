"""Surrogate and auto modes of Benchmark, and the release's fitted surrogate files."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bench.benchmark import Benchmark
from bench.errors import UnknownNameError
from bench.jsonio import with_checksum
from bench.space import encode_ordinal, sample_config
from bench.tables.manifest import TableError
from surrogates import VersionMismatchError, XGBoostQuantile
from surrogates.fitted import SURROGATES_DIR, fit_release, load_fitted
from tests.helpers import synthetic_joint, write_release_tables

N_TABLE = 40


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    rng = np.random.default_rng(0)
    configs = [sample_config(rng) for _ in range(N_TABLE)]
    tables = tmp_path_factory.mktemp("tables")
    write_release_tables(tables / "soundmnist", synthetic_joint(configs))
    fit_release(tables / "soundmnist", synthetic_joint(configs), {"xgboost-quantile": lambda: XGBoostQuantile(n_estimators=30)})
    return tables, configs


def test_surrogate_mode_answers_every_config_with_provenance(release):
    tables, configs = release
    bench = Benchmark(device="lut:tx2", mode="surrogate", tables_dir=tables)
    new = [sample_config(np.random.default_rng(1)) for _ in range(3)]
    observations = bench.evaluate_many(configs[:2] + new)
    assert [o.from_table for o in observations] == [False] * 5
    assert all(o.provenance["acc"].startswith("surrogate:xgboost-quantile of val_acc") for o in observations)
    assert all(0 <= o.objectives["acc"] <= 100 and o.objectives["lat"] > 0 and o.cost_seconds > 0 for o in observations)
    single = bench.evaluate(new[0])
    assert single.objectives == observations[2].objectives


def test_auto_mode_uses_the_table_first(release):
    tables, configs = release
    auto = Benchmark(device="lut:tx2", mode="auto", tables_dir=tables)
    table = Benchmark(device="lut:tx2", mode="table", tables_dir=tables)
    new = sample_config(np.random.default_rng(2))
    inside, outside = auto.evaluate_many([configs[3], new])
    assert inside.from_table and inside.objectives == table.evaluate(configs[3]).objectives
    assert not outside.from_table and outside.provenance["acc"].startswith("surrogate:")
    assert outside.provenance["lat"].startswith("computed:soundmnist total_lut_tx2_latency_ms")


def test_static_costs_off_the_table_are_computed_not_learned(release):
    tables, configs = release
    objectives = ("lat", "energy", "params", "macs")
    surrogate = Benchmark(device="lut:tx2", objectives=objectives, mode="surrogate", tables_dir=tables)
    table = Benchmark(device="lut:tx2", objectives=objectives, mode="table", tables_dir=tables)
    for off, on in zip(surrogate.evaluate_many(configs[:5]), table.evaluate_many(configs[:5])):
        assert not off.from_table and off.objectives == pytest.approx(on.objectives, rel=1e-12)
        assert all(p.endswith("exact") for p in off.provenance.values())
    fitted = json.loads((tables / "soundmnist" / SURROGATES_DIR / "index.json").read_text())["targets"]
    assert "total_lut_tx2_latency_ms" in fitted  # the fallback where the LUTs are not installed
    assert not {"total_params", "total_macs", "total_bytes", "total_horowitz45_energy_mj"} & set(fitted)


def test_refit_removes_surrogates_the_release_no_longer_fits(tmp_path):
    configs = [sample_config(np.random.default_rng(4)) for _ in range(30)]
    task_dir = tmp_path / "soundmnist"
    write_release_tables(task_dir, synthetic_joint(configs))
    stale = task_dir / SURROGATES_DIR / "total_params.xgboost-quantile.json"
    stale.parent.mkdir()
    stale.write_text("{}")
    fit_release(task_dir, synthetic_joint(configs), {"xgboost-quantile": lambda: XGBoostQuantile(n_estimators=5)})
    assert not stale.exists() and (task_dir / SURROGATES_DIR / "val_acc.xgboost-quantile.json").is_file()


def test_noisy_surrogate_draws_are_seeded(release):
    tables, configs = release
    new = [sample_config(np.random.default_rng(3)) for _ in range(20)]

    def draws(seed):
        bench = Benchmark(device="lut:tx2", mode="surrogate", tables_dir=tables, noisy=True, seed=seed)
        return [o.objectives for o in bench.evaluate_many(new)]

    assert draws(5) == draws(5)
    assert draws(5) != draws(6)
    mean = [o.objectives for o in Benchmark(device="lut:tx2", mode="surrogate", tables_dir=tables).evaluate_many(new)]
    assert [d["lat"] for d in draws(5)] == [m["lat"] for m in mean]  # only accuracy is drawn


def test_missing_model_stale_and_corrupt_files_are_refused(release, tmp_path):
    tables, configs = release
    with pytest.raises(UnknownNameError, match="no fitted 'exact-gp' surrogate of 'val_acc'"):
        Benchmark(mode="surrogate", tables_dir=tables, surrogate="exact-gp")
    task_dir = tmp_path / "soundmnist"
    write_release_tables(task_dir, synthetic_joint(configs[:30]))
    (task_dir / SURROGATES_DIR).mkdir()
    with pytest.raises(TableError, match="run mmnas surrogates fit"):
        Benchmark(mode="auto", tables_dir=tmp_path)
    source = tables / "soundmnist" / SURROGATES_DIR
    for path in source.iterdir():
        (task_dir / SURROGATES_DIR / path.name).write_bytes(path.read_bytes())
    with pytest.raises(VersionMismatchError, match="refit them with mmnas surrogates fit"):
        Benchmark(mode="surrogate", tables_dir=tmp_path)
    index = json.loads((task_dir / SURROGATES_DIR / "index.json").read_text())
    index["table_sha256"] = json.loads((task_dir / "manifest.json").read_text())["files"]["joint.parquet"]["sha256"]
    (task_dir / SURROGATES_DIR / "index.json").write_text(json.dumps(index))
    with pytest.raises(TableError, match="index.json: its content does not match its checksum"):  # edited by hand
        load_fitted(task_dir, "val_acc", "xgboost-quantile")
    (task_dir / SURROGATES_DIR / "index.json").write_text(json.dumps(with_checksum(index)))  # as a fit of this table writes it
    (task_dir / SURROGATES_DIR / "val_acc.xgboost-quantile.json").write_text("{}")
    with pytest.raises(TableError, match="does not match its sha256"):
        load_fitted(task_dir, "val_acc", "xgboost-quantile")



def test_surrogates_refuse_precisions_the_table_has_no_values_at(release):
    from dataclasses import replace

    from bench.errors import ConfigError
    from bench.space import PrecisionGenotype

    tables, configs = release  # every row of this table is fp32
    bench = Benchmark(device="lut:tx2", objectives=("acc", "lat"), mode="surrogate", tables_dir=tables)
    int8 = replace(sample_config(np.random.default_rng(5)), precision=PrecisionGenotype("fp32", "fp32", "int8"))
    with pytest.raises(ConfigError, match="fusion at int8"):
        bench.evaluate(int8)
    assert bench.evaluate(replace(int8, precision=PrecisionGenotype())).objectives["acc"] > 0
    with pytest.raises(ConfigError, match="ordinal row 0: the table has no val_acc of any config with fusion at int8"):
        bench.evaluate_encoded(encode_ordinal([int8]))


@pytest.mark.parametrize("noisy", [False, True])
def test_encoded_rows_are_answered_as_their_configs(release, noisy):
    tables, _ = release
    configs = [sample_config(np.random.default_rng(seed)) for seed in range(30)]
    settings = {"device": "lut:tx2", "objectives": ("acc", "lat", "energy"), "mode": "surrogate", "tables_dir": tables,
                "noisy": noisy, "seed": 3 if noisy else None}
    observations = Benchmark(**settings).evaluate_many(configs)
    arrays = Benchmark(**settings).evaluate_encoded(encode_ordinal(configs))
    for name in ("acc", "lat", "energy"):
        np.testing.assert_array_equal(arrays[name], [o.objectives[name] for o in observations], err_msg=name)
    np.testing.assert_array_equal(arrays["cost_seconds"], [o.cost_seconds for o in observations])


def test_encoded_rows_that_are_no_canonical_config_are_refused_by_row(release):
    from bench.errors import ConfigError
    from bench.space.encoding import ordinal_feature_names

    tables, _ = release
    bench = Benchmark(device="lut:tx2", mode="surrogate", tables_dir=tables)
    config = sample_config(np.random.default_rng(2))
    X = encode_ordinal([config, config])
    X[1, ordinal_feature_names().index("image.d")] = 5
    with pytest.raises(ConfigError, match="ordinal matrix row 1: depth outside the choices"):
        bench.evaluate_encoded(X)
    for bad in (np.nan, np.inf, 2.5):
        edited = encode_ordinal([config, config])
        edited[1, 0] = bad
        with pytest.raises(ConfigError, match="ordinal matrix row 1: values must be finite whole numbers"):
            bench.evaluate_encoded(edited)
    with pytest.raises(ConfigError, match=r"got shape \(2, 78\)"):
        bench.evaluate_encoded(X[:, :-1])
    with pytest.raises(ValueError, match="evaluate_encoded answers mode='surrogate'"):
        Benchmark(device="lut:tx2", tables_dir=tables).evaluate_encoded(X[:1])

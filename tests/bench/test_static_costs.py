"""Exact static costs off the table equal the sweep's own figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bench.columns import LUT_COLUMNS
from bench.space import PRECISIONS, parse_config, sample_config
from bench.space.features import SMALL_BATCH
from bench.sweep.jobs import JobContext
from bench.sweep.kinds import joint_static
from bench.tables.backbone_lookup import BackboneLookup
from bench.tables.export import static_columns
from bench.tables.manifest import TableError
from bench.tables.static_costs import COLUMNS, StaticCosts
from tests.helpers import COMMITTED


@pytest.fixture(scope="module")
def static() -> StaticCosts:
    return StaticCosts(COMMITTED, "soundmnist")


def test_every_committed_joint_row_is_reproduced(static):
    joint = pd.read_parquet(COMMITTED / "joint.parquet")
    totals = static.totals([parse_config(c) for c in joint["config_json"]])
    for column in COLUMNS:
        np.testing.assert_allclose(totals[column], joint[f"total_{column}"].to_numpy(float), rtol=1e-12, err_msg=column)


@pytest.mark.parametrize("seed", range(4))
def test_random_configs_of_every_precision_match_joint_static(static, seed):
    config = sample_config(np.random.default_rng(seed), precisions=PRECISIONS if seed > 0 else ("fp32",))
    row = static_columns("total_", joint_static({"config": config.to_dict(), "task": "soundmnist"}, JobContext())["total"])
    totals = static.totals([config])
    for column in COLUMNS:
        expected = row[f"total_{column}"]
        if expected is None or (isinstance(expected, float) and np.isnan(expected)):
            assert np.isnan(totals[column][0]), column
        else:
            assert totals[column][0] == pytest.approx(expected, rel=1e-12), column


def test_a_configs_totals_do_not_depend_on_what_was_priced_before():
    configs = [sample_config(np.random.default_rng(seed), precisions=PRECISIONS) for seed in range(300)]
    forward = StaticCosts(COMMITTED, "soundmnist").totals(configs)  # fusion parts met in one order
    backward = StaticCosts(COMMITTED, "soundmnist").totals(configs[::-1])  # and in another
    for column in COLUMNS:
        np.testing.assert_array_equal(forward[column], backward[column][::-1], err_msg=column)


def test_quantised_configs_have_no_lut_figures(static):
    rng = np.random.default_rng(7)
    config = next(c for c in (sample_config(rng, precisions=PRECISIONS) for _ in range(100)) if c.precision.fusion == "int8")
    fp32 = sample_config(rng)
    totals = static.totals([config, fp32])
    assert all(np.isnan(totals[c][0]) for c in LUT_COLUMNS)
    assert all(np.isfinite(totals[c][1]) for c in LUT_COLUMNS)  # in the same batch, after the quantised parts
    assert totals["bytes"][0] < 4 * totals["params"][0]


def test_without_the_luts_only_the_lut_columns_are_left_out(tmp_path):
    static = StaticCosts(COMMITTED, "soundmnist", lut_dir=tmp_path)
    assert static.columns == tuple(c for c in COLUMNS if c not in LUT_COLUMNS)
    assert "not found: set MMNAS_LUT_DIR" in static.missing


def test_batched_and_config_by_config_totals_agree(static):
    """Past SMALL_BATCH configs the totals are computed with numpy over the batch; below it config by config."""
    configs = [sample_config(np.random.default_rng(seed), precisions=PRECISIONS if seed % 2 else ("fp32",)) for seed in range(120)]
    assert len(configs) > SMALL_BATCH
    batched = static.totals(configs)
    alone = [static.totals([config]) for config in configs]
    for column in COLUMNS:
        np.testing.assert_array_equal(batched[column], [a[column][0] for a in alone], err_msg=column)


def test_a_backbone_missing_from_its_table_is_named():
    lookup = BackboneLookup(COMMITTED)
    codes, rows = lookup._codes["audio"]
    row = lookup.frames["audio"].iloc[int(rows[0])]
    active = np.arange(4) < int(row["d"])
    ks, e, d = np.array([list(row["ks"])]) * active, np.array([list(row["e"])]) * active, np.array([int(row["d"])])
    assert lookup.rows(ks, e, d, "audio").tolist() == [rows[0]]
    lookup._codes["audio"] = codes[1:], rows[1:]  # as an incomplete table would hold them
    with pytest.raises(TableError, match="audio backbone table has no row for ks="):
        lookup.rows(ks, e, d, "audio")

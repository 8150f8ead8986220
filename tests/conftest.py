"""Shared fixtures: the real data directory, the soundmnist arrays, and a small synthetic release."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import synthetic_joint, write_release_tables

# The latency the tests measure checks the code, not the host: they may measure on a busy machine (the refusal itself is
# tested with a patched load average in tests/bench/test_hardware.py).
os.environ.setdefault("MMNAS_MAX_MEASURE_LOAD", "1e9")


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The raw data folder from ``MMNAS_DATA``; skipped locally without it, an error under CI."""
    value = os.environ.get("MMNAS_DATA")
    if not value:
        if os.environ.get("CI"):
            pytest.fail("MMNAS_DATA must be set in CI (the data tests may not be skipped)")
        pytest.skip("set MMNAS_DATA to the data folder to run the data tests")
    return Path(value)


@pytest.fixture(scope="session")
def soundmnist_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary array cache shared by the session."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def soundmnist(data_dir: Path, soundmnist_cache: Path):
    """The soundmnist arrays, built once per test session into the temporary cache."""
    from bench.tasks import load_task

    return load_task("soundmnist", data_dir=data_dir, cache_dir=soundmnist_cache)

PROBLEM = "soundmnist/lut:tx2/acc-lat-energy"


@pytest.fixture(scope="session")
def release(tmp_path_factory):
    """``tables`` dir of 60 synthetic rows, with fitted surrogates and problems.json."""
    from bench.leaderboard.reference import add_full_fronts
    from bench.problems import write_problems
    from bench.space import sample_config
    from surrogates import XGBoostQuantile
    from surrogates.fitted import fit_release

    rng = np.random.default_rng(0)
    joint = synthetic_joint([sample_config(rng) for _ in range(60)])
    tables = tmp_path_factory.mktemp("tables")
    task_dir = tables / "soundmnist"
    write_release_tables(task_dir, joint)
    fit_release(task_dir, joint, {"xgboost-quantile": lambda: XGBoostQuantile(n_estimators=30)})
    write_problems(task_dir, joint, "soundmnist")
    add_full_fronts(task_dir, n_random=300, nsga2_runs=1, nsga2_evaluations=200)
    return tables

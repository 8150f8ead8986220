"""Shared fixtures: the real data directory and the shipped examples."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


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
    from bench.data import load_task

    return load_task("soundmnist", data_dir=data_dir, cache_dir=soundmnist_cache)

"""Pytest fixtures for other projects' tests (a pytest plugin, loaded through the ``pytest11`` entry point).

Fixtures (session-scoped, tables found as :mod:`bench.locations` says):

* ``mmnas_benchmark``: a table-mode :class:`~bench.benchmark.Benchmark` of soundmnist on
  ``lut:tx2`` answering accuracy, latency and energy (exact, no torch, no surrogates).
* ``mmnas_known_configs``: the shipped Harmonic-NAS configs by name, all rows of that table.

The README's section "Querying the tables" shows a test using both.
"""

from __future__ import annotations

import pytest

from bench.benchmark import Benchmark
from bench.examples import example_names, load_example
from bench.space import Config

TASK, DEVICE = "soundmnist", "lut:tx2"


def known_configs() -> dict[str, Config]:
    """The shipped example configs of the fixture's task, by name."""
    return {name: config for name in example_names() if (config := load_example(name)).task == TASK}


@pytest.fixture(scope="session")
def mmnas_benchmark() -> Benchmark:
    """Table-mode benchmark of soundmnist on lut:tx2 (objectives acc, lat, energy)."""
    return Benchmark(TASK, DEVICE, ("acc", "lat", "energy"), mode="table")


@pytest.fixture(scope="session")
def mmnas_known_configs() -> dict[str, Config]:
    """The Harmonic-NAS example configs, by name; every one is a row of the table."""
    return known_configs()

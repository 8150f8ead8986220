"""A task added from outside the package: one Task and one register_task call, no library file edited.

The toy task has synthetic arrays (the shapes of the shipped tasks, so every device
prices it) and randomly initialised supernets; the test validates its configs, prices
one on every static device, runs a two-config joint sweep on it, exports the tables and
queries them.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import bench.tasks
from bench.benchmark import Benchmark
from bench.data import SplitArrays, TaskData
from bench.devices import get_device
from bench.errors import ConfigError
from bench.examples import load_example
from bench.space import parse_config, sample_config
from bench.sweep import InProcessExecutor, JobContext
from bench.sweep.driver import run_plan
from bench.sweep.store import ResultStore
from bench.tables import load_table
from bench.tables.export import export_tables
from bench.tasks import Task, get_task, register_task
from tests.helpers import COMMITTED

TOY = "toy-digits"
SIZES = {"train": 64, "val": 32, "test": 32}


def _split(rng: np.random.Generator, n: int) -> SplitArrays:
    label = np.arange(n) % 10
    image = rng.normal(size=(n, 1, 28, 28)) + label[:, None, None, None] / 5
    audio = rng.normal(size=(n, 1, 20, 20)) - label[:, None, None, None] / 5
    return SplitArrays(image=image.astype(np.float32), audio=audio.astype(np.float32), label=label.astype(np.int64))


def _build(data_dir: Path, cache_dir: Path) -> TaskData:
    rng = np.random.default_rng(0)
    return TaskData(name=TOY, key="toy", **{split: _split(rng, n) for split, n in SIZES.items()})


@pytest.fixture(scope="module")
def toy(request) -> Task:
    task = register_task(Task(TOY, build=_build, verify=lambda data_dir: {}, protocol={"version": 1, "sizes": SIZES}))
    request.addfinalizer(lambda: bench.tasks._TASKS.pop(TOY))
    return task


def test_the_toy_task_is_registered_and_its_configs_validate(toy):
    assert get_task(TOY) is toy and toy.modalities == ("image", "audio")
    config = sample_config(np.random.default_rng(0), TOY)
    assert parse_config(config.to_json()) == config and config.task == TOY
    with pytest.raises(ConfigError, match="config.task"):
        parse_config({**config.to_dict(), "task": "toy-unknown"})


def test_every_static_device_prices_a_toy_config(toy):
    config = sample_config(np.random.default_rng(1), TOY)
    twin = parse_config({**config.to_dict(), "task": "soundmnist"})  # the same architecture on the same input shapes
    for device in ("lut:tx2", "lut:agx", "model:horowitz45"):
        cost, reference = get_device(device, task=TOY).cost(config), get_device(device).cost(twin)
        assert cost.total.energy_mj > 0 and cost.to_dict() == reference.to_dict()


def test_a_two_config_sweep_on_the_toy_task_exports_queryable_tables(toy, tmp_path):
    import torch

    from bench.models import ElasticBackbone

    supernets = tmp_path / "tables" / TOY / "supernets"
    supernets.mkdir(parents=True)
    for modality in toy.modalities:  # untrained supernets: the test checks the plumbing, not the accuracy
        torch.manual_seed(0)
        torch.save({"model": ElasticBackbone().state_dict()}, supernets / f"{modality}.pt")
    shared = tmp_path / "tables" / "soundmnist" / "results"  # the committed latencies of tasks with the same input shapes
    shared.mkdir(parents=True)
    shutil.copy(COMMITTED / "results" / "latency.jsonl", shared / "latency.jsonl")
    context = JobContext(data_dir=str(tmp_path), cache_dir=str(tmp_path / "cache"), tables_dir=str(tmp_path / "tables"))
    summary = run_plan("joint", TOY, tmp_path / "sweep.db", InProcessExecutor(), context, limit=2)
    assert (summary.n_finished, summary.n_failed) == (4, 0)  # static costs + training of 2 configs
    store = ResultStore(tmp_path / "sweep.db")
    try:
        counts = export_tables(store, TOY, tmp_path / "tables")
    finally:
        store.close()
    assert counts["joint"] == 2
    manifest = json.loads((tmp_path / "tables" / TOY / "manifest.json").read_text())
    assert manifest["task"] == TOY and manifest["protocol"]["data"]["sizes"] == SIZES
    table = Benchmark(TOY, "lut:tx2", ("acc", "lat", "energy"), tables_dir=tmp_path / "tables")
    rows = json.loads((tmp_path / "tables" / TOY / "results" / "joint_train.jsonl").read_text().splitlines()[0])
    observation = table.evaluate(rows["params"]["config"])
    assert 0 <= observation.objectives["acc"] <= 100 and observation.objectives["lat"] > 0
    # the same architecture timed for soundmnist is this task's measured latency
    config = load_example("harmonic_avmnist_1")
    mine = load_table(tmp_path / "tables" / TOY, "joint").set_index("config_id")
    theirs = load_table(COMMITTED, "joint").set_index("config_id")
    column = "measured_amd_epyc_2cpu_latency_ms"
    assert mine.at[replace(config, task=TOY).id, column] == theirs.at[config.id, column]
    assert manifest["protocol"]["measured_latency_of"] == ["soundmnist"]

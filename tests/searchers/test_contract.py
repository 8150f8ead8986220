"""One contract for every registered searcher."""

from __future__ import annotations

import dataclasses
from importlib import metadata

import pytest

from bench.benchmark import Observation
from bench.errors import UnknownNameError
from bench.problems import Problem
from bench.space import PrecisionGenotype, encode_ordinal, parse_config
from searchers import SEARCHERS, Searcher, get_searcher
from searchers.adapters import ADAPTER_SEARCHERS

EVERY_SEARCHER = sorted(SEARCHERS) + sorted(ADAPTER_SEARCHERS)
PROBLEM = Problem(
    name="toy/acc-lat", task="soundmnist", device="lut:tx2", objectives=("acc", "lat"), directions=("max", "min"),
    bounds=((90.0, 100.0), (0.0, 200.0)), ref_point=(1.1, 1.1), table_front=(), epochs=4,
)


def _observe(config) -> Observation:
    x = encode_ordinal(config)
    acc = 90.0 + x[:9].sum() / 10.0  # bigger backbones are more accurate...
    lat = float(x[:18].sum())  # ...and slower
    return Observation(config.id, {"acc": acc, "lat": lat}, 1.0, {}, False)


def _screen(modality, backbones) -> list[Observation]:
    """Toy single-modality answers: bigger backbones are more accurate and slower, as in :func:`_observe`."""
    sizes = [sum(b.ks[: b.d]) + sum(b.e[: b.d]) for b in backbones]
    return [Observation(b.id, {"acc": 80.0 + n / 10.0, "lat": float(n)}, 0.5, {}, True) for b, n in zip(backbones, sizes)]


def _probe(configs, epoch) -> list[Observation]:
    """Toy answers after ``epoch`` of 4 epochs: the full answer's accuracy less a gap that closes with training."""
    out = []
    for config in configs:
        full = _observe(config)
        out.append(Observation(config.id, {**full.objectives, "acc": full.objectives["acc"] - 2.0 * (4 - epoch)}, float(epoch), {}, False))
    return out


def _set_up(searcher: Searcher, problem: Problem, seed: int) -> None:
    searcher.setup(problem, seed)
    searcher.connect_run_loop(_screen, _probe)


def _trajectory(name: str, seed: int, rounds: int = 4, batch: int = 5) -> list[str]:
    searcher = get_searcher(name)()
    _set_up(searcher, PROBLEM, seed)
    ids = []
    for _ in range(rounds):
        configs = searcher.ask(batch)
        assert 1 <= len(configs) <= batch and all(parse_config(c.to_dict()) == c for c in configs)
        searcher.tell(configs, [_observe(c) for c in configs])
        ids += [c.id for c in configs]
    return ids


@pytest.mark.parametrize("name", EVERY_SEARCHER)
def test_same_seed_same_trajectory(name):
    assert _trajectory(name, 1) == _trajectory(name, 1)
    assert _trajectory(name, 1) != _trajectory(name, 2)


@pytest.mark.parametrize("name", ["qlognehvi", "qlogehvi", "qlognparego"])
def test_bo_hyperparameter_fits_do_not_depend_on_torchs_global_generator(name, monkeypatch):
    import botorch.fit
    import torch

    real_fit, draws = botorch.fit.fit_gpytorch_mll, []

    def fit(*args, **kwargs):  # a retried fit draws its restarts from torch's global generator
        draws.append(float(torch.rand(1)))
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(botorch.fit, "fit_gpytorch_mll", fit)
    runs = []
    for global_seed in (0, 1):
        torch.manual_seed(global_seed)
        draws.clear()
        runs.append((_trajectory(name, 1, rounds=3), list(draws)))
    assert runs[0] == runs[1] and runs[0][1]


@pytest.mark.parametrize("name", ["random", "nsga2", "two-tier"])
@pytest.mark.parametrize("precisions", [("fp32", "int8", "int4"), ("fp32", "int8")])
def test_precision_problems_search_the_precision_tier(name, precisions):
    problem = dataclasses.replace(PROBLEM, objectives=("acc", "bytes"), bounds=((90.0, 100.0), (0.0, 1e7)), precisions=precisions)
    searcher = get_searcher(name)()
    _set_up(searcher, problem, 0)
    proposed = []
    for _ in range(4):
        configs = searcher.ask(10)
        searcher.tell(configs, [Observation(c.id, {"acc": _observe(c).objectives["acc"], "bytes": 1e6}, 1.0, {}, False) for c in configs])
        proposed += configs
    used = {p for c in proposed for p in c.precision.to_dict().values()}
    assert used == set(precisions)  # every allowed precision, and no other (no int4 where a device has no int4 kernel)
    assert all(c.precision == PrecisionGenotype() for c in _configs_of(name, PROBLEM))


def _configs_of(name: str, problem) -> list:
    searcher = get_searcher(name)()
    _set_up(searcher, problem, 0)
    configs = searcher.ask(20)
    searcher.tell(configs, [_observe(c) for c in configs])
    return configs + searcher.ask(20)


@pytest.mark.parametrize("name", EVERY_SEARCHER)
def test_recommend_is_the_non_dominated_set_of_what_was_told(name):
    searcher = get_searcher(name)()
    _set_up(searcher, PROBLEM, 0)
    configs = searcher.ask(30)
    observations = [_observe(c) for c in configs]
    searcher.tell(configs, observations)
    values = {c.id: (-o.objectives["acc"], o.objectives["lat"]) for c, o in zip(configs, observations)}

    def dominated(v):
        return any(w[0] <= v[0] and w[1] <= v[1] and w != v for w in values.values())

    recommended = [values[c.id] for c in searcher.recommend()]
    assert recommended and not any(dominated(v) for v in recommended)
    assert {v for v in values.values() if not dominated(v)} == set(recommended)  # equal vectors kept once
    assert len(recommended) == len(set(recommended))


@pytest.mark.parametrize("name", EVERY_SEARCHER)
def test_tell_checks_its_input(name):
    searcher = get_searcher(name)()
    _set_up(searcher, PROBLEM, 0)
    configs = searcher.ask(2)
    with pytest.raises(ValueError, match="2 configs but 1 observations"):
        searcher.tell(configs, [_observe(configs[0])])
    partial = Observation("x", {"acc": 99.0}, 1.0, {}, False)
    with pytest.raises(ValueError, match=r"lack objective\(s\) \['lat'\]"):
        searcher.tell(configs[:1], [partial])


class MySearcher(Searcher):
    """A user's searcher: always the same config."""

    name = "mine"

    def ask(self, n):
        config = parse_config(_example())
        return [config] * n


def _example():
    from bench.examples import load_example

    return load_example("harmonic_avmnist_1").to_dict()


def test_entry_point_plugins_and_unknown_names(monkeypatch):
    fake = metadata.EntryPoint(name="mine", value=f"{__name__}:MySearcher", group="mmnas.searchers")
    monkeypatch.setattr(metadata, "entry_points", lambda group=None: [fake] if group == "mmnas.searchers" else [])
    assert get_searcher("mine") is MySearcher
    assert get_searcher("random") is SEARCHERS["random"]
    with pytest.raises(UnknownNameError, match=r"unknown searcher 'nope', expected one of \['harmonic-nas', 'moasha', 'nsga2', 'qlogehvi', 'qlognehvi', 'qlognparego', 'random', 'stopping-random', 'two-tier', 'optuna:nsga2', 'optuna:tpe', 'pymoo:moead', 'pymoo:nsga2', 'pymoo:nsga3', "
                                                    r"'pymoo:smsemoa', 'mine'\] or module:Class"):
        get_searcher("nope")


def test_qlognehvi_builds_its_acquisition_with_the_partitioning_alpha_it_was_given(monkeypatch):
    import botorch.acquisition.multi_objective.logei as logei

    from searchers import QLogNEHVI

    real, given = logei.qLogNoisyExpectedHypervolumeImprovement, []

    def acquisition(*args, **kwargs):
        given.append(kwargs["alpha"])
        return real(*args, **kwargs)

    monkeypatch.setattr(logei, "qLogNoisyExpectedHypervolumeImprovement", acquisition)
    for alpha in (0.0, 1e-3):
        searcher = QLogNEHVI(partitioning_alpha=alpha)
        _set_up(searcher, PROBLEM, 0)
        for _ in range(2):
            configs = searcher.ask(2)
            searcher.tell(configs, [_observe(c) for c in configs])
    assert given == [0.0, 1e-3]


def test_qlogehvi_partitions_the_observed_front_in_the_models_negated_space(monkeypatch):
    import botorch.utils.multi_objective.box_decompositions.non_dominated as non_dominated
    import numpy as np

    from searchers import QLogEHVI

    real, partitioned = non_dominated.FastNondominatedPartitioning, []

    def partitioning(ref_point, Y):
        partitioned.append((ref_point.tolist(), Y.numpy().copy()))
        return real(ref_point=ref_point, Y=Y)

    monkeypatch.setattr(non_dominated, "FastNondominatedPartitioning", partitioning)
    searcher = QLogEHVI()
    _set_up(searcher, PROBLEM, 0)
    for _ in range(3):
        configs = searcher.ask(2)
        searcher.tell(configs, [_observe(c) for c in configs])
    assert len(partitioned) == 2  # one per model-based ask: the first samples
    ref_point, observed = partitioned[-1]
    assert ref_point == [-1.1, -1.1]
    np.testing.assert_array_equal(observed, -np.asarray(searcher.told_values())[:4])

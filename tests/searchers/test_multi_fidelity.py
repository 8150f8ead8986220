"""Multi-fidelity searchers on the avmnist learning curves: probes charged as resumed training, rungs, promotions."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from bench.benchmark import Benchmark
from bench.optimize import MaxEvaluations, MaxSimulatedSeconds, minimize
from bench.problems import load_problem
from searchers import MOASHA, NSGA2, EarlyStoppingRandom
from searchers.multi_fidelity import rung_epochs

PROBLEM = "avmnist/lut:tx2/acc-lat-energy@table"


def test_rungs_halve_up_to_the_last_recorded_epoch():
    assert rung_epochs(8, 2, 1) == [1, 2, 4, 8] and rung_epochs(8, 3, 1) == [1, 3, 8] and rung_epochs(8, 2, 3) == [3, 6, 8]


@pytest.mark.parametrize("searcher", [MOASHA, EarlyStoppingRandom])
def test_probes_are_charged_as_resumed_training_and_only_full_evaluations_count(searcher):
    problem = load_problem(PROBLEM)
    result = minimize(problem, searcher(), [MaxEvaluations(30), MaxSimulatedSeconds(800.0)], seed=1, searcher_cost="none")
    assert problem.epochs == 8 and result.probes and len(result.records) <= 30
    assert {p["probe"] for p in result.probes} <= {1, 2, 4}
    events = sorted(result.probes + result.records, key=lambda r: r["sim_seconds"])
    charges = [e["cost_seconds"] for e in events]
    assert min(charges) >= 0 and result.sim_seconds == pytest.approx(sum(charges))
    bench = problem.benchmark()
    seconds = {epoch: bench.at_fidelity(epoch) for epoch in (1, 2, 4)}
    paid: dict[str, float] = defaultdict(float)
    for probe in result.probes:  # each probe charged the training since the config's last rung
        cost = seconds[probe["probe"]].evaluate(probe["config"]).cost_seconds
        assert probe["cost_seconds"] == pytest.approx(max(cost - paid[probe["config_id"]], 0.0))
        paid[probe["config_id"]] = max(paid[probe["config_id"]], cost)
    for record in result.records[10:]:  # a promoted config's full evaluation: only the rest of its training
        full = bench.evaluate(record["config"]).cost_seconds
        assert record["cost_seconds"] == pytest.approx(max(full - paid[record["config_id"]], 0.0))


def test_moasha_promotes_rung_by_rung_and_halves():
    result = minimize(load_problem(PROBLEM), MOASHA(), [MaxEvaluations(40), MaxSimulatedSeconds(1500.0)], seed=0, searcher_cost="none")
    at = defaultdict(set)
    for probe in result.probes:
        at[probe["probe"]].add(probe["config_id"])
    promoted = {r["config_id"] for r in result.records[10:]}
    assert at[2] <= at[1] and at[4] <= at[2] and promoted <= at[4]  # asynchronous promotion can pass more than 1 / eta in all
    assert len(promoted) < len(at[4]) < len(at[2]) < len(at[1])


def test_a_rungs_top_is_its_best_half_by_rank_and_crowding():
    searcher = MOASHA()
    searcher.setup(load_problem(PROBLEM), 0)
    searcher._at_rung[0] = {name: np.array(v, dtype=float) for name, v in {"a": [3, 3], "b": [0, 0], "c": [2, 2], "d": [1, 1], "e": [-1, 5]}.items()}
    assert searcher._top(0) == ["b", "e"]  # the first front (b, e) before d; 5 // 2 = 2 promotable


def test_early_stopping_never_resumes_a_stopped_config():
    result = minimize(load_problem(PROBLEM), EarlyStoppingRandom(), [MaxEvaluations(40), MaxSimulatedSeconds(1500.0)], seed=0,
                      searcher_cost="none")
    trail = defaultdict(list)
    for probe in result.probes:
        trail[probe["config_id"]].append(probe["probe"])
    assert all(epochs == [1, 2, 4][: len(epochs)] for epochs in trail.values())  # one rung after the other, never back
    positions = {p["config_id"]: i for i, p in enumerate(result.probes)}
    first = {c: min(i for i, p in enumerate(result.probes) if p["config_id"] == c) for c in trail}
    for config, epochs in trail.items():  # its rungs come in one stretch: nothing else trained between them
        assert positions[config] - first[config] == len(epochs) - 1


def test_multi_fidelity_searchers_need_learning_curves():
    from bench.problems import Problem

    flat = Problem(name="toy/acc-lat", task="soundmnist", device="lut:tx2", objectives=("acc", "lat"), directions=("max", "min"),
                   bounds=((0.0, 1.0), (0.0, 1.0)), ref_point=(1.1, 1.1), table_front=())
    with pytest.raises(ValueError, match="moasha needs a problem with learning curves"):
        MOASHA().setup(flat, 0)
    searcher = NSGA2()
    searcher.setup(load_problem(PROBLEM), 0)
    with pytest.raises(RuntimeError, match="answered by the run loop"):
        searcher.probe(list(load_problem(PROBLEM).pool[:1]), 2)


def test_a_benchmark_at_a_fidelity_is_the_benchmark_built_at_it():
    bench = Benchmark("avmnist")
    config = load_problem(PROBLEM).pool[0]
    assert bench.at_fidelity(3) is bench.at_fidelity(3)
    assert bench.at_fidelity(3).evaluate(config) == Benchmark("avmnist", fidelity=3).evaluate(config)
    assert np.isfinite(bench.at_fidelity(1).evaluate(config).cost_seconds)


def test_a_leaderboard_refuses_a_multi_fidelity_searcher_on_a_problem_without_curves_before_any_run(release, tmp_path):
    from bench.leaderboard.board import run_leaderboard

    with pytest.raises(ValueError, match="stopping-random needs a problem with learning curves"):
        run_leaderboard(tmp_path / "board", problems=["soundmnist/lut:tx2/acc-lat-energy@table"], searchers=["random", "stopping-random"],
                        seeds=1, budget=12, n_init=5, workers=1, tables_dir=str(release))
    assert not (tmp_path / "board" / "logs").exists()

"""The public run loop: terminations, charging, the README example."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

from bench.optimize import MaxEvaluations, MaxSimulatedSeconds, initial_design, minimize
from bench.problems import load_problem
from searchers import NSGA2, RandomSearcher
from tests.conftest import PROBLEM

REPO = Path(__file__).resolve().parents[2]


def test_an_evaluation_budget_is_never_exceeded_and_starts_from_the_shared_design(release):
    problem = load_problem(f"{PROBLEM}@table", release)
    batches = []
    result = minimize(problem, NSGA2(population_size=8), MaxEvaluations(21), seed=3, n_init=5, batch=8, tables_dir=release,
                      callback=batches.append)
    assert [len(b) for b in batches] == [5, 8, 8]  # the last batch capped by the budget
    assert [r["config_id"] for r in result.records[:5]] == [c.id for c in initial_design(problem, 3, 5)]
    assert [r["n"] for r in result.records] == list(range(1, 22))
    seconds = [r["sim_seconds"] for r in result.records]
    assert seconds == sorted(seconds) and result.sim_seconds == seconds[-1]
    assert all(c.id in {r["config_id"] for r in result.records} for c in result.front())


def test_a_seconds_budget_stops_after_the_batch_that_crosses_it(release):
    problem = load_problem(f"{PROBLEM}@table", release)
    result = minimize(problem, RandomSearcher(), [MaxEvaluations(50), MaxSimulatedSeconds(40.0)], n_init=2, tables_dir=release)
    seconds = [r["sim_seconds"] for r in result.records]
    assert seconds[-1] >= 40.0 and all(s < 40.0 for s in seconds[:-1])


def test_without_an_initial_design_the_searcher_starts(release):
    problem = load_problem(f"{PROBLEM}@full", release)
    result = minimize(problem, NSGA2(population_size=10), MaxEvaluations(20), n_init=0, batch=10, tables_dir=release)
    assert len(result.records) == 20 and not any(r["from_table"] for r in result.records)


@pytest.mark.parametrize("make", [lambda: MaxEvaluations(0), lambda: MaxEvaluations(2.5), lambda: MaxSimulatedSeconds(-1),
                                  lambda: MaxSimulatedSeconds(float("inf"))])
def test_bad_terminations_are_refused(make):
    with pytest.raises(ValueError, match="Max"):
        make()


def test_readme_minimize_example_runs_on_the_committed_tables(monkeypatch):
    match = re.search(r"<!-- minimize-example -->\n```python\n(.*?)```", (REPO / "README.md").read_text(), re.S)
    assert match, "README lost its minimize example"
    monkeypatch.chdir(REPO)
    namespace: dict = {}
    exec(match.group(1), namespace)
    assert len(namespace["result"].records) <= 100 and namespace["result"].front()
    assert os.path.isdir("tables")


def test_without_searcher_time_the_simulated_seconds_are_the_recorded_costs_alone(release):
    problem = load_problem(f"{PROBLEM}@table", release)
    runs = [minimize(problem, NSGA2(population_size=8), MaxSimulatedSeconds(150.0), seed=2, n_init=5, tables_dir=release,
                     searcher_cost="none") for _ in range(2)]
    costs = np.cumsum([r["cost_seconds"] for r in runs[0].records])
    assert [r["sim_seconds"] for r in runs[0].records] == pytest.approx(costs.tolist(), rel=1e-12)
    assert [r["config_id"] for r in runs[0].records] == [r["config_id"] for r in runs[1].records]  # the same stop every time


class _CostlyRandom(RandomSearcher):
    """Random search whose proposals cost 1 + n_observed / 10 seconds by its cost model."""

    def modelled_seconds(self, n_observed: int) -> float:
        return 1.0 + n_observed / 10


def test_a_modelled_searcher_cost_is_charged_per_proposal_and_never_for_the_initial_design(release):
    problem = load_problem(f"{PROBLEM}@table", release)
    result = minimize(problem, _CostlyRandom(), MaxEvaluations(12), seed=0, n_init=5, batch=3, tables_dir=release,
                      searcher_cost="modelled")
    charged = [0.0] * 5 + [1.5] * 3 + [1.8] * 3 + [2.1]  # batches proposed after 5, 8 and 11 observations
    expected = np.cumsum([r["cost_seconds"] for r in result.records]) + np.cumsum(charged)
    assert [r["sim_seconds"] for r in result.records] == pytest.approx(expected.tolist(), rel=1e-12)


def test_bo_cost_model_follows_its_measured_timings_and_a_searcher_without_one_is_refused(release):
    from searchers import QLogEHVI, QLogNEHVI, QLogNParEGO

    timings = Path(__file__).resolve().parents[2] / "tables" / "soundmnist" / "bo_timings.md"
    measured = {}  # (set-up, observations) -> median iteration seconds of the committed report
    for line in timings.read_text().splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 9 and cells[2].endswith("+- 10"):
            measured[cells[0], int(cells[2].split()[0])] = float(cells[5])
    for label, bo in (("fast (this package)", QLogNEHVI()), ("qlogehvi (observed front)", QLogEHVI())):
        points = {n: seconds for (setup, n), seconds in measured.items() if setup == label}
        assert sorted(points) == [100, 200, 400]
        assert all(bo.modelled_seconds(n) == pytest.approx(seconds, rel=0.3) for n, seconds in points.items())
    with pytest.raises(ValueError, match="qlognparego has no measured cost model"):
        minimize(load_problem(f"{PROBLEM}@table", release), QLogNParEGO(), MaxEvaluations(12), tables_dir=release,
                 searcher_cost="modelled")
    with pytest.raises(ValueError, match="searcher_cost 'free' is not one of measured, modelled, none"):
        minimize(load_problem(f"{PROBLEM}@table", release), NSGA2(), MaxEvaluations(12), tables_dir=release, searcher_cost="free")


def test_a_seconds_budget_leaderboard_reports_at_shares_of_the_budget(release, tmp_path):
    from bench.leaderboard.board import run_leaderboard

    report = run_leaderboard(tmp_path / "board", problems=[f"{PROBLEM}@table"], searchers=["random", "harmonic-nas"], seeds=2,
                             budget=40, n_init=5, workers=1, tables_dir=str(release), budget_seconds=200.0)
    text = report.read_text()
    assert "budget 200 simulated seconds, at most 40 evaluations" in text and "searcher's own time not charged" in text
    assert re.search(r"\| 25 s \(\d+ evals\) \| random \|", text) and re.search(r"\| 200 s \(\d+ evals\) \| harmonic-nas \|", text)

"""Runs of searchers on problems: reproducible, logged, charged; the leaderboard end to end."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from bench.leaderboard.board import run_leaderboard
from bench.leaderboard.runner import RunSpec, read_log, run_one
from bench.optimize import initial_design
from bench.problems import load_problem
from tests.conftest import PROBLEM


@pytest.mark.parametrize("variant", ["table", "full"])
@pytest.mark.parametrize("searcher", ["random", "nsga2", "two-tier", "qlognparego"])
def test_same_seed_gives_the_same_trajectory(release, tmp_path, searcher, variant):
    spec = RunSpec(f"{PROBLEM}@{variant}", searcher, seed=3, budget=16, n_init=6)
    first = [r["config_id"] for r in read_log(run_one(spec, str(release), str(tmp_path / "a")))[1]]
    again = [r["config_id"] for r in read_log(run_one(spec, str(release), str(tmp_path / "b")))[1]]
    assert first == again and len(first) == 16 and len(set(first)) == 16  # no config evaluated twice
    other = read_log(run_one(RunSpec(spec.problem, searcher, 4, 16, 6), str(release), str(tmp_path / "c")))[1]
    assert [r["config_id"] for r in other] != first


def test_table_runs_stay_in_the_pool_and_share_the_initial_design(release, tmp_path):
    problem = load_problem(f"{PROBLEM}@table", release)
    pool = {c.id for c in problem.pool}
    design = [c.id for c in initial_design(problem, 0, 5)]
    for searcher in ("random", "nsga2", "two-tier"):
        spec, records = read_log(run_one(RunSpec(problem.label, searcher, 0, 20, 5), str(release), str(tmp_path)))
        assert [r["config_id"] for r in records[:5]] == design
        assert {r["config_id"] for r in records} <= pool
        assert all(r["from_table"] for r in records)


def test_full_space_initial_design_draws_the_problems_precisions(release):
    problem = load_problem(f"{PROBLEM}@full", release)
    assert all(c.precision.all_fp32 for c in initial_design(problem, 0, 20))
    mixed = initial_design(replace(problem, precisions=("fp32", "int8")), 0, 20)
    assert {p for c in mixed for p in c.precision.to_dict().values()} == {"fp32", "int8"}


def test_pool_exhaustion_ends_the_run_early(release, tmp_path):
    spec = RunSpec(f"{PROBLEM}@table", "random", seed=0, budget=500, n_init=5)
    _, records = read_log(run_one(spec, str(release), str(tmp_path)))
    assert len(records) == 60


def test_every_evaluation_is_charged(release, tmp_path):
    _, records = read_log(run_one(RunSpec(f"{PROBLEM}@table", "nsga2", 0, 12, 4), str(release), str(tmp_path)))
    total = 0.0
    for record in records:
        assert record["cost_seconds"] > 0 and record["searcher_seconds"] >= 0
        total += record["cost_seconds"] + record["searcher_seconds"]
        assert record["sim_seconds"] == pytest.approx(total)


def test_simulated_seconds_budget_stops_the_run(release, tmp_path):
    spec = RunSpec(f"{PROBLEM}@table", "random", seed=0, budget=50, n_init=5, budget_seconds=100.0)
    _, records = read_log(run_one(spec, str(release), str(tmp_path)))
    assert records[-1]["sim_seconds"] >= 100.0 > records[-2]["sim_seconds"] and len(records) < 50


def test_leaderboard_writes_its_report(release, tmp_path):
    report = run_leaderboard(
        tmp_path, problems=[f"{PROBLEM}@table", f"{PROBLEM}@full"], searchers=["random", "nsga2"], seeds=3, budget=15,
        n_init=5, workers=1, tables_dir=str(release),
    )
    text = report.read_text()
    assert f"## {PROBLEM}@table" in text and f"## {PROBLEM}@full" in text and "| 15 | nsga2 |" in text
    for name in ("summary.csv", "scores.csv", "evaluations_to_targets.csv"):
        assert (tmp_path / name).stat().st_size > 0
    assert len(list(tmp_path.glob("*.png"))) == 4
    assert len(list((tmp_path / "logs").glob("*.jsonl"))) == 12
    assert json.loads((tmp_path / "logs").glob("*.jsonl").__next__().read_text().splitlines()[0])["spec"]["budget"] == 15

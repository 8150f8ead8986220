"""Optimisers of pymoo, Optuna and ConfigSpace run end to end on the benchmark through the adapters."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from bench.errors import MissingExtraError
from bench.optimize import MaxEvaluations, minimize
from bench.problems import load_problem
from bench.space import PRECISIONS, parse_config, sample_config
from searchers import get_searcher, searcher_label
from searchers.adapters import ADAPTER_SEARCHERS
from tests.conftest import PROBLEM

REPO = Path(__file__).resolve().parents[2]


def _readme_example(tag: str) -> str:
    match = re.search(rf"<!-- {tag} -->\n```python\n(.*?)```", (REPO / "README.md").read_text(), re.S)
    assert match, f"README lost its {tag}"
    return match.group(1)


@pytest.mark.parametrize("tag", ["pymoo-example", "optuna-example", "configspace-example"])
def test_readme_adapter_examples_run_on_the_committed_tables(tag, monkeypatch):
    monkeypatch.chdir(REPO)
    namespace: dict = {}
    exec(_readme_example(tag), namespace)
    configs = namespace["front"]
    assert configs and all(parse_config(c.to_dict()) == c for c in configs)
    if tag != "configspace-example":  # answered on a table problem: every config is a table row
        pool = {c.id for c in namespace["problem"].pool}
        assert {c.id for c in configs} <= pool


@pytest.mark.parametrize("name", ["nsga2", "nsga3", "smsemoa", "moead"])
def test_pymoo_algorithms_run_on_a_table_problem(name, release):
    from pymoo.optimize import minimize as pymoo_minimize

    from searchers.adapters.pymoo_adapter import PymooProblem, algorithm

    problem = PymooProblem(load_problem(f"{PROBLEM}@table", release), tables_dir=release)
    result = pymoo_minimize(problem, algorithm(name, problem, population_size=10), ("n_eval", 40), seed=0)
    assert problem.objective.n_evaluations >= 40 and np.isfinite(result.F).all()
    pool = {c.id for c in problem.source.pool}
    assert {c.id for c in problem.objective.configs(np.atleast_2d(result.X).astype(int))} <= pool


def test_an_unknown_pymoo_algorithm_is_refused(release):
    from searchers.adapters.pymoo_adapter import PymooProblem, algorithm

    with pytest.raises(ValueError, match="unknown pymoo algorithm 'nsga4'"):
        algorithm("nsga4", PymooProblem(load_problem(f"{PROBLEM}@table", release), tables_dir=release))


@pytest.mark.parametrize("sampler", ["tpe", "nsga2"])
def test_optuna_samplers_run_on_a_table_problem(sampler, release):
    import optuna

    from searchers.adapters.optuna_adapter import objective, study_directions

    problem = load_problem(f"{PROBLEM}@table", release)
    make = {"tpe": optuna.samplers.TPESampler, "nsga2": lambda seed: optuna.samplers.NSGAIISampler(population_size=10, seed=seed)}[sampler]
    study = optuna.create_study(directions=study_directions(problem), sampler=make(seed=0))
    study.optimize(objective(problem, tables_dir=release), n_trials=25)
    assert len(study.trials) == 25 and study.best_trials
    assert {t.user_attrs["config_id"] for t in study.trials} <= {c.id for c in problem.pool}


@pytest.mark.parametrize("name", sorted(ADAPTER_SEARCHERS))
@pytest.mark.parametrize("variant", ["table", "full"])
def test_adapter_searchers_run_in_the_run_loop(name, variant, release):
    problem = load_problem(f"{PROBLEM}@{variant}", release)
    result = minimize(problem, get_searcher(name)(), MaxEvaluations(45), seed=1, n_init=10, tables_dir=release)
    ids = [r["config_id"] for r in result.records]
    assert len(ids) == 45 and len(set(ids)) == 45
    if variant == "table":
        assert set(ids) <= {c.id for c in problem.pool}
    assert result.front() and searcher_label(name) == name


def test_an_adapter_searcher_on_a_precision_problem_searches_precisions():
    from bench.problems import Problem

    problem = Problem(name="toy/acc-lat", task="soundmnist", device="lut:tx2", objectives=("acc", "lat"), directions=("max", "min"),
                      bounds=((0.0, 1.0), (0.0, 1.0)), ref_point=(1.1, 1.1), table_front=(), precisions=PRECISIONS)
    for name in ("pymoo:nsga2", "optuna:tpe"):
        searcher = get_searcher(name)()
        searcher.setup(problem, 0)
        configs = searcher.ask(20)
        assert len({c.precision for c in configs}) > 3


def test_a_missing_adapter_extra_names_the_extra(monkeypatch):
    import bench.extras

    real = bench.extras.importlib.import_module

    def without_optuna(module, *args):
        if module.split(".")[0] == "optuna":
            raise ModuleNotFoundError(f"No module named {module!r}", name=module)
        return real(module, *args)

    monkeypatch.setattr(bench.extras.importlib, "import_module", without_optuna)
    with pytest.raises(MissingExtraError, match=r"searcher 'optuna:tpe' needs optuna.*mmnas-bench\[optuna\]"):
        get_searcher("optuna:tpe")


def test_configspace_export_has_the_conditions_and_forbidden_clauses():
    from searchers.adapters.configspace_adapter import configuration_space, to_config, to_configuration

    space = configuration_space("soundmnist", seed=0)
    samples = space.sample_configuration(300)
    configs = [to_config(c, "soundmnist") for c in samples]
    for configuration, config in zip(samples, configs):
        values = dict(configuration)
        assert ("image.ks[3]" in values) == (config.image.d == 4) and ("fusion.cells[1].inputs[0]" in values) == (config.fusion.n_cells > 1)
        assert all(values[f"fusion.cells[{i}].inputs[0]"] != values[f"fusion.cells[{i}].inputs[1]"] for i in range(config.fusion.n_cells))
    assert {c.fusion.n_cells for c in configs} == {1, 2, 3, 4} and {c.fusion.n_nodes for c in configs} == {1, 2, 3, 4}
    rng = np.random.default_rng(0)
    for config in (sample_config(rng, "soundmnist") for _ in range(100)):
        assert to_config(to_configuration(config, space), "soundmnist") == config
    quantised = configuration_space("soundmnist", PRECISIONS)
    assert set(quantised["precision.audio"].choices) == set(PRECISIONS) and "precision.audio" not in space


def test_configspace_random_search_runs_on_a_table_problem(release):
    from searchers.adapters.configspace_adapter import configuration_space, to_config
    from searchers.adapters.objective import Objective

    problem = load_problem(f"{PROBLEM}@table", release)
    answer = Objective(problem, tables_dir=release)
    space = configuration_space(problem.task, problem.precisions, seed=3)
    configs = answer.answerable([to_config(c, problem.task) for c in space.sample_configuration(30)])
    F = answer(configs)
    assert F.shape == (30, len(problem.objectives)) and np.isfinite(F).all() and {c.id for c in configs} <= {c.id for c in problem.pool}


def test_configspace_export_refuses_an_unknown_task():
    from bench.errors import UnknownNameError
    from searchers.adapters.configspace_adapter import configuration_space

    with pytest.raises(UnknownNameError, match="nomnist"):
        configuration_space("nomnist")


def test_the_leaderboard_runs_adapter_searchers(release, tmp_path):
    from bench.leaderboard.board import run_leaderboard

    report = run_leaderboard(tmp_path / "board", problems=[f"{PROBLEM}@table"], searchers=["random", "pymoo:nsga3", "optuna:tpe"], seeds=2,
                             budget=20, n_init=5, workers=1, tables_dir=str(release))
    text = report.read_text()
    assert "| 20 | pymoo:nsga3 |" in text and "| 20 | optuna:tpe |" in text
    assert sorted(p.name for p in (tmp_path / "board" / "logs").glob("*optuna-tpe*")) != []

"""A feature whose install extra is missing says, in one line, which extra to install."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bench.cli import main
from bench.errors import MissingExtraError
from bench.extras import require
from surrogates import XGBoostQuantile

REPO = Path(__file__).resolve().parents[1]


def test_require_names_the_extra_or_the_package():
    with pytest.raises(MissingExtraError, match="pip install not_a_real_package_xyz"):
        require("not_a_real_package_xyz", "a feature")
    assert require("json", "a feature").dumps([]) == "[]"


def test_fitting_without_xgboost_names_the_surrogates_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "xgboost", None)  # as if not installed
    with pytest.raises(MissingExtraError, match=r"fitting an XGBoost surrogate needs xgboost.*mmnas-bench\[surrogates\]"):
        XGBoostQuantile(n_estimators=5).fit(np.zeros((4, 2)), np.arange(4.0))


def test_cli_command_without_its_extra_exits_2_with_one_line(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.delitem(sys.modules, "bench.tables.report", raising=False)
    assert main(["tables", "report"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "mmnas: error: mmnas tables report needs scipy, which is not installed: pip install 'mmnas-bench[analysis]'"


def test_table_and_surrogate_queries_load_neither_torch_nor_scipy():  # as in the base install: no XGBoost either
    code = (
        "import sys; sys.modules['xgboost'] = None; import numpy as np; from bench.benchmark import Benchmark; from bench.space import sample_config; "
        "from bench.examples import load_example; Benchmark().evaluate(load_example('harmonic_avmnist_1')); "
        "Benchmark(mode='surrogate').evaluate_many([sample_config(np.random.default_rng(i)) for i in range(20)]); "
        "print(sorted(m for m in ('torch', 'scipy', 'librosa') if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=REPO)
    assert run.returncode == 0 and run.stdout.strip() == "[]", run.stdout + run.stderr

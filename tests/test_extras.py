"""A feature whose install extra is missing says, in one line, which extra to install."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from bench.cli import main
from bench.errors import MissingExtraError
from bench.extras import require
from surrogates import XGBoostQuantile


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

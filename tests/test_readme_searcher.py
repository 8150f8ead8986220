"""The README's own-searcher example runs as written, plugged in by its import path."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from bench.leaderboard.board import run_leaderboard
from searchers import get_searcher
from tests.conftest import PROBLEM

README = Path(__file__).resolve().parents[1] / "README.md"


def _example() -> str:
    match = re.search(r"<!-- searcher-example -->\n```python\n(.*?)```", README.read_text(), re.S)
    assert match, "README lost its searcher example"
    return match.group(1)


def test_readme_searcher_example(release, tmp_path, monkeypatch):
    code = _example()
    assert len(code.strip().splitlines()) <= 20
    (tmp_path / "my_searcher.py").write_text(code)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert get_searcher("my_searcher:GreedyMutation").name == "greedy-mutation"
    report = run_leaderboard(
        tmp_path / "board", problems=[f"{PROBLEM}@table"], searchers=["random", "my_searcher:GreedyMutation"], seeds=2,
        budget=20, n_init=5, workers=1, tables_dir=str(release),
    )
    assert "| 20 | greedy-mutation |" in report.read_text()  # labelled by the class's name
    sys.modules.pop("my_searcher", None)

"""Report files end in the sha256 of their text; an edited or cut report is refused, naming the file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bench.errors import DataError
from bench.reports import read_report, verify_reports, write_report
from bench.tables import TableError
from bench.tables.release import verify_task

REPO = Path(__file__).resolve().parents[1]


def test_a_written_report_reads_back_whole_and_an_edited_one_is_refused(tmp_path):
    path = write_report(tmp_path / "report.md", "# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert read_report(path) == "# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    path.write_text(path.read_text().replace("| 1 |", "| 9 |"))
    with pytest.raises(DataError, match="report.md: its lines do not match its checksum line"):
        read_report(path)


@pytest.mark.parametrize("cut", [lambda t: t.rsplit("\n", 2)[0] + "\n", lambda t: "", lambda t: t.replace("<!--", "")])
def test_a_report_without_its_checksum_line_is_refused(tmp_path, cut):
    path = write_report(tmp_path / "r.md", "# R\n\nline\n")
    path.write_text(cut(path.read_text()))
    with pytest.raises(DataError, match="r.md: no checksum line"):
        read_report(path)


def test_every_committed_report_matches_its_checksum():
    assert len(verify_reports(REPO / "tables")) >= 10


def _light_copy(tmp_path: Path) -> Path:
    """The committed avmnist folder without its data, its manifest listing none: only the derived files are checked."""
    task_dir = tmp_path / "avmnist"
    shutil.copytree(REPO / "tables" / "avmnist", task_dir, ignore=shutil.ignore_patterns("results", "supernets", "*.parquet"))
    manifest = json.loads((task_dir / "manifest.json").read_text())
    (task_dir / "manifest.json").write_text(json.dumps({**manifest, "files": {}}))
    return task_dir


def test_verify_task_refuses_an_edited_report(tmp_path):
    task_dir = _light_copy(tmp_path)
    verify_task(task_dir)  # as committed
    board = task_dir / "leaderboard-fidelity" / "report.md"
    board.write_text(board.read_text().replace("random", "rand0m", 1))
    with pytest.raises(TableError, match="report.md: its lines do not match"):
        verify_task(task_dir)


def test_verify_task_refuses_an_edited_problems_file(tmp_path):
    task_dir = _light_copy(tmp_path)
    problems = task_dir / "problems.json"
    problems.write_text(problems.read_text().replace('"max",', '"min",', 1))
    with pytest.raises(TableError, match="problems.json: its content does not match its checksum"):
        verify_task(task_dir)

"""Atomic writes: a target is replaced whole or left as it was."""

from __future__ import annotations

import pytest

from bench.files import atomic_path, is_temporary, write_text_atomic


def test_failed_writer_leaves_the_previous_file_and_no_temporary(tmp_path):
    target = write_text_atomic(tmp_path / "report.md", "old\n")
    with pytest.raises(RuntimeError), atomic_path(target) as temporary:
        temporary.write_text("half")
        assert is_temporary(temporary) and temporary.parent == tmp_path
        raise RuntimeError("writer died")
    assert target.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["report.md"]
    write_text_atomic(target, "new\n")
    assert target.read_text() == "new\n" and oct(target.stat().st_mode & 0o777) == "0o644"


def test_report_json_keeps_sections_items_and_tables():
    from bench.markdown_json import report_json

    text = "# Report: x\n\n- first\n\n## Table part\n\n| a | b |\n|---|---|\n| 1 | two |\n\nafter\n### Sub\n- last\n"
    assert report_json(text) == {
        "title": "Report: x",
        "sections": [
            {"heading": "", "level": 1, "items": ["first"], "tables": []},
            {"heading": "Table part", "level": 2, "items": ["after"], "tables": [[{"a": "1", "b": "two"}]]},
            {"heading": "Sub", "level": 3, "items": ["last"], "tables": []},
        ],
    }

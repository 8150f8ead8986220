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

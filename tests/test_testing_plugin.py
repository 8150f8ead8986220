"""Other projects' view: the tables found with no tables_dir, the pytest fixtures, and data release archives."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from bench import locations
from bench.benchmark import Benchmark
from bench.errors import DataError
from bench.examples import read_config
from bench.tables.manifest import SCHEMA_VERSION, TableError, sha256_of
from bench.tables.release import install_release, pack_release

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"


def _fixture_example() -> str:
    match = re.search(r"<!-- fixture-example -->\n```python\n(.*?)```", README.read_text(), re.S)
    assert match, "README lost its fixture example"
    return match.group(1)


def test_readme_fixture_example_runs_in_a_folder_outside_the_repository(tmp_path):
    (tmp_path / "test_other_project.py").write_text(_fixture_example())
    env = {k: v for k, v in os.environ.items() if k not in (locations.TABLES_ENV, "PYTHONPATH")}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_other_project.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert REPO not in tmp_path.parents
    assert run.returncode == 0 and "1 passed" in run.stdout, run.stdout + run.stderr


def test_tables_found_from_another_folder_and_the_order_of_places(tmp_path, monkeypatch):
    monkeypatch.delenv(locations.TABLES_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    assert locations.locate_tables() == ("beside the package", REPO / "tables")
    assert Benchmark().evaluate(read_config("harmonic_avmnist_1")).from_table
    monkeypatch.setenv(locations.TABLES_ENV, str(tmp_path / "elsewhere"))
    assert locations.locate_tables() == (f"${locations.TABLES_ENV}", tmp_path / "elsewhere")
    with pytest.raises(TableError, match="the tables folder does not exist"):
        Benchmark()
    assert locations.locate_tables(tmp_path / "given")[1] == tmp_path / "given"
    monkeypatch.delenv(locations.TABLES_ENV)
    monkeypatch.setattr(locations, "PACKAGE_TABLES", tmp_path / "none")
    monkeypatch.setattr(locations, "INSTALLED_TABLES", tmp_path / "nothing")
    with pytest.raises(DataError, match=r"MMNAS_TABLES unset.*none.*nothing"):
        locations.tables_root()


def test_read_config_takes_example_files_and_bare_configs(tmp_path):
    example = REPO / "bench/examples/harmonic_avmnist_2.json"
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(json.loads(example.read_text())["config"]))
    assert read_config(example) == read_config(bare) == read_config("harmonic_avmnist_2")
    (tmp_path / "bad.json").write_bytes(b"\xff\xfe{")
    with pytest.raises(ValueError, match="bad.json: not UTF-8 text"):
        read_config(tmp_path / "bad.json")


def _task_folder(root: Path, task: str = "tiny") -> Path:
    folder = root / task
    (folder / "results").mkdir(parents=True)
    (folder / "joint.parquet").write_bytes(b"rows")
    (folder / "results" / "joint_train.jsonl").write_text("{}\n")
    files = {"joint.parquet": {"sha256": sha256_of(folder / "joint.parquet"), "rows": 1}}
    (folder / "manifest.json").write_text(json.dumps({"schema_version": SCHEMA_VERSION, "data_release": "test-1", "files": files}))
    releases = [{"release": name, "date": None, "added": {task: "rows"}} for name in ("test-1", "test-2")]
    (root / "releases.json").write_text(json.dumps({"releases": releases}))
    return folder


def _rewrite(archive: Path, out: Path, change) -> Path:
    """A copy of ``archive`` with each member's bytes passed through ``change(name, data)``."""
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for member in src.getmembers():
            data = change(member.name, src.extractfile(member).read())
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    return out


def test_release_archive_round_trip_and_refusals(tmp_path):
    source = tmp_path / "src"
    _task_folder(source)
    with pytest.raises(TableError, match="not in .*releases.json"):
        pack_release(source, tmp_path / "dist", "test-3")
    archive = pack_release(source, tmp_path / "dist")  # the newest release; the task's tables are of the one before
    assert archive.name == "mmnas-bench-tables-test-2.tar.gz"
    dest = tmp_path / "installed"
    document = install_release(archive, dest)
    assert document["release"] == "test-2" and document["tasks"] == {"tiny": "test-1"}
    installed = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    assert installed == sorted([*document["files"], "RELEASE.json"]) and "releases.json" in installed  # the release says what it is
    assert locations.locate_tables(dest)[1] == dest
    before = {p: p.read_bytes() for p in dest.rglob("*") if p.is_file()}
    corrupt = _rewrite(archive, tmp_path / "corrupt.tar.gz", lambda name, data: b"edited" if name == "tiny/results/joint_train.jsonl" else data)
    with pytest.raises(TableError, match="joint_train.jsonl does not match its sha256"):
        install_release(corrupt, dest)
    assert {p: p.read_bytes() for p in dest.rglob("*") if p.is_file()} == before  # the installed release is intact
    escape = tmp_path / "escape.tar.gz"
    with tarfile.open(escape, "w:gz") as tar:
        info = tarfile.TarInfo("../outside.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(TableError, match="refused"):
        install_release(escape, dest)
    assert not (tmp_path / "outside.txt").exists() and not list(tmp_path.glob(".installed-new-*"))
    (source / "tiny" / "joint.parquet").write_bytes(b"changed after export")
    with pytest.raises(TableError, match="does not match the manifest"):
        pack_release(source, tmp_path / "dist", "test-2")

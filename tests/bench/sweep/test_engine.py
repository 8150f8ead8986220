from __future__ import annotations

import collections
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.errors import DataError
from bench.sweep import InProcessExecutor, JobContext, JobSpec, ResultStore, run_sweep
from bench.sweep.logs import import_logs, write_logs
from bench.sweep.plan import joint_configs, make_plan

REPO = Path(__file__).resolve().parents[3]
CONTEXT = JobContext()


def _results(store: ResultStore) -> dict[str, dict]:
    return {row["job_id"]: row["result"] for row in store.rows()}


def _sweep_cli(store: Path, *extra: str) -> list[str]:
    """A sweep run isolated from the committed tables (its own, empty tables folder)."""
    tables = store.parent / "tables"
    return [
        sys.executable, "-m", "bench.cli", "sweep", "run", "--plan", "backbones-static",
        "--store", str(store), "--tables-dir", str(tables), "--no-write", *extra,
    ]


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, dict]:
    """Results of an uninterrupted in-process run of the first 24 backbone jobs."""
    store = ResultStore(tmp_path_factory.mktemp("ref") / "ref.db")
    summary = run_sweep(store, make_plan("backbones-static", "soundmnist", limit=24), InProcessExecutor(), CONTEXT)
    assert summary.n_finished == 24 and summary.n_failed == 0
    return _results(store)


def test_sigkill_mid_run_then_restart_gives_exactly_the_uninterrupted_rows(tmp_path, reference):
    db = tmp_path / "s.db"
    cmd = _sweep_cli(db, "--limit", "24", "--executor", "local", "--workers", "2", "--chunk", "4")
    proc = subprocess.Popen(cmd, cwd=REPO, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 240
    while time.time() < deadline and proc.poll() is None:
        if db.exists() and ResultStore(db).count() >= 6:
            break
        time.sleep(0.2)
    assert proc.poll() is None, f"the sweep ended before it could be killed: {proc.stderr.read().decode()[-2000:]}"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    store = ResultStore(db)
    partial = store.count()
    assert 6 <= partial < 24
    subprocess.run(cmd, cwd=REPO, check=True, capture_output=True, timeout=300)
    assert _results(store) == reference
    finished = collections.Counter(job for job, _, event in store.events() if event == "finished")
    assert set(finished.values()) == {1}  # no job written twice


def test_two_concurrent_workers_run_each_job_once(tmp_path, reference):
    db = tmp_path / "s.db"
    ResultStore(db).close()
    cmd = _sweep_cli(db, "--limit", "24", "--executor", "inprocess")
    procs = [subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(2)]
    for proc in procs:
        assert proc.wait(timeout=300) == 0, proc.stderr.read().decode()[-2000:]
    store = ResultStore(db)
    assert _results(store) == reference
    events = store.events()
    for event in ("claimed", "finished"):
        counts = collections.Counter(job for job, _, e in events if e == event)
        assert len(counts) == 24 and set(counts.values()) == {1}, event
    assert len({owner for _, owner, _ in events}) == 2  # both workers took part


def test_dask_local_cluster_equals_local_run(tmp_path, reference):
    distributed = pytest.importorskip("distributed")
    from bench.sweep import DaskExecutor

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            store = ResultStore(tmp_path / "dask.db")
            summary = run_sweep(store, make_plan("backbones-static", "soundmnist", limit=24), DaskExecutor(client), CONTEXT)
    assert summary.n_finished == 24
    assert _results(store) == reference


def test_restart_runs_only_what_is_missing(tmp_path):
    store = ResultStore(tmp_path / "s.db")
    specs = make_plan("backbones-static", "soundmnist", limit=3)
    run_sweep(store, specs[:2], InProcessExecutor(), CONTEXT)
    summary = run_sweep(store, specs, InProcessExecutor(), CONTEXT)
    assert (summary.n_already_done, summary.n_finished) == (2, 1)


def test_failed_job_is_reported_and_stays_pending(tmp_path):
    store = ResultStore(tmp_path / "s.db")
    bad = JobSpec.make("backbone_static", "soundmnist", {"modality": "image", "backbone": {"ks": [9] * 4, "e": [3] * 4, "d": [2]}})
    summary = run_sweep(store, [bad], InProcessExecutor(), CONTEXT)
    assert summary.n_failed == 1 and "ks[0]: got 9" in summary.failures[0]
    assert store.count() == 0
    assert [e for _, _, e in store.events()] == ["claimed", "failed"]
    assert store.claim(bad.id, "again")  # released, so it can be retried


def test_shard_merge_and_log_import_are_idempotent(tmp_path, reference):
    shard = ResultStore(tmp_path / "shard.db")
    run_sweep(shard, make_plan("backbones-static", "soundmnist", limit=5), InProcessExecutor(), CONTEXT)
    shard.close()
    main = ResultStore(tmp_path / "main.db")
    assert main.merge(tmp_path / "shard.db") == 5
    assert main.merge(tmp_path / "shard.db") == 0
    write_logs(main, tmp_path / "logs")
    fresh = ResultStore(tmp_path / "fresh.db")
    assert import_logs(fresh, tmp_path / "logs") == 5
    assert import_logs(fresh, tmp_path / "logs") == 0
    assert _results(fresh) == {k: v for k, v in reference.items() if k in _results(fresh)}


def test_corrupt_logs_and_store_are_rejected(tmp_path):
    store = ResultStore(tmp_path / "s.db")
    run_sweep(store, make_plan("backbones-static", "soundmnist", limit=2), InProcessExecutor(), CONTEXT)
    write_logs(store, tmp_path / "logs")
    log = tmp_path / "logs" / "backbone_static.jsonl"
    rows = [json.loads(line) for line in log.read_text().splitlines()][:-1]  # without its checksum line, as an older log
    rows[1]["params"]["backbone"]["d"] = [3]  # the id no longer matches the spec
    log.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    with pytest.raises(DataError, match="does not match its spec"):
        import_logs(ResultStore(tmp_path / "other.db"), tmp_path / "logs")
    log.write_text("{not json\n")
    with pytest.raises(DataError, match="backbone_static.jsonl:1: not valid JSON"):
        import_logs(ResultStore(tmp_path / "other2.db"), tmp_path / "logs")
    (tmp_path / "junk.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(DataError, match="not a readable SQLite"):
        ResultStore(tmp_path / "junk.db")


def test_a_log_edited_by_hand_or_cut_is_refused_by_its_checksum_line(tmp_path):
    store = ResultStore(tmp_path / "s.db")
    run_sweep(store, make_plan("backbones-static", "soundmnist", limit=3), InProcessExecutor(), CONTEXT)
    write_logs(store, tmp_path / "logs")
    log = tmp_path / "logs" / "backbone_static.jsonl"
    lines = log.read_text().splitlines()
    assert json.loads(lines[-1]).keys() == {"sha256_of_the_lines_above"} and len(lines) == 4
    assert import_logs(ResultStore(tmp_path / "fresh.db"), tmp_path / "logs") == 3
    edited = lines[1].replace('"macs": ', '"macs": 1')  # one value changed, its job id still right
    assert edited != lines[1]
    for text in ("\n".join([lines[0], edited, *lines[2:]]) + "\n", "\n".join([lines[0], lines[2], lines[3]]) + "\n"):
        log.write_text(text)
        with pytest.raises(DataError, match="backbone_static.jsonl: its lines do not match its checksum line"):
            import_logs(ResultStore(tmp_path / f"other{len(text)}.db"), tmp_path / "logs")


def test_mixing_measure_and_compute_jobs_is_refused(tmp_path):
    from bench.sweep.jobs import JOB_KINDS, JobKind, job_kind

    job_kind("backbone_static")  # load the registry
    JOB_KINDS.setdefault("test_measure", JobKind("test_measure", lambda p, c: {}, phase="measure"))
    specs = make_plan("backbones-static", "soundmnist", limit=1) + [JobSpec.make("test_measure", "soundmnist", {})]
    with pytest.raises(ValueError, match="own phase"):
        run_sweep(ResultStore(tmp_path / "s.db"), specs, InProcessExecutor(), CONTEXT)
    del JOB_KINDS["test_measure"]


def test_joint_plan_is_prefix_stable_and_holds_the_examples():
    small, large = joint_configs(20, "soundmnist"), joint_configs(50, "soundmnist")
    assert [c.id for c in large[:23]] == [c.id for c in small]
    assert len({c.id for c in large}) == 53
    assert {c.fusion.n_cells for c in large} == {1, 2, 3, 4}


def test_no_chunk_starts_after_the_deadline(tmp_path):
    from bench.sweep.driver import run_plan

    context = JobContext(tables_dir=str(tmp_path / "tables"))
    past = run_plan("backbones-static", "soundmnist", tmp_path / "s.db", InProcessExecutor(), context, limit=4, chunk=2, deadline=time.time() - 1)
    assert past.n_finished == 0
    later = run_plan("backbones-static", "soundmnist", tmp_path / "s.db", InProcessExecutor(), context, limit=4, chunk=2, deadline=time.time() + 600)
    assert later.n_finished == 4
    assert sorted(p.name for p in (tmp_path / "tables" / "soundmnist" / "results").iterdir()) == ["backbone_static.jsonl"]


def _shard(tmp_path, edit=None):
    shard = ResultStore(tmp_path / "shard.db")
    run_sweep(shard, make_plan("backbones-static", "soundmnist", limit=3), InProcessExecutor(), CONTEXT)
    if edit is not None:
        shard._db.execute(edit)
    shard.close()
    return tmp_path / "shard.db"


@pytest.mark.parametrize("edit, message", [
    ("UPDATE results SET result = '{\"params\": 1}' WHERE rowid = 1", None),  # a forged result stays undetectable: no signature
    ("UPDATE results SET params = '{\"modality\": \"audio\"}' WHERE rowid = 2", "is not the id of its spec"),  # forged id
    ("UPDATE results SET kind = '../../x' WHERE rowid = 1", "malformed job kind '../../x'"),
    ("UPDATE results SET job_id = kind, kind = job_id WHERE rowid = 1", "malformed job kind"),  # swapped columns
    ("UPDATE results SET result = '{\"a\": 1, \"a\": 2}' WHERE rowid = 3", "duplicate key 'a'"),
])
def test_a_bad_shard_row_refuses_the_whole_shard(tmp_path, edit, message):
    shard = _shard(tmp_path, edit)
    before = shard.read_bytes()
    main = ResultStore(tmp_path / "main.db")
    if message is None:
        assert main.merge(shard) == 3
    else:
        with pytest.raises(DataError, match=message):
            main.merge(shard)
        assert main.count() == 0
    assert shard.read_bytes() == before  # the shard is read, never written
    main.close()


def test_a_read_only_store_is_refused_in_one_line(tmp_path):
    import sqlite3

    ResultStore(tmp_path / "s.db").close()
    store = ResultStore(tmp_path / "s.db")
    store._db.close()
    store._db = sqlite3.connect(f"file:{tmp_path / 's.db'}?mode=ro", uri=True, isolation_level=None)  # as on a read-only disk
    with pytest.raises(DataError, match="s.db cannot be written: attempt to write a readonly database"):
        store.claim("job", "me")

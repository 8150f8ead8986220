"""Readers querying a release while it is exported again see the old release or the new one, never a mix."""

from __future__ import annotations

import multiprocessing
import time

from bench.sweep import InProcessExecutor, JobContext, ResultStore, run_sweep
from bench.sweep.plan import make_plan
from bench.tables import load_table
from bench.tables.export import export_tables


def _read_until(task_dir, stop_at: float, out) -> None:
    failures = reads = 0
    sizes = set()
    while time.time() < stop_at:
        try:
            sizes.add(len(load_table(task_dir, "backbones_image")))
        except Exception:  # noqa: BLE001 - every failure counts, whatever its type
            failures += 1
        reads += 1
    out.put((reads, failures, sorted(sizes)))


def test_readers_never_see_a_half_written_release(tmp_path):
    stores = []
    for n in (3, 5):  # two releases of different contents
        store = ResultStore(tmp_path / f"s{n}.db")
        run_sweep(store, make_plan("backbones-static", "soundmnist", limit=n), InProcessExecutor(), JobContext())
        stores.append(store)
    tables = tmp_path / "tables"
    export_tables(stores[0], "soundmnist", tables)
    task_dir = tables / "soundmnist"
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    stop_at = time.time() + 25
    readers = [context.Process(target=_read_until, args=(task_dir, stop_at, out)) for _ in range(3)]
    for reader in readers:
        reader.start()
    exports = 0
    while time.time() < stop_at - 5:
        export_tables(stores[exports % 2], "soundmnist", tables, accept_row_loss={"backbones_image": 2})  # 5 -> 3 rows
        exports += 1
    results = [out.get(timeout=120) for _ in readers]
    for reader in readers:
        reader.join()
    assert exports >= 4
    assert sum(r[0] for r in results) > 50
    assert [r[1] for r in results] == [0, 0, 0]  # no query failed
    assert set().union(*(r[2] for r in results)) == {3, 5}  # and the readers did see both releases

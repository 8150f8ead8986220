"""One call that runs a sweep plan end to end: import logs, run in chunks, write logs."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from bench.sweep.executors import DaskExecutor, Executor, InProcessExecutor, LocalPoolExecutor
from bench.sweep.jobs import JobContext
from bench.sweep.logs import import_logs, results_dir, write_logs
from bench.sweep.plan import DEFAULT_N_JOINT, make_plan
from bench.sweep.runner import SweepSummary, run_sweep
from bench.sweep.store import ResultStore

logger = logging.getLogger(__name__)


def default_store_path(task: str) -> Path:
    """``work/<task>/sweep.db`` (ignored by git; the committed copy is the result logs)."""
    return Path("work") / task / "sweep.db"


def make_executor(name: str, workers: int = 2, scheduler: str | None = None) -> Executor:
    """'inprocess', 'local' (process pool) or 'dask' (needs ``scheduler``)."""
    if name == "inprocess":
        return InProcessExecutor()
    if name == "local":
        return LocalPoolExecutor(workers)
    if name == "dask":
        if not scheduler:
            raise ValueError("executor 'dask' needs --scheduler ADDRESS")
        return DaskExecutor(scheduler)
    raise ValueError(f"unknown executor {name!r}, expected one of ['inprocess', 'local', 'dask']")


def run_plan(
    plan: str,
    task: str,
    store_path: Path,
    executor: Executor,
    context: JobContext,
    limit: int | None = None,
    n_joint: int = DEFAULT_N_JOINT,
    chunk: int = 500,
    write_results: bool = True,
    deadline: float | None = None,
) -> SweepSummary:
    """Run plan ``plan``; finished results are logged under ``tables/<task>/results`` after every chunk.

    No chunk is started after ``deadline`` (a ``time.time()`` value), so a run can end
    cleanly before its machine does.
    """
    specs = make_plan(plan, task, limit=limit, n_joint=n_joint, tables_dir=context.tables_dir)
    store = ResultStore(store_path)
    logs = results_dir(context.tables_dir, task)
    try:
        imported = import_logs(store, logs)
        if imported:
            logger.info("imported %d finished jobs from %s", imported, logs)
        total = SweepSummary(n_requested=len({s.id for s in specs}), n_already_done=0)
        for start in range(0, len(specs), chunk):
            if deadline is not None and time.time() > deadline:
                logger.info("%s: deadline reached, %d jobs left for a later run", plan, len(specs) - start)
                break
            part = run_sweep(store, specs[start : start + chunk], executor, context)
            total.add(part)
            if write_results and part.n_finished:
                write_logs(store, logs)
                logger.info("%s: %s", plan, total.throughput())
        return total
    finally:
        store.close()

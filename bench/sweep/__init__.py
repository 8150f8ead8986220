"""The sweep engine: job specs, a resumable SQLite store, executors, export to tables."""

from bench.sweep.executors import DaskExecutor, InProcessExecutor, LocalPoolExecutor
from bench.sweep.jobs import JobContext, JobSpec
from bench.sweep.runner import SweepSummary, run_sweep
from bench.sweep.store import ResultStore

__all__ = [
    "DaskExecutor", "InProcessExecutor", "LocalPoolExecutor", "JobContext", "JobSpec", "ResultStore",
    "SweepSummary", "run_sweep",
]

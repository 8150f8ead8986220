"""Run a list of job specs against a store with an executor; resumable and idempotent."""

from __future__ import annotations

import fcntl
import logging
import os
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.progress import progress
from bench.sweep.executors import Executor
from bench.sweep.jobs import JobContext, JobSpec, job_kind
from bench.sweep.store import ResultStore, pending

logger = logging.getLogger(__name__)


@dataclass
class SweepSummary:
    """What one run did."""

    n_requested: int
    n_already_done: int
    n_finished: int = 0
    n_failed: int = 0
    n_skipped_claimed: int = 0
    wall_seconds: float = 0.0
    job_seconds: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def add(self, part: SweepSummary) -> None:
        """Accumulate the counts of another run (``n_requested`` stays this run's)."""
        self.n_already_done += part.n_already_done
        self.n_finished += part.n_finished
        self.n_failed += part.n_failed
        self.n_skipped_claimed += part.n_skipped_claimed
        self.wall_seconds += part.wall_seconds
        self.job_seconds.update(part.job_seconds)
        self.failures += part.failures

    def throughput(self) -> str:
        """Jobs per hour of wall time and per core-hour of job time."""
        if not self.n_finished:
            return "no jobs finished"
        busy = sum(self.job_seconds.values())
        return (
            f"{self.n_finished} jobs in {self.wall_seconds:.1f} s wall "
            f"({3600 * self.n_finished / max(self.wall_seconds, 1e-9):.0f}/h), "
            f"{3600 * self.n_finished / max(busy, 1e-9):.0f} jobs per core-hour"
        )


@contextmanager
def phase_lock(store_path: Path, exclusive: bool) -> Iterator[None]:
    """Compute runs share the lock; a measuring run holds it alone (waits for, and blocks, the others)."""
    lock_path = store_path.with_suffix(store_path.suffix + ".lock")
    with open(lock_path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def run_sweep(
    store: ResultStore, specs: Sequence[JobSpec], executor: Executor, context: JobContext
) -> SweepSummary:
    """Run every spec not yet in ``store``; results are written as they arrive.

    Raises:
        ValueError: when measuring and compute jobs are mixed in one run.
    """
    phases = {job_kind(s.kind).phase for s in specs}
    if len(phases) > 1:
        raise ValueError("measure jobs (latency) run in their own phase: do not mix them with compute jobs")
    todo = pending(specs, store)
    n_requested = len({s.id for s in specs})
    summary = SweepSummary(n_requested=n_requested, n_already_done=n_requested - len(todo))
    owner = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    start = time.perf_counter()

    def claimed() -> Iterator[JobSpec]:
        for spec in todo:
            if store.claim(spec.id, owner):
                yield spec
            else:
                summary.n_skipped_claimed += 1

    with phase_lock(store.path, exclusive=phases == {"measure"}):
        for outcome in progress(executor.run(claimed(), context), total=len(todo), desc="sweep", unit="job"):
            if outcome.error is not None:
                store.release(outcome.spec.id, owner, outcome.error)
                summary.n_failed += 1
                summary.failures.append(f"{outcome.spec.kind} {outcome.spec.id}: {outcome.error}")
                logger.warning("job %s failed: %s", outcome.spec.id, outcome.error)
                continue
            store.put(outcome.spec, outcome.result, outcome.worker, outcome.seconds, owner)
            summary.n_finished += 1
            summary.job_seconds[outcome.spec.kind] += outcome.seconds
            if summary.n_finished % 100 == 0:
                logger.info("%d/%d jobs finished", summary.n_finished, len(todo))
    summary.wall_seconds = time.perf_counter() - start
    return summary

"""Executors: run ``execute(spec, context)`` over claimed jobs, yielding outcomes as they finish.

* :class:`InProcessExecutor`: one job after another in this process.
* :class:`LocalPoolExecutor` (default): a pool of fresh (spawned) processes, one torch
  thread each.
* :class:`DaskExecutor`: a Dask distributed scheduler at an address; jobs carry their
  kind's worker resources (e.g. ``{"measure": 1}``), so device-bound jobs only go to
  workers started with that resource.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from bench.parallel import single_thread_pool
from bench.sweep.jobs import JobContext, JobSpec, execute, job_kind


@dataclass(frozen=True)
class Outcome:
    """A finished job: its result, or the error it raised."""

    spec: JobSpec
    result: dict | None
    seconds: float
    worker: str
    error: str | None = None


class Executor(Protocol):
    """Runs jobs pulled lazily from ``jobs``; yields one :class:`Outcome` per job."""

    def run(self, jobs: Iterator[JobSpec], context: JobContext) -> Iterator[Outcome]: ...


def _execute_safely(spec: JobSpec, context: JobContext) -> Outcome:
    try:
        result, seconds, worker = execute(spec, context)
    except Exception as err:  # reported per job; the sweep goes on
        return Outcome(spec, None, 0.0, "", error=f"{type(err).__name__}: {err}")
    return Outcome(spec, result, seconds, worker)


class InProcessExecutor:
    """Runs jobs sequentially here."""

    def run(self, jobs: Iterator[JobSpec], context: JobContext) -> Iterator[Outcome]:
        for spec in jobs:
            yield _execute_safely(spec, context)


class LocalPoolExecutor:
    """A local pool of ``n_workers`` spawned processes with one torch thread each."""

    def __init__(self, n_workers: int) -> None:
        self.n_workers = n_workers

    def run(self, jobs: Iterator[JobSpec], context: JobContext) -> Iterator[Outcome]:
        with single_thread_pool(self.n_workers) as pool:
            in_flight: set[cf.Future] = set()
            for spec in jobs:
                in_flight.add(pool.submit(_execute_safely, spec, context))
                if len(in_flight) >= 2 * self.n_workers:
                    done, in_flight = cf.wait(in_flight, return_when=cf.FIRST_COMPLETED)
                    yield from (f.result() for f in done)
            for future in cf.as_completed(in_flight):
                yield future.result()


class DaskExecutor:
    """Jobs on a Dask distributed cluster (``address`` of its scheduler, or a Client)."""

    def __init__(self, address: object, max_in_flight: int = 256) -> None:
        self.address = address
        self.max_in_flight = max_in_flight

    def run(self, jobs: Iterator[JobSpec], context: JobContext) -> Iterator[Outcome]:
        from distributed import Client, as_completed

        client = self.address if isinstance(self.address, Client) else Client(self.address)
        try:
            queue = as_completed()
            n_in_flight = 0
            for spec in jobs:
                resources = job_kind(spec.kind).resources or None
                queue.add(client.submit(_execute_safely, spec, context, pure=False, resources=resources))
                n_in_flight += 1
                if n_in_flight >= self.max_in_flight:
                    yield next(queue).result()
                    n_in_flight -= 1
            for future in queue:
                yield future.result()
        finally:
            if client is not self.address:
                client.close()

"""Job specs, the job-kind registry and the context jobs run in.

A job is a canonical (kind, task, params) spec; its id is a hash of that spec, so the
same work always has the same id on every machine. A job kind is a function
``run(params, context) -> dict`` of JSON-able values plus its phase: ``compute`` jobs
may run side by side; ``measure`` jobs (latency) run alone, never beside compute jobs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from bench.errors import DataError, UnknownNameError
from bench.space import canonical_json

NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")  # job kinds and task names: no "/", "." or ":", so safe in file names


@dataclass(frozen=True)
class JobSpec:
    """One unit of sweep work; ``params`` is canonical JSON text."""

    kind: str
    task: str
    params_json: str

    @classmethod
    def make(cls, kind: str, task: str, params: dict[str, Any]) -> JobSpec:
        """A spec, its kind and task checked against :data:`NAME` (they name files: ``results/<kind>.jsonl``)."""
        for what, value in (("job kind", kind), ("task", task)):
            if not isinstance(value, str) or not NAME.match(value):
                raise DataError(f"malformed {what} {str(value)[:60]!r}: expected lowercase letters, digits, '_' and '-' (at most 40)")
        if not isinstance(params, dict):
            raise DataError(f"job params: got {type(params).__name__}, expected an object")
        return cls(kind=kind, task=task, params_json=canonical_json(params))

    @property
    def params(self) -> dict[str, Any]:
        return json.loads(self.params_json)

    @cached_property
    def id(self) -> str:
        """sha256 of the canonical spec (first 20 hex digits)."""
        text = canonical_json({"kind": self.kind, "task": self.task, "params": self.params})
        return hashlib.sha256(text.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class JobContext:
    """Where a job finds its inputs (paths only, so it pickles to any worker)."""

    data_dir: str | None = None
    cache_dir: str | None = None
    tables_dir: str = "tables"
    lut_dir: str | None = None


@dataclass(frozen=True)
class JobKind:
    """A registered kind of job."""

    name: str
    run: Callable[[dict[str, Any], JobContext], dict[str, Any]]
    phase: str = "compute"  # or "measure"
    resources: dict[str, float] = field(default_factory=dict)  # Dask worker resources


JOB_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    """Add a job kind to the registry (at import time only)."""
    if kind.name in JOB_KINDS:
        raise ValueError(f"job kind {kind.name!r} is registered twice")
    JOB_KINDS[kind.name] = kind
    return kind


def job_kind(name: str) -> JobKind:
    """The registered kind called ``name``."""
    import bench.sweep.kinds  # noqa: F401  (registers the built-in kinds)

    if name not in JOB_KINDS:
        raise UnknownNameError(f"unknown job kind {name!r}, expected one of {sorted(JOB_KINDS)}")
    return JOB_KINDS[name]


def host_id() -> str:
    """This worker's identity: hostname and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def execute(spec: JobSpec, context: JobContext) -> tuple[dict[str, Any], float, str]:
    """Run one job here; returns (result, wall seconds, worker id). Used by every executor."""
    kind = job_kind(spec.kind)
    start = time.perf_counter()
    result = kind.run({"task": spec.task, **spec.params}, context)
    return result, time.perf_counter() - start, host_id()

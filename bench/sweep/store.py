"""The sweep's result store: SQLite in WAL mode, one row per finished job, written once.

Claims stop two workers (threads, processes or machines sharing the file) from running
the same job: a claim is taken in an immediate transaction and dropped when its result
is written in the same transaction. A claim whose process is gone (same host) or whose
lease expired is taken over, so a killed job is run again; a half-written row is
impossible because a result is one INSERT. An event log records every claim, finish
and failure.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.errors import DataError
from bench.jsonio import loads_strict
from bench.sweep.jobs import JobSpec

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    job_id TEXT PRIMARY KEY, kind TEXT NOT NULL, task TEXT NOT NULL, params TEXT NOT NULL,
    result TEXT NOT NULL, worker TEXT NOT NULL, seconds REAL NOT NULL, finished_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS results_kind ON results(kind);
CREATE TABLE IF NOT EXISTS claims (
    job_id TEXT PRIMARY KEY, owner TEXT NOT NULL, hostname TEXT NOT NULL, pid INTEGER NOT NULL,
    claimed_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    job_id TEXT NOT NULL, owner TEXT NOT NULL, event TEXT NOT NULL, at REAL NOT NULL, detail TEXT);
"""
DEFAULT_LEASE_S = 6 * 3600.0
RESULT_COLUMNS = "job_id, kind, task, params, result, worker, seconds, finished_at"


def _check_row(row: tuple, where: str) -> None:
    """A results row from another store: its job id the hash of its spec, its result a JSON object."""
    job_id, kind, task, params, result = row[:5]
    if not all(isinstance(value, str) for value in (job_id, params, result)):
        raise DataError(f"{where}: job id, params and result must be text (columns swapped or corrupt)")
    try:
        spec = JobSpec.make(kind, task, loads_strict(params, f"{where} params"))
    except DataError as err:
        raise DataError(f"{where}: {err}") from None
    if not isinstance(loads_strict(result, f"{where} result"), dict):
        raise DataError(f"{where}: the result is not a JSON object")
    if spec.id != job_id:
        raise DataError(f"{where}: job id {str(job_id)[:24]!r} is not the id of its spec ({spec.id}): forged or corrupt")


class ResultStore:
    """A sweep store at ``path`` (created if absent).

    Args:
        path: the SQLite file.
        lease_s: a claim older than this may be taken over by another host.
    """

    def __init__(self, path: str | Path, lease_s: float = DEFAULT_LEASE_S) -> None:
        self.path = Path(path)
        self.lease_s = lease_s
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for where in (self.path, self.path.parent):
            if where.exists() and not os.access(where, os.W_OK):
                raise DataError(f"sweep store {self.path}: {where} is read-only (a store records claims and results, so it must be "
                                "writable; merge a read-only shard with mmnas sweep merge instead)")
        try:
            self._db = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)
        except sqlite3.DatabaseError as err:
            raise DataError(f"sweep store {self.path} is not a readable SQLite database: {err}") from err

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as err:  # e.g. "attempt to write a readonly database", a locked or full disk
            raise DataError(f"sweep store {self.path} cannot be written: {err}") from None
        try:
            yield self._db
            self._db.execute("COMMIT")
        except BaseException as err:
            self._db.execute("ROLLBACK")
            if isinstance(err, sqlite3.OperationalError):
                raise DataError(f"sweep store {self.path} cannot be written: {err}") from None
            raise

    def done_ids(self) -> set[str]:
        """Ids of every finished job."""
        return {row[0] for row in self._db.execute("SELECT job_id FROM results")}

    def result(self, job_id: str) -> dict[str, Any] | None:
        """The result of the finished job ``job_id``, or None."""
        row = self._db.execute("SELECT result FROM results WHERE job_id = ?", (job_id,)).fetchone()
        return None if row is None else json.loads(row[0])

    def claim(self, job_id: str, owner: str) -> bool:
        """Take the job for ``owner``; False if it is finished or held by a live claim."""
        now = time.time()
        with self._transaction() as db:
            if db.execute("SELECT 1 FROM results WHERE job_id = ?", (job_id,)).fetchone():
                return False
            held = db.execute("SELECT hostname, pid, claimed_at FROM claims WHERE job_id = ?", (job_id,)).fetchone()
            if held is not None and not self._stale(*held, now=now):
                return False
            db.execute(
                "INSERT OR REPLACE INTO claims VALUES (?, ?, ?, ?, ?)",
                (job_id, owner, socket.gethostname(), os.getpid(), now),
            )
            db.execute("INSERT INTO events VALUES (?, ?, 'claimed', ?, NULL)", (job_id, owner, now))
        return True

    def put(
        self, spec: JobSpec, result: dict[str, Any], worker: str, seconds: float, owner: str, finished_at: float | None = None
    ) -> None:
        """Write a finished job's result and drop its claim, atomically; ``finished_at`` (default now) is when the job
        finished (a result imported from a log keeps its own)."""
        now = time.time()
        with self._transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (spec.id, spec.kind, spec.task, spec.params_json, json.dumps(result), worker, seconds, now if finished_at is None else finished_at),
            )
            db.execute("DELETE FROM claims WHERE job_id = ?", (spec.id,))
            db.execute("INSERT INTO events VALUES (?, ?, 'finished', ?, NULL)", (spec.id, owner, now))

    def release(self, job_id: str, owner: str, reason: str) -> None:
        """Give a claimed job back after a failure (it stays pending)."""
        with self._transaction() as db:
            db.execute("DELETE FROM claims WHERE job_id = ? AND owner = ?", (job_id, owner))
            db.execute("INSERT INTO events VALUES (?, ?, 'failed', ?, ?)", (job_id, owner, time.time(), reason[:2000]))

    def rows(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Finished jobs (optionally of one kind) as dicts with decoded params and result."""
        query = "SELECT job_id, kind, task, params, result, worker, seconds, finished_at FROM results"
        args: tuple = ()
        if kind is not None:
            query += " WHERE kind = ?"
            args = (kind,)
        query += " ORDER BY job_id"
        return [
            {
                "job_id": r[0], "kind": r[1], "task": r[2], "params": json.loads(r[3]), "result": json.loads(r[4]),
                "worker": r[5], "seconds": r[6], "finished_at": r[7],
            }
            for r in self._db.execute(query, args)
        ]

    def events(self) -> list[tuple[str, str, str]]:
        """(job id, owner, event) of every logged event, oldest first."""
        return [tuple(r) for r in self._db.execute("SELECT job_id, owner, event FROM events ORDER BY rowid")]

    def merge(self, other: str | Path) -> int:
        """Add the finished jobs of another store (a shard); idempotent. Returns rows added.

        The shard is opened read-only and never modified. Every row is checked first: its job id must be the hash of
        its kind, task and params, its result valid JSON; one bad row refuses the whole shard (nothing is added).
        """
        other = Path(other)
        if not other.is_file():
            raise DataError(f"shard {other} does not exist")
        try:
            source = sqlite3.connect(f"file:{other.resolve()}?mode=ro", uri=True)
            rows = list(source.execute(f"SELECT {RESULT_COLUMNS} FROM results"))
            source.close()
        except sqlite3.DatabaseError as err:
            raise DataError(f"shard {other} is not a readable sweep store: {err}") from err
        for n, row in enumerate(rows, 1):
            _check_row(row, f"shard {other}, row {n}")
        before = self.count()
        with self._transaction() as db:
            db.executemany(f"INSERT OR IGNORE INTO results ({RESULT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        return self.count() - before

    def count(self, kind: str | None = None) -> int:
        """Number of finished jobs (optionally of one kind)."""
        if kind is None:
            return self._db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        return self._db.execute("SELECT COUNT(*) FROM results WHERE kind = ?", (kind,)).fetchone()[0]

    def _stale(self, hostname: str, pid: int, claimed_at: float, now: float) -> bool:
        if now - claimed_at > self.lease_s:
            return True
        if hostname == socket.gethostname():
            return not _alive(pid)
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def pending(specs: Iterable[JobSpec], store: ResultStore) -> list[JobSpec]:
    """The distinct specs not finished in ``store``, in their given order."""
    done = store.done_ids()
    unique = {spec.id: spec for spec in specs}
    return [spec for job_id, spec in unique.items() if job_id not in done]

"""Process pools whose workers each use one thread (sweep workers, leaderboard runs, surrogate reports).

A worker also ends by itself when the process that spawned it dies (``kill -9`` of a sweep's
main process would otherwise leave its workers running jobs nobody collects).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

PARENT_CHECK_S = 1.0


def one_thread() -> None:
    """Limit this process to one compute thread: OpenMP (torch reads it when imported later), and torch if already
    imported (without importing it: the base install has none)."""
    os.environ["OMP_NUM_THREADS"] = "1"
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)


def _exit_with(parent: int) -> None:
    """Watch the parent process from a daemon thread; exit at once when it is gone."""
    def watch() -> None:
        while True:
            time.sleep(PARENT_CHECK_S)
            if os.getppid() != parent:  # reparented: the parent died
                os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _worker_start(parent: int) -> None:
    one_thread()
    _exit_with(parent)


def single_thread_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes, one thread each (spawned: no state inherited from the caller), each
    ending when this process dies."""
    return ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_start, initargs=(os.getpid(),)
    )

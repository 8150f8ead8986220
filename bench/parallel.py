"""Process pools whose workers each use one thread (sweep workers, leaderboard runs, surrogate reports)."""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor


def one_thread() -> None:
    """Limit this process to one compute thread: OpenMP (torch reads it when imported later), and torch if already
    imported (without importing it: the base install has none)."""
    os.environ["OMP_NUM_THREADS"] = "1"
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)


def single_thread_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes, one thread each (spawned: no state inherited from the caller)."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=one_thread)

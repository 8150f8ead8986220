"""Process pools whose workers each use one thread (sweep workers, leaderboard runs, surrogate reports)."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor


def one_thread() -> None:
    """Limit this process to one compute thread (OpenMP, and torch if it is imported)."""
    os.environ["OMP_NUM_THREADS"] = "1"
    import torch

    torch.set_num_threads(1)


def single_thread_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes, one thread each (spawned: no state inherited from the caller)."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=one_thread)

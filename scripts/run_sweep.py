"""Run the whole sweep of a task in its phases, export after each, stop before a deadline.

Phases: ``backbones``, ``joint``, ``joint-blocks``, ``backbones-quant`` and ``joint-quant``
(compute, ``--workers`` processes), then the measure phases ``latency-joint``,
``latency-joint-onnxruntime`` and ``latency-backbones`` (alone on the machine). Every phase
resumes from the store and the committed result logs; after each phase the tables are
exported (``mmnas tables export``). With ``--hours H`` no chunk starts after H hours, so
the results can be committed before the machine is taken away.

Usage: python scripts/run_sweep.py [--hours 2.5] [--workers 2] [--phases backbones joint]
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
import time

from bench.sweep.driver import default_store_path, make_executor, run_plan
from bench.sweep.jobs import JobContext
from bench.tasks import DEFAULT_TASK

CHUNKS = {
    "backbones": 1000, "joint": 20, "joint-blocks": 20, "backbones-quant": 1000, "joint-quant": 20,
    "latency-joint": 200, "latency-joint-onnxruntime": 40, "latency-backbones": 200,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default=DEFAULT_TASK)
    parser.add_argument("--phases", nargs="+", default=list(CHUNKS), choices=list(CHUNKS))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--hours", type=float, default=None, help="start no chunk after this many hours")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--tables-dir", default="tables")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    deadline = time.time() + 3600 * args.hours if args.hours else None
    context = JobContext(data_dir=args.data_dir, tables_dir=args.tables_dir)
    for phase in args.phases:
        executor = make_executor("inprocess" if phase.startswith("latency") else "local", args.workers)
        summary = run_plan(
            phase, args.task, default_store_path(args.task), executor, context, chunk=CHUNKS[phase], deadline=deadline
        )
        print(f"{phase}: {summary.n_finished} finished, {summary.n_failed} failed; {summary.throughput()}", flush=True)
        subprocess.run([sys.executable, "-m", "bench.cli", "tables", "export", "--task", args.task, "--tables-dir", args.tables_dir], check=True)
        if deadline is not None and time.time() > deadline:
            break
    return 0


if __name__ == "__main__":
    sys.exit(main())

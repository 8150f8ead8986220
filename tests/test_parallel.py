"""Pool workers end when the process that spawned them is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPT = """
import os, sys, time
from bench.parallel import single_thread_pool

def sleeper(path):
    open(path, "w").write(str(os.getpid()))
    time.sleep(120)

if __name__ == "__main__":
    pool = single_thread_pool(1)
    pool.submit(sleeper, sys.argv[1])
    time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie has exited
        return stat.read().split()[2] != "Z"


def test_workers_exit_when_their_parent_is_killed(tmp_path):
    script, marker = tmp_path / "parent.py", tmp_path / "worker.pid"
    script.write_text(SCRIPT)
    parent = subprocess.Popen([sys.executable, str(script), str(marker)], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    deadline = time.time() + 60
    while not marker.exists() or not marker.read_text():
        assert time.time() < deadline, "the worker never started"
        time.sleep(0.1)
    worker = int(marker.read_text())
    os.kill(parent.pid, signal.SIGKILL)  # the parent only, as kill -9 of a sweep's main process does
    parent.wait()
    deadline = time.time() + 15
    while _alive(worker) and time.time() < deadline:
        time.sleep(0.2)
    assert not _alive(worker)

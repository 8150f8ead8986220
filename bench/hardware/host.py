"""Who this machine is: its static description (recorded with every measurement) and its slug (in column names)."""

from __future__ import annotations

import contextlib
import os
import platform
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def describe_host() -> dict[str, Any]:
    """Static description of this machine, recorded in manifests and measurements."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "hostname": socket.gethostname(),
        "platform": platform.platform(),
        "cpu": cpu,
        "logical_cpus": os.cpu_count(),
        "python": platform.python_version(),
    }


def host_slug() -> str:
    """Identity of this host for column names: ``MMNAS_HOST_ID`` or the CPU model and count."""
    if os.environ.get("MMNAS_HOST_ID"):
        return re.sub(r"[^a-z0-9]+", "-", os.environ["MMNAS_HOST_ID"].lower()).strip("-")
    host = describe_host()
    return re.sub(r"[^a-z0-9]+", "-", f"{host['cpu']} {host['logical_cpus']}cpu".lower()).strip("-")


@dataclass
class Conditions:
    """What else the machine did while something was measured (filled in when :func:`conditions` exits)."""

    load1: float = float("nan")
    others_cpu_share: float = float("nan")  # CPU time of every other process over the interval, as a share of all CPUs

    def __str__(self) -> str:
        return f"load {self.load1:.2f}, others {100 * self.others_cpu_share:.0f} % CPU"


@contextlib.contextmanager
def conditions() -> Iterator[Conditions]:
    """Measure the load average and the other processes' CPU share over the ``with`` block (Linux ``/proc/stat``;
    NaN elsewhere)."""
    out = Conditions()
    busy, own, start = _busy_seconds(), time.process_time(), time.perf_counter()
    try:
        yield out
    finally:
        wall = time.perf_counter() - start
        out.load1 = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        after = _busy_seconds()
        if busy is not None and after is not None and wall > 0:
            others = (after - busy) - (time.process_time() - own)
            out.others_cpu_share = min(max(others, 0.0) / (wall * (os.cpu_count() or 1)), 1.0)  # clock ticks are 10 ms coarse


def _busy_seconds() -> float | None:
    """CPU seconds every CPU spent busy since boot (``/proc/stat``), or None without it."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")

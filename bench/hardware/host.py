"""Who this machine is: its static description (recorded with every measurement) and its slug (in column names)."""

from __future__ import annotations

import os
import platform
import re
import socket
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

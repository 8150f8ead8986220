"""Naming of table columns: measured latency (``measured_<host>[_<component>]_latency_ms``), precisions,
and the static costs that are computed, never learned."""

from __future__ import annotations

import re
from collections.abc import Iterable

COMPONENTS = ("image", "audio", "fusion")
PRECISION_COLUMNS = tuple(f"{c}_precision" for c in COMPONENTS)
COMPUTED_COLUMNS = ("params", "macs", "bytes", "horowitz45_energy_mj")
"""Static costs (joint-table columns without the ``total_`` prefix) that need no look-up table:
``Benchmark`` computes them exactly for any config (:mod:`bench.hardware.static_costs`), so no
surrogate of them is fitted or used."""


def measured_column(host: str, component: str | None = None) -> str:
    """Column of the median latency measured on ``host`` (whole model, or one component)."""
    host = host.replace("-", "_")
    return f"measured_{host}_latency_ms" if component is None else f"measured_{host}_{component}_latency_ms"


def measured_hosts(columns: Iterable[str]) -> list[str]:
    """Hosts with a whole-model measured-latency column (slug with underscores)."""
    hosts = []
    for column in columns:
        match = re.match(r"^measured_(.+)_latency_ms$", column)
        if match and not match.group(1).endswith(tuple(f"_{c}" for c in COMPONENTS)):
            hosts.append(match.group(1))
    return sorted(hosts)

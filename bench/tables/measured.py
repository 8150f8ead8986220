"""Device ``measured:<host>`` as a pricing object: the latency its table holds, per config.

A measurement exists only for the configs the sweep (or a merged device validation)
timed on that host, so a config the table lacks is an error that says so; the
release's surrogates answer the others (``Benchmark(mode="surrogate")``).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from bench.devices import TOTAL, device_spec
from bench.errors import NotMeasuredError, UnknownNameError
from bench.hardware.cost import Cost, ModelCost
from bench.locations import tables_root
from bench.space import COMPONENTS, Config
from bench.tables.manifest import load_table
from bench.tasks import DEFAULT_TASK


class MeasuredDevice:
    """Latency (ms), and energy where a meter measured it, of the configs ``task``'s joint table holds for a host.

    Args:
        host: the host slug (``amd-epyc-2cpu``, ``amd-epyc-2cpu-onnxruntime``).
        tables_dir: folder of the committed tables.
        task: the task whose joint table to read.

    Raises:
        UnknownNameError: the table has no column of that host.
    """

    def __init__(self, host: str, tables_dir: str | Path | None = None, task: str = DEFAULT_TASK) -> None:
        self.spec = device_spec(f"measured:{host}")
        self.name = self.spec.name
        joint = load_table(tables_root(tables_dir) / task, "joint").set_index("config_id")
        total = self.spec.column("latency_ms", TOTAL)
        if total not in joint.columns:
            raise UnknownNameError(f"the {task} tables hold no measurement of {self.name}")
        wanted = [self.spec.column(q, part) for part in (TOTAL, *COMPONENTS) for q in self.spec.kind.quantities]
        self._frame = joint[[c for c in wanted if c in joint.columns]]
        self._task = task

    def cost(self, config: Config) -> ModelCost:
        """The measured whole-model cost and the components measured on their own (eager hosts only).

        Raises:
            NotMeasuredError: the table holds no measurement of ``config`` on this host.
        """
        if config.id not in self._frame.index or not math.isfinite(self._frame.at[config.id, self.spec.column("latency_ms", TOTAL)]):
            raise NotMeasuredError(
                f"{self.name} has no measurement of config {config.id}: only the configs its {self._task} table holds "
                "(use Benchmark(mode='surrogate') for others)"
            )
        row = self._frame.loc[config.id]
        components = {c: self._part(row, c) for c in COMPONENTS if self.spec.column("latency_ms", c) in row.index}
        return ModelCost(total=self._part(row, TOTAL), components=components)

    def _part(self, row: pd.Series, part: str) -> Cost:
        """The part's measured values; None where nothing was measured (no meter: no energy)."""
        values = {q: row.get(self.spec.column(q, part)) for q in ("latency_ms", "energy_mj")}
        finite = {q: float(v) if v is not None and math.isfinite(v) else None for q, v in values.items()}
        return Cost(latency_ms=finite["latency_ms"], energy_mj=finite["energy_mj"], provenance=f"table:{self._task} ({self.name})")

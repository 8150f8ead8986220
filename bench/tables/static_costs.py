"""Static costs of any joint config, computed exactly: no surrogate, no whole-model build.

Every static cost of the joint table is a sum over components (image backbone, audio
backbone, fusion network), and the fusion network's is a sum over its parts: one
reshape layer per fusion input it reads, one operator per node, one LayerNorm per cell,
and the head (DESIGN.md sections 3 and 5). So:

* a backbone is read from the exhaustive backbone tables (one row per backbone; a
  quantised one from the same row: its bytes at that precision, and its
  ``model:horowitz45`` energy from the same traffic counts, :mod:`bench.hardware.horowitz`);
* each fusion part is read from ``fusion_parts.parquet`` (:mod:`bench.tables.fusion_parts`),
  its LUT figures from the look-up tables by its keys; a config sums them.

No torch is imported: the base install answers static costs.

The results equal the sweep's ``joint_static`` figures (``tests/bench/test_static_costs.py``
checks this on random configs of every precision), at tens of microseconds per config.
LUT figures exist for fp32 components only; a config with a quantised component gets
no LUT total (NaN), never a scaled one. The fusion operators' LUT entries are read from
the look-up tables themselves; where those are not installed, :attr:`StaticCosts.columns`
leaves the LUT columns out (and says why in :attr:`StaticCosts.missing`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bench.columns import COMPUTED_COLUMNS, LUT_COLUMNS
from bench.devices import static_devices
from bench.errors import DataError
from bench.hardware.horowitz import energy_at_precision
from bench.hardware.lut_tables import LutTables
from bench.models import skeleton
from bench.space import FUSION_OPS, BackboneGenotype, Config
from bench.tables.backbone_lookup import BackboneLookup
from bench.tables.fusion_parts import FUSION_PARTS_TABLE, PART_KEY
from bench.tables.manifest import TableError, load_table
from bench.tasks import get_task

COLUMNS = (*COMPUTED_COLUMNS, *LUT_COLUMNS)
"""Joint-table columns (without the ``total_`` prefix) that :class:`StaticCosts` computes."""

_NONE = np.full(len(LUT_COLUMNS), np.nan)


class StaticCosts:
    """Exact static costs of joint configs of one task.

    Args:
        task_dir: folder of the task's committed tables (the backbone tables are read; :attr:`backbones`).
        task: task name (its inputs and LUT family).
        lut_dir: folder of the Harmonic-NAS look-up tables (default ``MMNAS_LUT_DIR``).
    """

    def __init__(self, task_dir: str | Path, task: str, lut_dir: str | Path | None = None) -> None:
        try:
            family = get_task(task).lut_family
            if family is None:
                raise DataError(f"task {task!r} has no look-up table family: its inputs are not the tables' shapes")
            self._luts = [LutTables(device.name, device.member, family, lut_dir) for device in static_devices(external=True)]
            self.missing = ""
        except DataError as err:
            self._luts, self.missing = [], f"LUT columns not computed: {err}"
        self.task = task
        self.columns = COLUMNS if self._luts else tuple(c for c in COLUMNS if c not in LUT_COLUMNS)
        """The columns :meth:`totals` answers exactly."""
        self.backbones = BackboneLookup(task_dir)
        self._backbone_values = {m: f[list(COLUMNS)].to_numpy(dtype=float) for m, f in self.backbones.frames.items()}
        parts = load_table(task_dir, FUSION_PARTS_TABLE)
        self._parts = {tuple(row[k] for k in PART_KEY): row for row in parts.to_dict("records")}
        self._part_index: dict[tuple[str, int, str], int] = {}
        self._part_rows: list[np.ndarray] = []

    def totals(self, configs: Sequence[Config]) -> dict[str, np.ndarray]:
        """Whole-model value of every column in :data:`COLUMNS` per config (NaN where a LUT has no figure,
        and in every LUT column when the look-up tables are not installed)."""
        image = [self._backbone(c.image, "image", c.precision.image) for c in configs]
        audio = [self._backbone(c.audio, "audio", c.precision.audio) for c in configs]
        config_of_part, parts = [], []
        for n, config in enumerate(configs):
            fusion_parts = self._fusion_parts(config)
            parts += fusion_parts
            config_of_part += [n] * len(fusion_parts)
        counts = np.zeros((len(configs), len(self._part_rows)))
        np.add.at(counts, (config_of_part, parts), 1)
        rows = np.array(image).reshape(-1, len(COLUMNS)) + np.array(audio).reshape(-1, len(COLUMNS))
        # Part by part in the order of their keys, so a config's sum does not depend on its batch or on the
        # configs this instance priced before (floating-point addition is not associative); a NaN LUT
        # figure of a quantised part reaches only the configs having it.
        for k in [self._part_index[key] for key in sorted(self._part_index)]:
            having = counts[:, k] > 0
            rows[having] += counts[having, k, None] * self._part_rows[k]
        return {column: rows[:, k] for k, column in enumerate(COLUMNS)}

    def _backbone(self, genotype: BackboneGenotype, modality: str, precision: str) -> np.ndarray:
        index = self.backbones.row(genotype, modality)
        if precision == "fp32":
            return self._backbone_values[modality][index]
        frame = self.backbones.frames[modality]
        if f"bytes_{precision}" not in frame.columns:
            raise TableError(f"the {self.task} {modality} backbone table has no bytes_{precision} (the backbones-quant phase): "
                             "static costs of configs with a quantised backbone need it")
        row = frame.iloc[index]
        params, macs, energy = int(row["params"]), int(row["macs"]), float(row["horowitz45_energy_mj"])
        figures = {"params": params, "macs": macs, "bytes": int(row[f"bytes_{precision}"]),
                   "horowitz45_energy_mj": energy_at_precision(energy, macs, params, precision)}
        return _row(figures, _NONE)

    def _fusion_parts(self, config: Config) -> list[int]:
        """Part indices of the fusion network of ``config``, one per part instance."""
        precision = config.precision.fusion
        channels = skeleton.feature_channels(config.image.d) + skeleton.feature_channels(config.audio.d)
        parts = [("input", channels[i]) for i in config.fusion.used_inputs(len(channels))]
        parts += [("cell", 0)] * config.fusion.n_cells + [("head", 0)]
        parts += [(node.op, 0) for cell in config.fusion.cells for node in cell.nodes]
        return [self._part(kind, arg, precision) for kind, arg in parts]

    def _part(self, kind: str, arg: int, precision: str) -> int:
        key = (kind, arg, precision)
        index = self._part_index.get(key)
        if index is None:
            index = self._part_index[key] = len(self._part_rows)
            self._part_rows.append(self._part_row(kind, arg, precision))
        return index

    def _part_row(self, kind: str, channels: int, precision: str) -> np.ndarray:
        """Static figures of one fusion part. Only fusion operators are priced by the LUTs (0 for the others),
        and at fp32 only (NaN otherwise)."""
        part = self._parts.get((kind, channels, precision))
        if part is None:
            raise TableError(f"the {self.task} fusion parts table has no part {(kind, channels, precision)}: export the tables again")
        lut = np.zeros(len(LUT_COLUMNS))
        if kind in FUSION_OPS:
            costs = [tables.fusion_cost(list(part["lut_keys"])) for tables in self._luts]
            lut = np.array([v for c in costs for v in (c.latency_ms, c.energy_mj)]) if costs and precision == "fp32" else _NONE
        return _row(part, lut)


def _row(figures: dict[str, float], lut: np.ndarray) -> np.ndarray:
    return np.array([figures[c] for c in COMPUTED_COLUMNS] + list(lut), dtype=float)

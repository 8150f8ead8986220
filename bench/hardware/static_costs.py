"""Static costs of any joint config, computed exactly: no surrogate, no whole-model build.

Every static cost of the joint table is a sum over components (image backbone, audio
backbone, fusion network), and the fusion network's is a sum over its parts: one
reshape layer per fusion input it reads, one operator per node, one LayerNorm per cell,
and the head (DESIGN.md sections 3 and 5). So:

* a backbone at fp32 is read from the exhaustive backbone tables (one row per backbone);
  a quantised backbone is built once and counted (cached);
* each fusion part is built once per (part, precision) and counted; a config sums them.

The results equal the sweep's ``joint_static`` figures (``tests/bench/test_static_costs.py``
checks this on random configs of every precision), at tens of microseconds per config.
LUT figures exist for fp32 components only; a config with a quantised component gets
no LUT total (NaN), never a scaled one. The fusion operators' LUT entries are read from
the look-up tables themselves; where those are not installed, :attr:`StaticCosts.columns`
leaves the LUT columns out (and says why in :attr:`StaticCosts.missing`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from torch import nn

from bench.errors import DataError
from bench.hardware.analytical import energy_mj, traffic
from bench.hardware.lut import BOARDS, LutDevice
from bench.models import Backbone, skeleton
from bench.models.fusion import FusionInput, used_fusion_inputs
from bench.models.fusion_ops import FUSION_OP_CLASSES
from bench.models.quantize import component_bytes
from bench.space import BackboneGenotype, Config
from bench.tables.backbone_lookup import BackboneLookup
from bench.tables.columns import COMPUTED_COLUMNS

LUT_COLUMNS = tuple(f"lut_{board}_{what}" for board in BOARDS for what in ("latency_ms", "energy_mj"))
COLUMNS = (*COMPUTED_COLUMNS, *LUT_COLUMNS)
"""Joint-table columns (without the ``total_`` prefix) that :class:`StaticCosts` computes."""

_NONE = np.full(len(LUT_COLUMNS), np.nan)


def static_figures(model: nn.Module, inputs: Sequence, precision: str = "fp32") -> dict[str, float]:
    """Parameters, batch-1 MACs, bytes at ``precision`` and ``model:horowitz45`` energy of ``model(*inputs)``."""
    counts = traffic(model, inputs)
    return {
        "params": counts["weights"],
        "macs": counts["macs"],
        "bytes": component_bytes(model, precision),
        "horowitz45_energy_mj": energy_mj(counts, precision),
    }


class _Head(nn.Module):
    """The fusion head as :class:`bench.models.fusion.FusionNetwork` runs it: LayerNorm, ReLU, flatten, linear."""

    def __init__(self) -> None:
        super().__init__()
        width = 2 * skeleton.FUSION_CHANNELS
        self.norm = nn.LayerNorm([width, skeleton.FUSION_LENGTH])
        self.classifier = nn.Linear(width * skeleton.FUSION_LENGTH, skeleton.N_CLASSES)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(torch.relu(self.norm(x)), 1))


class StaticCosts:
    """Exact static costs of joint configs of one task.

    Args:
        task_dir: folder of the task's committed tables (the backbone tables are read; :attr:`backbones`).
        task: task name (for the LUT family).
        lut_dir: folder of the Harmonic-NAS look-up tables (default ``MMNAS_LUT_DIR``).
    """

    def __init__(self, task_dir: str | Path, task: str = "soundmnist", lut_dir: str | Path | None = None) -> None:
        try:
            self._luts = [LutDevice(board, lut_dir, task) for board in BOARDS]
            self.missing = ""
        except DataError as err:
            self._luts, self.missing = [], f"LUT columns not computed: {err}"
        self.columns = COLUMNS if self._luts else tuple(c for c in COLUMNS if c not in LUT_COLUMNS)
        """The columns :meth:`totals` answers exactly."""
        self.backbones = BackboneLookup(task_dir)
        self._backbone_values = {m: f[list(COLUMNS)].to_numpy(dtype=float) for m, f in self.backbones.frames.items()}
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
        if precision != "fp32":
            return _quantised_backbone(genotype, modality, precision)
        return self._backbone_values[modality][self.backbones.row(genotype, modality)]

    def _fusion_parts(self, config: Config) -> list[int]:
        """Part indices of the fusion network of ``config``, one per part instance."""
        precision = config.precision.fusion
        channels = skeleton.feature_channels(config.image.d) + skeleton.feature_channels(config.audio.d)
        parts = [("input", channels[i]) for i in used_fusion_inputs(config.fusion, len(channels))]
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
        lut = np.zeros(len(LUT_COLUMNS))
        if kind in FUSION_OP_CLASSES:
            module, inputs = _part_module(kind, channels)
            costs = [device.price_fusion_part(module, inputs) for device in self._luts]
            lut = np.array([v for c in costs for v in (c.latency_ms, c.energy_mj)]) if costs and precision == "fp32" else _NONE
        return _row(_part_figures(kind, channels, precision), lut)


def _part_module(kind: str, channels: int) -> tuple[nn.Module, list[torch.Tensor]]:
    """A fresh fusion part and its batch-1 inputs: a reshape layer ('input'), a cell's norm, the head, or an operator."""
    width, length = skeleton.FUSION_CHANNELS, skeleton.FUSION_LENGTH
    if kind == "input":
        return FusionInput(channels), [torch.zeros(1, channels, length)]
    if kind == "cell":
        return nn.LayerNorm([width, length]), [torch.zeros(1, width, length)]
    if kind == "head":
        return _Head(), [torch.zeros(1, 2 * width, length)]
    return FUSION_OP_CLASSES[kind](width, length), [torch.zeros(1, width, length)] * 2


@lru_cache(maxsize=None)
def _part_figures(kind: str, channels: int, precision: str) -> dict[str, float]:
    """:func:`static_figures` of one fusion part (shared by every :class:`StaticCosts` of the process)."""
    return static_figures(*_part_module(kind, channels), precision)


@lru_cache(maxsize=4096)
def backbone_figures(genotype: BackboneGenotype, modality: str, precision: str) -> dict[str, float]:
    """:func:`static_figures` of one backbone built alone at batch 1 (cached)."""
    return static_figures(Backbone(genotype), [torch.zeros(1, *skeleton.INPUT_SHAPES[modality])], precision)


def _quantised_backbone(genotype: BackboneGenotype, modality: str, precision: str) -> np.ndarray:
    return _row(backbone_figures(genotype, modality, precision), _NONE)


def _row(figures: dict[str, float], lut: np.ndarray) -> np.ndarray:
    return np.array([figures[c] for c in COLUMNS[: len(COLUMNS) - len(LUT_COLUMNS)]] + list(lut), dtype=float)

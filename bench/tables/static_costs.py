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
from bench.errors import DataError, UnknownNameError
from bench.extras import require
from bench.hardware.horowitz import energy_at_precision, energy_mj
from bench.hardware.lut_tables import LutTables
from bench.models import skeleton
from bench.space import (
    COMPONENTS,
    DEPTHS,
    FUSION_OPS,
    MAX_CELLS,
    MAX_NODES,
    MODALITIES,
    N_FUSION_INPUTS,
    PRECISIONS,
    BackboneGenotype,
    Config,
)
from bench.space.config import N_FEATURES_PER_MODALITY
from bench.space.dataflow import N_STATES, DataFlow, data_flow
from bench.space.encoding import PRECISION_BITS, PRECISION_OF_BITS, encode_ordinal
from bench.space.features import SMALL_BATCH
from bench.space.gene_arrays import GeneArrays, gene_arrays
from bench.tables.backbone_lookup import BackboneLookup
from bench.tables.fusion_parts import FUSION_PARTS_TABLE, PART_KEY
from bench.tables.manifest import TableError, load_table
from bench.tasks import get_task

COLUMNS = (*COMPUTED_COLUMNS, *LUT_COLUMNS)
"""Joint-table columns (without the ``total_`` prefix) that :class:`StaticCosts` computes."""

_NONE = np.full(len(LUT_COLUMNS), np.nan)
_FEATURE_CHANNELS = np.zeros((max(DEPTHS) + 1, N_FEATURES_PER_MODALITY), dtype=int)  # depth -> channels of the 4 features
for _depth in DEPTHS:
    _FEATURE_CHANNELS[_depth] = skeleton.feature_channels(_depth)


ACCOUNTINGS = ("paper", "deployed")


class StaticCosts:
    """Exact static costs of joint configs of one task.

    Args:
        task_dir: folder of the task's committed tables (the backbone tables are read; :attr:`backbones`).
        task: task name (its inputs and LUT family).
        lut_dir: folder of the Harmonic-NAS look-up tables (default ``MMNAS_LUT_DIR``).
        accounting: ``paper`` (every component whole, as the tables and Harmonic-NAS price them) or ``deployed``
            (only the layers whose outputs reach the head, :mod:`bench.hardware.deployed`; needs torch).
    """

    def __init__(self, task_dir: str | Path, task: str, lut_dir: str | Path | None = None, accounting: str = "paper") -> None:
        if accounting not in ACCOUNTINGS:
            raise UnknownNameError(f"unknown cost accounting {accounting!r}, expected one of {list(ACCOUNTINGS)}")
        if accounting == "deployed":
            require("torch", "the deployed cost accounting")
        self.accounting = accounting
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
        self._backbone_matrices = {(m, "fp32"): f[list(COLUMNS)].to_numpy(dtype=float) for m, f in self.backbones.frames.items()}
        parts = load_table(task_dir, FUSION_PARTS_TABLE)
        self._parts = {tuple(row[k] for k in PART_KEY): row for row in parts.to_dict("records")}
        self._part_index: dict[tuple[str, int, str], int] = {}
        self._part_rows: list[np.ndarray] = []
        self._part_keys: list[tuple[str, int, str]] = []  # the key of each part index

    def totals(self, configs: Sequence[Config]) -> dict[str, np.ndarray]:
        """Whole-model value of every column in :data:`COLUMNS` per config (NaN where a LUT has no figure,
        and in every LUT column when the look-up tables are not installed). Config by config up to
        :data:`SMALL_BATCH` configs (and under the ``deployed`` accounting), :meth:`totals_of_genes` past it (the same values)."""
        if self.accounting == "paper" and len(configs) > SMALL_BATCH:
            return self.totals_of_genes(gene_arrays(encode_ordinal(list(configs))))
        flows = [data_flow(c.fusion) for c in configs] if self.accounting == "deployed" else [None] * len(configs)
        image = [self._backbone(c.image, "image", c.precision.image, flow) for c, flow in zip(configs, flows)]
        audio = [self._backbone(c.audio, "audio", c.precision.audio, flow) for c, flow in zip(configs, flows)]
        config_of_part, parts = [], []
        for n, (config, flow) in enumerate(zip(configs, flows)):
            fusion_parts = self._fusion_parts(config, flow)
            parts += fusion_parts
            config_of_part += [n] * len(fusion_parts)
        counts = np.zeros((len(configs), len(self._part_rows)))
        np.add.at(counts, (config_of_part, parts), 1)
        return self._sum(np.array(image).reshape(-1, len(COLUMNS)) + np.array(audio).reshape(-1, len(COLUMNS)), counts)

    def totals_of_genes(self, genes: GeneArrays) -> dict[str, np.ndarray]:
        """:meth:`totals` of a batch given as gene arrays, under the ``paper`` accounting (numpy over the batch)."""
        if self.accounting != "paper":
            raise ValueError("totals_of_genes prices whole components (the paper accounting); use totals for 'deployed'")
        backbones = [self._backbone_figures(genes, index) for index in range(len(MODALITIES))]
        return self._sum(backbones[0] + backbones[1], self._paper_part_counts(genes))

    def _sum(self, backbones: np.ndarray, counts: np.ndarray) -> dict[str, np.ndarray]:
        """The totals of configs whose backbones sum to ``backbones`` and which hold ``counts[n, k]`` of fusion part ``k``.

        Part by part in the order of their keys, so a config's sum does not depend on its batch or on the
        configs this instance priced before (floating-point addition is not associative); a NaN LUT
        figure of a quantised part reaches only the configs having it."""
        rows = backbones.copy()
        for k in sorted(np.flatnonzero(counts.any(axis=0)).tolist(), key=self._part_keys.__getitem__):  # the parts held
            having = counts[:, k] > 0
            rows[having] += counts[having, k, None] * self._part_rows[k]
        return {column: rows[:, k] for k, column in enumerate(COLUMNS)}

    def _backbone_figures(self, genes: GeneArrays, index: int) -> np.ndarray:
        """``(n, len(COLUMNS))`` figures of the ``index``-th modality's backbone of every config, at its precision."""
        modality = MODALITIES[index]
        rows = self.backbones.rows(genes.kernel[:, index], genes.expand[:, index], genes.depth[:, index], modality)
        bits = genes.bits[:, COMPONENTS.index(modality)]
        out = np.empty((len(genes), len(COLUMNS)))
        for precision in PRECISIONS:
            at = bits == PRECISION_BITS[precision]
            if at.any():
                out[at] = self._backbone_values(modality, precision)[rows[at]]
        return out

    def _backbone_values(self, modality: str, precision: str) -> np.ndarray:
        """Every row of the ``modality`` backbone table as figures at ``precision`` (built on first use)."""
        key = (modality, precision)
        if key not in self._backbone_matrices:
            frame = self.backbones.frames[modality]
            if f"bytes_{precision}" not in frame.columns:
                raise TableError(f"the {self.task} {modality} backbone table has no bytes_{precision} (the backbones-quant phase): "
                                 "static costs of configs with a quantised backbone need it")
            figures = zip(frame["params"], frame["macs"], frame[f"bytes_{precision}"], frame["horowitz45_energy_mj"])
            self._backbone_matrices[key] = np.array([
                _row({"params": int(params), "macs": int(macs), "bytes": int(n_bytes),
                      "horowitz45_energy_mj": energy_at_precision(float(energy), int(macs), int(params), precision)}, _NONE)
                for params, macs, n_bytes, energy in figures
            ]).reshape(len(frame), len(COLUMNS))
        return self._backbone_matrices[key]

    def _paper_part_counts(self, genes: GeneArrays) -> np.ndarray:
        """``(n, n_parts)`` how many of each fusion part every config holds: one reshape layer per backbone feature a cell
        or the head reads, one LayerNorm per cell, the head, one operator per node (at the fusion network's precision)."""
        n = len(genes)
        rows = np.arange(n)
        cell_on = np.arange(MAX_CELLS) < genes.n_cells[:, None]
        read = np.zeros((n, N_STATES), dtype=bool)
        r, c = np.nonzero(cell_on)
        read[r, genes.cell_inputs[r, c, 0]] = read[r, genes.cell_inputs[r, c, 1]] = True
        read[rows, N_FUSION_INPUTS + genes.n_cells - 2] = read[rows, N_FUSION_INPUTS + genes.n_cells - 1] = True
        channels = _FEATURE_CHANNELS[genes.depth].reshape(n, N_FUSION_INPUTS)  # (n, 2, 4): the features in state order
        node_on = cell_on[:, :, None] & (np.arange(MAX_NODES) < genes.n_nodes[:, None, None])
        held = {op: ((genes.op == k) & node_on).sum(axis=(1, 2)) for k, op in enumerate(FUSION_OPS)}
        r, i = np.nonzero(read[:, :N_FUSION_INPUTS])
        instances = [  # (kind, its argument, the configs holding it, how many each)
            ("input", channels[r, i], r, np.ones(len(r))),
            ("cell", np.zeros(n, dtype=int), rows, genes.n_cells),
            ("head", np.zeros(n, dtype=int), rows, np.ones(n)),
            *((op, np.zeros(n, dtype=int), rows, held[op]) for op in FUSION_OPS),
        ]
        fusion_bits = genes.bits[:, COMPONENTS.index("fusion")]
        entries = []  # (part, the configs holding it, how many each)
        for kind, args, owners, amounts in instances:
            present = amounts > 0
            args, owners, amounts = args[present], owners[present], amounts[present]
            bits = fusion_bits[owners]
            for arg, bit in set(zip(args.tolist(), bits.tolist())):  # few distinct parts in any batch
                mine = (args == arg) & (bits == bit)
                entries.append((self._part(kind, arg, PRECISION_OF_BITS[bit]), owners[mine], amounts[mine]))
        counts = np.zeros((n, len(self._part_rows)))
        for part, owners, amounts in entries:
            np.add.at(counts[:, part], owners, amounts)
        return counts

    def _backbone(self, genotype: BackboneGenotype, modality: str, precision: str, flow: DataFlow | None) -> np.ndarray:
        if flow is not None:
            return self._deployed_backbone(genotype, modality, precision, flow)
        return self._backbone_values(modality, precision)[self.backbones.row(genotype, modality)]

    def _deployed_backbone(self, genotype: BackboneGenotype, modality: str, precision: str, flow: DataFlow) -> np.ndarray:
        """The figures of the backbone's layers up to its latest feature that reaches the head (none: all zero)."""
        from bench.hardware.deployed import backbone_chain, backbone_parts

        live = flow.reaches(MODALITIES.index(modality))
        parts = backbone_parts(self.task, modality)
        chain = [parts[key] for key in backbone_chain(genotype, live[-1] if live else None)]
        counts = {"macs": sum(p.macs for p in chain), "weights": sum(p.params for p in chain),
                  "activations": sum(p.activations for p in chain)}
        figures = {"params": counts["weights"], "macs": counts["macs"], "bytes": sum(p.bytes[precision] for p in chain),
                   "horowitz45_energy_mj": energy_mj(counts, precision)}
        keys = [key for p in chain for key in p.lut_keys]
        if not keys:
            lut = np.zeros(len(LUT_COLUMNS))
        elif precision != "fp32" or not self._luts:
            lut = _NONE
        else:
            lut = np.array([v for tables in self._luts for c in [tables.backbone_cost(keys)] for v in (c.latency_ms, c.energy_mj)])
        return _row(figures, lut)

    def _fusion_parts(self, config: Config, flow: DataFlow | None) -> list[int]:
        """Part indices of the fusion network of ``config``, one per part instance (with ``flow``: the live ones only)."""
        precision = config.precision.fusion
        channels = skeleton.feature_channels(config.image.d) + skeleton.feature_channels(config.audio.d)
        inputs = config.fusion.used_inputs(len(channels)) if flow is None else flow.live_inputs
        parts = [("input", channels[i]) for i in inputs]
        n_cells = config.fusion.n_cells if flow is None else sum(flow.live_cell(c) for c in range(config.fusion.n_cells))
        parts += [("cell", 0)] * n_cells + [("head", 0)]
        live = flow.live_nodes if flow is not None else [[True] * len(cell.nodes) for cell in config.fusion.cells]
        parts += [(node.op, 0) for cell, on in zip(config.fusion.cells, live) for node, keep in zip(cell.nodes, on) if keep]
        return [self._part(kind, arg, precision) for kind, arg in parts]

    def _part(self, kind: str, arg: int, precision: str) -> int:
        key = (kind, arg, precision)
        index = self._part_index.get(key)
        if index is None:
            index = self._part_index[key] = len(self._part_rows)
            self._part_rows.append(self._part_row(kind, arg, precision))
            self._part_keys.append(key)
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

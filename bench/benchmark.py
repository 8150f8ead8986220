"""The query API: ``Benchmark(task, device, objectives, mode)`` over the committed tables.

Three modes:

* ``table``: exact answers from ``tables/<task>/joint.parquet``; a config that is not in
  the table is an error (:class:`NotInTableError`).
* ``surrogate``: accuracy, training seconds and measured latency from the release's
  fitted surrogates (``tables/<task>/surrogates/``, see :mod:`surrogates.fitted`); the
  static costs (params, MACs, bytes, ``model:horowitz45`` energy, LUT latency and energy)
  computed exactly from the backbone tables and the fusion network's parts
  (:mod:`bench.hardware.static_costs`; LUT columns need the look-up tables installed,
  else they fall back to their surrogates).
* ``auto``: the table for the configs it holds, the surrogates for the others; each
  observation says which (``from_table``) and carries the provenance of every value.

:meth:`Benchmark.evaluate_backbone` answers from the exhaustive backbone tables in every
mode. Importing this module, and table mode, load no torch.

Example:
    >>> from bench.benchmark import Benchmark
    >>> from bench.examples import load_example
    >>> bench = Benchmark("soundmnist", "lut:tx2", ("lat", "energy"))
    >>> bench.evaluate(load_example("harmonic_avmnist_3")).objectives  # the paper's row 3
    {'lat': 9.117..., 'energy': 13.886...}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.errors import ConfigError, UnknownNameError
from bench.space import COMPONENTS, Config, encode_ordinal, parse_backbone, parse_config
from bench.tables.columns import PRECISION_COLUMNS
from bench.tables.manifest import load_table

MODES = ("table", "surrogate", "auto")
DEFAULT_SURROGATE = "xgboost-quantile"
# Physical range every surrogate prediction is clipped to.
_ACCURACY_RANGE, _COST_RANGE = (0.0, 100.0), (0.0, np.inf)
# objective -> (direction, description)
OBJECTIVES: dict[str, tuple[str, str]] = {
    "acc": ("max", "validation accuracy %, mean over training seeds (or one seed when noisy)"),
    "test_acc": ("max", "test accuracy %, for final reports only"),
    "lat": ("min", "batch-1 latency in ms on the device"),
    "energy": ("min", "energy per batch-1 inference in mJ on the device"),
    "params": ("min", "parameters"),
    "macs": ("min", "multiply-accumulates of one batch-1 inference"),
    "bytes": ("min", "bytes of the parameters stored at the config's precisions"),
}


class NotInTableError(LookupError):
    """A table-mode query for a config the table does not hold."""

    def __str__(self) -> str:
        return self.args[0]


@dataclass(frozen=True)
class Observation:
    """The answer to one query.

    Attributes:
        config_id: stable id of the queried config or backbone.
        objectives: objective name -> value (directions in :data:`OBJECTIVES`).
        cost_seconds: simulated cost of the evaluation (recorded training seconds).
        provenance: objective name -> where the value comes from.
        from_table: True when answered from the table.
    """

    config_id: str
    objectives: dict[str, float]
    cost_seconds: float
    provenance: dict[str, str]
    from_table: bool


def device_columns(device: str, prefix: str) -> dict[str, str]:
    """Table columns of ``lat`` / ``energy`` for ``device`` (``prefix`` 'total_' in the joint table)."""
    kind, _, name = device.partition(":")
    if kind == "lut" and name in ("tx2", "agx"):
        return {"lat": f"{prefix}lut_{name}_latency_ms", "energy": f"{prefix}lut_{name}_energy_mj"}
    if device == "model:horowitz45":
        return {"energy": f"{prefix}horowitz45_energy_mj"}
    if kind == "measured" and name:
        column = f"measured_{name.replace('-', '_')}"
        return {"lat": f"{column}_latency_ms", "energy": f"{column}_energy_mj"}
    raise UnknownNameError(f"unknown device {device!r}, expected lut:tx2, lut:agx, model:horowitz45 or measured:<host>")


def objective_columns(device: str, prefix: str) -> dict[str, str]:
    """Table column of every objective available for ``device`` (``prefix`` 'total_' in the joint table)."""
    return {"acc": "val_acc", "test_acc": "test_acc", "params": f"{prefix}params", "macs": f"{prefix}macs",
            "bytes": f"{prefix}bytes", **device_columns(device, prefix)}


class Benchmark:
    """Query one task on one device.

    Args:
        task: the task ('soundmnist').
        device: 'lut:tx2', 'lut:agx', 'model:horowitz45' or 'measured:<host>'.
        objectives: names from :data:`OBJECTIVES`.
        mode: 'table' (exact look-up; unknown configs are an error), 'surrogate' or 'auto'.
        tables_dir: folder of the committed tables.
        noisy: draw the accuracy of one stored training seed (table) or from the
            surrogate's predictive normal distribution, instead of the mean.
        seed: seed of those draws (required when ``noisy``); the same seed and the same
            sequence of queries give the same draws.
        surrogate: format name of the fitted surrogates used off the table
            ('xgboost-quantile', 'xgboost-ensemble' or 'exact-gp').

    Raises:
        UnknownNameError: unknown device, objective, mode or surrogate.
        TableError: missing or corrupt tables or surrogate files.
        VersionMismatchError: surrogates fitted on another version of the joint table.
    """

    def __init__(
        self,
        task: str = "soundmnist",
        device: str = "lut:tx2",
        objectives: Sequence[str] = ("acc", "lat", "energy"),
        mode: str = "table",
        tables_dir: str | Path = "tables",
        noisy: bool = False,
        seed: int | None = None,
        surrogate: str = DEFAULT_SURROGATE,
    ) -> None:
        if mode not in MODES:
            raise UnknownNameError(f"unknown mode {mode!r}: this release answers {list(MODES)}")
        unknown = [o for o in objectives if o not in OBJECTIVES]
        if unknown:
            raise UnknownNameError(f"unknown objective(s) {unknown}, expected some of {list(OBJECTIVES)}")
        if noisy and seed is None:
            raise ValueError("noisy=True needs an explicit seed")
        self.task, self.device, self.objectives, self.mode = task, device, tuple(objectives), mode
        self.noisy = noisy
        self._rng = np.random.default_rng(seed)
        self._task_dir = Path(tables_dir) / task
        joint = load_table(self._task_dir, "joint")
        self._columns = self._resolve(joint.columns, "total_")
        self._joint = _Table(joint, "config_id", self._columns)
        self._seeds = {"acc": joint["val_acc_seeds"].to_numpy(), "test_acc": joint["test_acc_seeds"].to_numpy()}
        self._train_seconds = joint["train_seconds_seeds"].to_numpy()
        self._backbones: dict[str, _Table] = {}
        self._provenance = {
            name: (f"table:{task} (trained here)" if name in ("acc", "test_acc") else f"table:{task} ({device})")
            for name in self.objectives
        }
        self._models: dict[str, Any] = {}
        self._computed: dict[str, str] = {}  # objective -> static-cost column computed exactly off the table
        if mode != "table":
            from bench.hardware.static_costs import COLUMNS, StaticCosts
            from surrogates.fitted import joint_sha256, load_fitted

            static = {name: c.removeprefix("total_") for name, c in self._columns.items() if c.removeprefix("total_") in COLUMNS}
            if static:  # the backbone tables and LUTs are read only when some objective is a static cost
                self._static = StaticCosts(self._task_dir, task)
                self._computed = {name: column for name, column in static.items() if column in self._static.columns}
            columns = {name: c for name, c in {**self._columns, "seconds": "train_seconds"}.items() if name not in self._computed}
            self._models = {name: load_fitted(self._task_dir, column, surrogate) for name, column in columns.items()}
            self._measured_at = {column: _measured_precisions(joint, column) for column in columns.values()}
            self._surrogate_provenance = {
                name: f"computed:{task} {self._columns[name]} = backbone tables + fusion parts ({device}), exact"
                if name in self._computed
                else f"surrogate:{surrogate} of {self._columns[name]} fitted on {task} joint table "
                f"{joint_sha256(self._task_dir)[:12]} ({device})"
                for name in self.objectives
            }

    def _resolve(self, available: Sequence[str], prefix: str) -> dict[str, str]:
        columns = objective_columns(self.device, prefix)
        out = {}
        for objective in self.objectives:
            column = columns.get(objective)
            if column is None or column not in available:
                raise UnknownNameError(f"device {self.device!r} has no {objective!r} values in the {self.task} tables")
            out[objective] = column
        return out

    def evaluate(self, config: Config | Mapping[str, Any] | str) -> Observation:
        """Objectives of one config (validated first)."""
        return self.evaluate_many([config])[0]

    def evaluate_many(self, configs: Sequence[Config | Mapping[str, Any] | str]) -> list[Observation]:
        """Objectives of many configs in one batched query (table rows and surrogate rows batched apart)."""
        parsed = [parse_config(c) for c in configs]
        ids = [c.id for c in parsed]
        if self.mode == "table":  # every config from the table: _from_table raises NotInTableError for an unknown one
            in_table = np.ones(len(ids), dtype=bool)
        else:
            in_table = np.array([self.mode == "auto" and i in self._joint.index for i in ids], dtype=bool)
        values = {name: np.empty(len(ids)) for name in self.objectives}
        seconds = np.empty(len(ids))
        if in_table.any():
            self._from_table(np.asarray(ids)[in_table], in_table, values, seconds)
        if not in_table.all():
            self._from_surrogates([c for c, t in zip(parsed, in_table) if not t], ~in_table, values, seconds)
        columns = [values[name].tolist() for name in self.objectives]
        return [
            Observation(
                config_id=config_id,
                objectives=dict(zip(self.objectives, row)),
                cost_seconds=cost,
                provenance=dict(self._provenance if table else self._surrogate_provenance),
                from_table=bool(table),
            )
            for config_id, cost, table, *row in zip(ids, seconds.tolist(), in_table, *columns)
        ]

    def _from_table(self, ids: np.ndarray, where: np.ndarray, values: dict[str, np.ndarray], seconds: np.ndarray) -> None:
        rows = self._joint.rows(ids, self.task)
        for name in self.objectives:
            values[name][where] = self._joint.values[name][rows]
        if not self.noisy:
            seconds[where] = [float(np.mean(s)) for s in self._train_seconds[rows]]
            return
        picks = [int(self._rng.integers(len(self._seeds["acc"][r]))) for r in rows]
        for name in ("acc", "test_acc"):
            if name in values:
                values[name][where] = [self._seeds[name][r][p] for r, p in zip(rows, picks)]
        seconds[where] = [self._train_seconds[r][p] for r, p in zip(rows, picks)]

    def _from_surrogates(self, configs: list[Config], where: np.ndarray, values: dict[str, np.ndarray], seconds: np.ndarray) -> None:
        self._check_measured_precisions(configs)
        X = encode_ordinal(configs)
        totals = self._static.totals(configs) if self._computed else {}
        for name in self.objectives:
            if name in self._computed:
                values[name][where] = totals[self._computed[name]]
                continue
            model = self._models[name]
            low, high = _ACCURACY_RANGE if name in ("acc", "test_acc") else _COST_RANGE
            if self.noisy and name in ("acc", "test_acc"):
                mean, std = model.predict(X, return_std=True)
                mean = mean + std * self._rng.standard_normal(len(mean))
            else:
                mean = model.predict(X)
            values[name][where] = np.clip(mean, low, high)
        seconds[where] = np.clip(self._models["seconds"].predict(X), *_COST_RANGE)

    def _check_measured_precisions(self, configs: list[Config]) -> None:
        """Refuse a config with a component at a precision its surrogates never saw a value at (no extrapolation)."""
        mixes = {config.precision: config for config in configs}  # a batch holds few mixes: check each once
        for column, measured in self._measured_at.items():
            for mix, config in mixes.items():
                unseen = [f"{c} at {p}" for c, p in mix.to_dict().items() if p not in measured[c]]
                if unseen:
                    raise ConfigError(
                        f"config {config.id}: the table has no {column} of any config with {unseen[0]} ({self.device}), "
                        "so its surrogate would invent one; see the problem's precisions"
                    )

    def evaluate_backbone(self, modality: str, backbone: Mapping[str, Any]) -> Observation:
        """Objectives of one backbone alone (unimodal accuracy with inherited weights)."""
        if modality not in self._backbones:
            frame = load_table(self._task_dir, f"backbones_{modality}")
            self._backbones[modality] = _Table(frame, "backbone_id", self._resolve(frame.columns, ""))
        table = self._backbones[modality]
        genotype_id = parse_backbone(backbone, modality).id
        row = table.rows([genotype_id], f"{self.task} {modality} backbones")[0]
        return Observation(
            config_id=genotype_id,
            objectives={name: float(table.values[name][row]) for name in self.objectives},
            cost_seconds=0.0,
            provenance=dict(self._provenance),
            from_table=True,
        )


def _measured_precisions(joint: Any, column: str) -> dict[str, set[str]]:
    """Per component, the precisions of the rows that have a value in ``column`` (fp32 for a table without precisions)."""
    if not set(PRECISION_COLUMNS) <= set(joint.columns):
        return {c: {"fp32"} for c in COMPONENTS}
    rows = joint[np.isfinite(joint[column].to_numpy(dtype=float))]
    return {c: set(rows[f"{c}_precision"]) for c in COMPONENTS}


class _Table:
    """Id -> row index and one float array per objective."""

    def __init__(self, frame: Any, key: str, columns: dict[str, str]) -> None:
        self.index = {config_id: i for i, config_id in enumerate(frame[key])}
        self.values = {name: frame[column].to_numpy(dtype=float) for name, column in columns.items()}

    def rows(self, ids: Sequence[str], what: str) -> np.ndarray:
        missing = [i for i in ids if i not in self.index]
        if missing:
            raise NotInTableError(
                f"config {missing[0]} is not in the {what} table (mode='table' answers only configs the sweep evaluated)"
            )
        return np.fromiter((self.index[i] for i in ids), dtype=int, count=len(ids))

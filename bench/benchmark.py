"""The query API: ``Benchmark(task, device, objectives, mode)`` over the committed tables.

Three modes:

* ``table``: exact answers from ``tables/<task>/joint.parquet``; a config that is not in
  the table is an error (:class:`NotInTableError`).
* ``surrogate``: accuracy, training seconds and measured latency from the release's
  fitted surrogates (``tables/<task>/surrogates/``, see :mod:`surrogates.fitted`); the
  static costs (params, MACs, bytes, ``model:horowitz45`` energy, LUT latency and energy)
  computed exactly from the backbone tables and the fusion network's parts
  (:mod:`bench.tables.static_costs`; LUT columns need the look-up tables installed,
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

from bench.columns import CURVE_STEMS, EVAL_SECONDS, PRECISION_COLUMNS, SIZE_STEMS, component_column, fidelity_column
from bench.devices import TOTAL, device_spec
from bench.errors import ConfigError, UnknownNameError
from bench.locations import tables_root
from bench.space import COMPONENTS, Config, encode_ordinal, parse_backbone, parse_config
from bench.space.encoding import PRECISION_OF_BITS
from bench.space.features import SMALL_BATCH, encode_for_surrogate, surrogate_inputs
from bench.space.gene_arrays import GeneArrays, gene_arrays
from bench.tables.curves import curve_values, with_fidelity_columns
from bench.tables.manifest import load_table
from bench.tables.static_costs import ACCOUNTINGS
from bench.tasks import DEFAULT_TASK

MODES = ("table", "surrogate", "auto", "live")
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


OBJECTIVE_UNITS: dict[str, str] = {"acc": "%", "test_acc": "%", "lat": "ms", "energy": "mJ", "params": "count", "macs": "count",
                                   "bytes": "bytes"}


def objective_label(name: str, direction: str) -> str:
    """An axis label: the objective, its unit and whether it is minimised or maximised, e.g. ``lat (ms, min)``."""
    return f"{name} ({OBJECTIVE_UNITS.get(name, '')}, {direction})".replace("(, ", "(")


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


def objective_columns(device: str, component: str | None = TOTAL) -> dict[str, str]:
    """Table column of every objective available for ``device``: of the joint table's whole model (default) or of a
    backbone table (``component`` None)."""
    sizes = {name: name if component is None else component_column(component, name) for name in SIZE_STEMS}
    return {"acc": "val_acc", "test_acc": "test_acc", **sizes, **device_spec(device).objective_columns(component)}


class Benchmark:
    """Query one task on one device.

    Args:
        task: a registered task (:mod:`bench.tasks`).
        device: 'lut:tx2', 'lut:agx', 'model:horowitz45' or 'measured:<host>'.
        objectives: names from :data:`OBJECTIVES`.
        mode: 'table' (exact look-up; unknown configs are an error), 'surrogate', 'auto' (table rows from the table,
            others from the surrogates) or 'live' (every config trained now with the sweep's protocol, or found in the
            sweep store where it was trained before, :mod:`bench.live`; needs the data and the ``models`` extra).
        tables_dir: folder of the tables (default: :func:`bench.locations.tables_root`: ``$MMNAS_TABLES``,
            then the tables beside the package, then an installed data release).
        noisy: draw the accuracy of one stored training seed (table) or from the
            surrogate's predictive normal distribution, instead of the mean.
        seed: seed of those draws (required when ``noisy``); the same seed and the same
            sequence of queries give the same draws.
        surrogate: format name of the fitted surrogates used off the table
            ('xgboost-quantile', 'xgboost-ensemble' or 'exact-gp').
        fidelity: answer accuracy after this many epochs of fusion training, charged at the
            seconds it took (from the learning curves in table mode, from the fidelity surrogates,
            one per epoch, off the table; None: the full schedule).
        store: live mode's cache of trainings, the sweep store (default ``work/<task>/sweep.db``).
        data_dir: the raw data live mode trains on (default ``MMNAS_DATA``).
        accounting: how static costs (parameters, MACs, bytes, LUT and analytical devices) charge a
            config: ``paper`` (every component whole, as the tables and Harmonic-NAS do) or
            ``deployed`` (only the layers whose outputs reach the head, computed exactly for every
            config, :mod:`bench.hardware.deployed`; needs torch). Measured latency is always the
            whole model's, so ``deployed`` refuses a measured device's costs.

    Raises:
        UnknownNameError: unknown device, objective, mode or surrogate.
        TableError: missing or corrupt tables or surrogate files.
        VersionMismatchError: surrogates fitted on another version of the joint table.
    """

    def __init__(
        self,
        task: str = DEFAULT_TASK,
        device: str = "lut:tx2",
        objectives: Sequence[str] = ("acc", "lat", "energy"),
        mode: str = "table",
        tables_dir: str | Path | None = None,
        noisy: bool = False,
        seed: int | None = None,
        surrogate: str = DEFAULT_SURROGATE,
        fidelity: int | None = None,
        accounting: str = "paper",
        store: str | Path | None = None,
        data_dir: str | Path | None = None,
    ) -> None:
        if mode not in MODES:
            raise UnknownNameError(f"unknown mode {mode!r}: this release answers {list(MODES)}")
        if accounting not in ACCOUNTINGS:
            raise UnknownNameError(f"unknown cost accounting {accounting!r}, expected one of {list(ACCOUNTINGS)}")
        unknown = [o for o in objectives if o not in OBJECTIVES]
        if unknown:
            raise UnknownNameError(f"unknown objective(s) {unknown}, expected some of {list(OBJECTIVES)}")
        if noisy and seed is None:
            raise ValueError("noisy=True needs an explicit seed")
        if mode == "live" and (noisy or fidelity is not None):
            raise ValueError("mode='live' answers the seed mean of the full schedule: it takes neither noisy nor fidelity")
        self.task, self.device, self.objectives, self.mode = task, device, tuple(objectives), mode
        self.noisy = noisy
        self._settings = {"task": task, "device": device, "objectives": self.objectives, "mode": mode, "tables_dir": tables_dir,
                          "noisy": noisy, "seed": seed, "surrogate": surrogate, "accounting": accounting, "store": store,
                          "data_dir": data_dir}
        self._at_fidelity: dict[int, Benchmark] = {}
        self._rng = np.random.default_rng(seed)
        self._task_dir = tables_root(tables_dir) / task
        joint = load_table(self._task_dir, "joint")
        self._columns = self._resolve(joint.columns, TOTAL)
        self.fidelity = fidelity
        self._table = _TableAnswers(joint, self._columns, noisy, self._rng, curve_values(joint, fidelity, task) if fidelity is not None else None)
        self._backbones: dict[str, _Table] = {}
        self._provenance = {
            name: (f"table:{task} (trained here)" if name in ("acc", "test_acc") else f"table:{task} ({device})")
            for name in self.objectives
        }
        # The back-end is chosen here, once: evaluate_many calls it for every batch.
        self._answer = {"table": self._answer_from_table, "surrogate": self._answer_from_surrogates, "auto": self._answer_auto,
                        "live": self._answer_live}[mode]
        if mode == "live":
            from bench.live import LiveAnswers

            self._live = LiveAnswers(self._task_dir, task, device, self.objectives, self._columns, store,
                                     None if data_dir is None else str(data_dir))
            self._provenance = {name: self._live.provenance[name] for name in self.objectives}
        elif mode != "table":
            self._surrogates = _SurrogateAnswers(
                joint, self._task_dir, task, device, self.objectives, self._columns, surrogate, noisy, self._rng, fidelity
            )
        self.accounting = accounting
        self._deployed = _DeployedAnswers(self._task_dir, task, device, self._columns) if accounting != "paper" else None
        if self._deployed is not None:
            self._provenance.update(self._deployed.provenance)
            if mode in ("surrogate", "auto"):
                self._surrogates.provenance.update(self._deployed.provenance)

    def _resolve(self, available: Sequence[str], component: str | None) -> dict[str, str]:
        columns = objective_columns(self.device, component)
        out = {}
        for objective in self.objectives:
            column = columns.get(objective)
            if column is None or column not in available:
                raise UnknownNameError(f"device {self.device!r} has no {objective!r} values in the {self.task} tables")
            out[objective] = column
        return out

    def at_fidelity(self, epoch: int) -> Benchmark:
        """This benchmark answering after ``epoch`` epochs of fusion training (built once per epoch).

        Raises:
            UnknownNameError: a task without learning curves, or an epoch they do not record.
        """
        if epoch not in self._at_fidelity:
            self._at_fidelity[epoch] = Benchmark(**self._settings, fidelity=epoch)
        return self._at_fidelity[epoch]

    def evaluate_ids(self, config_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Table answers of configs named by their ids, as arrays: objective name -> ``(n,)`` values, and
        ``cost_seconds``. The fast path for callers that hold table ids (a searcher on a ``@table`` pool, another
        project's tests): nothing is parsed, and the values are :meth:`evaluate_many`'s for the same configs.

        Raises:
            NotInTableError: an id that is not a row of the joint table.
            ValueError: with ``accounting='deployed'``, which prices configs, not ids.
        """
        if self._deployed is not None:
            raise ValueError("evaluate_ids answers the table as it is; the deployed accounting prices configs: use evaluate_many")
        values = {name: np.empty(len(config_ids)) for name in self.objectives}
        seconds = np.empty(len(config_ids))
        self._table.answer(list(config_ids), self.task, np.ones(len(config_ids), dtype=bool), values, seconds)
        return {**values, "cost_seconds": seconds}

    def evaluate_encoded(self, ordinal: np.ndarray) -> dict[str, np.ndarray]:
        """Surrogate answers of configs given as their ordinal encoding (``(n, 79)``, :func:`bench.space.encode_ordinal`),
        as arrays: objective name -> ``(n,)`` values, and ``cost_seconds``. The fast path for callers that hold
        encodings (a BO searcher, a batch of mutants): nothing is parsed, every row is checked to encode a canonical
        config, and the values are :meth:`evaluate_many`'s for the same configs in ``mode='surrogate'``.

        Raises:
            ConfigError: naming the first row that encodes no canonical config, or a precision the surrogates never saw.
            ValueError: in another mode than ``surrogate``, or with ``accounting='deployed'``.
        """
        if self.mode != "surrogate" or self._deployed is not None:
            raise ValueError("evaluate_encoded answers mode='surrogate' with the paper accounting; use evaluate_many otherwise")
        genes = gene_arrays(ordinal, check=True)
        values = {name: np.empty(len(genes)) for name in self.objectives}
        seconds = np.empty(len(genes))
        self._surrogates.answer_encoded(np.asarray(ordinal, dtype=float), genes, values, seconds)
        return {**values, "cost_seconds": seconds}

    def evaluate(self, config: Config | Mapping[str, Any] | str) -> Observation:
        """Objectives of one config (validated first)."""
        return self.evaluate_many([config])[0]

    def evaluate_many(self, configs: Sequence[Config | Mapping[str, Any] | str]) -> list[Observation]:
        """Objectives of many configs in one batched query (table rows and surrogate rows batched apart)."""
        parsed = [parse_config(c) for c in configs]
        ids = [c.id for c in parsed]
        values = {name: np.empty(len(ids)) for name in self.objectives}
        seconds = np.empty(len(ids))
        in_table = self._answer(parsed, ids, values, seconds)
        if self._deployed is not None:
            self._deployed.answer(parsed, values)
        columns = [values[name].tolist() for name in self.objectives]
        return [
            Observation(
                config_id=config_id,
                objectives=dict(zip(self.objectives, row)),
                cost_seconds=cost,
                provenance=dict(self._provenance if table else self._surrogates.provenance),
                from_table=bool(table),
            )
            for config_id, cost, table, *row in zip(ids, seconds.tolist(), in_table, *columns)
        ]

    def _answer_from_table(self, configs: list[Config], ids: list[str], values: dict[str, np.ndarray], seconds: np.ndarray) -> np.ndarray:
        """Every config from the table (an unknown one raises :class:`NotInTableError`); returns the from-table mask."""
        where = np.ones(len(ids), dtype=bool)
        self._table.answer(ids, self.task, where, values, seconds)
        return where

    def _answer_from_surrogates(self, configs: list[Config], ids: list[str], values: dict[str, np.ndarray], seconds: np.ndarray) -> np.ndarray:
        where = np.ones(len(ids), dtype=bool)
        self._surrogates.answer(configs, where, values, seconds)
        return ~where

    def _answer_live(self, configs: list[Config], ids: list[str], values: dict[str, np.ndarray], seconds: np.ndarray) -> np.ndarray:
        where = np.ones(len(ids), dtype=bool)
        self._live.answer(configs, where, values, seconds)
        return where  # answered with the live provenance, not the surrogates'

    def _answer_auto(self, configs: list[Config], ids: list[str], values: dict[str, np.ndarray], seconds: np.ndarray) -> np.ndarray:
        in_table = np.array([i in self._table.index for i in ids], dtype=bool)
        if in_table.any():
            self._table.answer(list(np.asarray(ids)[in_table]), self.task, in_table, values, seconds)
        if not in_table.all():
            self._surrogates.answer([c for c, t in zip(configs, in_table) if not t], ~in_table, values, seconds)
        return in_table

    def evaluate_backbone(self, modality: str, backbone: Mapping[str, Any]) -> Observation:
        """Objectives of one backbone alone (unimodal accuracy with inherited weights); its cost is the table's
        recorded seconds of evaluating it (``eval_seconds``; NaN for a table without them)."""
        if modality not in self._backbones:
            frame = load_table(self._task_dir, f"backbones_{modality}")
            columns = self._resolve(frame.columns, None)
            self._backbones[modality] = _Table(frame, "backbone_id", {**columns, EVAL_SECONDS: EVAL_SECONDS} if EVAL_SECONDS in frame else columns)
        table = self._backbones[modality]
        genotype_id = parse_backbone(backbone, modality).id
        row = table.rows([genotype_id], f"{self.task} {modality} backbones")[0]
        return Observation(
            config_id=genotype_id,
            objectives={name: float(table.values[name][row]) for name in self.objectives},
            cost_seconds=float(table.values[EVAL_SECONDS][row]) if EVAL_SECONDS in table.values else float("nan"),
            provenance=dict(self._provenance),
            from_table=True,
        )


class _DeployedAnswers:
    """Static-cost objectives under the ``deployed`` accounting, computed for every config."""

    def __init__(self, task_dir: Path, task: str, device: str, columns: dict[str, str]) -> None:
        from bench.tables.static_costs import COLUMNS, StaticCosts

        static = {name: c.removeprefix(f"{TOTAL}_") for name, c in columns.items() if name not in ("acc", "test_acc")}
        timed = [name for name, column in static.items() if column not in COLUMNS]
        if timed:
            raise UnknownNameError(f"the deployed accounting prices static costs only: {device} {timed[0]!r} was measured on "
                                   "the whole model; use accounting='paper' for it")
        self._costs = StaticCosts(task_dir, task, accounting="deployed")
        missing = [c for c in static.values() if c not in self._costs.columns]
        if missing:
            raise UnknownNameError(f"the deployed accounting cannot compute {missing[0]}: {self._costs.missing}")
        self._columns = static
        self.provenance = {name: f"computed:{task} {column}, deployed accounting (only layers that reach the head), exact"
                           for name, column in static.items()}

    def answer(self, configs: list[Config], values: dict[str, np.ndarray]) -> None:
        """Overwrite the static-cost objectives in ``values`` with their deployed figures."""
        totals = self._costs.totals(configs)
        for name, column in self._columns.items():
            values[name][:] = totals[column]


class _TableAnswers:
    """Answers from the joint table: the mean over seeds, or one stored seed's values when noisy."""

    def __init__(
        self, joint: Any, columns: dict[str, str], noisy: bool, rng: np.random.Generator, curves: dict[str, np.ndarray] | None = None
    ) -> None:
        self._joint = _Table(joint, "config_id", columns)
        self.index = self._joint.index
        self._seeds = {"acc": joint["val_acc_seeds"].to_numpy(), "test_acc": joint["test_acc_seeds"].to_numpy()}
        self._train_seconds = joint["train_seconds_seeds"].to_numpy()
        if curves is not None:  # at a fidelity: per-seed values after that epoch, their means as the answers
            self._seeds = {"acc": curves["val_acc"], "test_acc": curves["test_acc"]}
            self._train_seconds = curves["seconds"]
            for name in set(self._seeds) & set(self._joint.values):
                self._joint.values[name] = self._seeds[name].mean(axis=1)
        self._mean_seconds = np.array([float(np.mean(s)) for s in self._train_seconds], dtype=float)
        self._noisy, self._rng = noisy, rng

    def answer(self, ids: Sequence[str], task: str, where: np.ndarray, values: dict[str, np.ndarray], seconds: np.ndarray) -> None:
        """Fill ``values`` and ``seconds`` at ``where`` with the rows of ``ids``."""
        rows = self._joint.rows(ids, task)
        for name in values:
            values[name][where] = self._joint.values[name][rows]
        if not self._noisy:
            seconds[where] = self._mean_seconds[rows]
            return
        picks = [int(self._rng.integers(len(self._seeds["acc"][r]))) for r in rows]
        for name in ("acc", "test_acc"):
            if name in values:
                values[name][where] = [self._seeds[name][r][p] for r, p in zip(rows, picks)]
        seconds[where] = [self._train_seconds[r][p] for r, p in zip(rows, picks)]


class _SurrogateAnswers:
    """Answers off the table: static costs computed exactly, the rest from the release's fitted surrogates."""

    def __init__(
        self, joint: Any, task_dir: Path, task: str, device: str, objectives: tuple[str, ...], columns: dict[str, str],
        surrogate: str, noisy: bool, rng: np.random.Generator, fidelity: int | None = None,
    ) -> None:
        from bench.tables.static_costs import COLUMNS, StaticCosts
        from surrogates.fitted import joint_sha256, load_fitted, read_index
        from surrogates.xgb import JointPredictor

        self._computed: dict[str, str] = {}  # objective -> static-cost column computed exactly off the table
        static = {name: c.removeprefix(f"{TOTAL}_") for name, c in columns.items() if c.removeprefix(f"{TOTAL}_") in COLUMNS}
        if static:  # the backbone tables and LUTs are read only when some objective is a static cost
            self._static = StaticCosts(task_dir, task)
            self._computed = {name: column for name, column in static.items() if column in self._static.columns}
        learned = {name: c for name, c in {**columns, "seconds": "train_seconds"}.items() if name not in self._computed}
        if fidelity is not None:  # accuracy and seconds after that epoch: the fidelity surrogates (one per epoch)
            learned = {name: fidelity_column(c, fidelity) if c in _FIDELITY_STEMS else c for name, c in learned.items()}
        columns = {**columns, **{name: c for name, c in learned.items() if name in columns}}
        self._models = JointPredictor({name: load_fitted(task_dir, column, surrogate) for name, column in learned.items()})
        self._with_std = frozenset(name for name in ("acc", "test_acc") if noisy and name in learned)  # noisy: drawn from the predictive normal
        self._encoding = read_index(task_dir)["encoding"]
        if fidelity is not None:
            joint = with_fidelity_columns(joint, task)
        self._measured_at = {column: _measured_precisions(joint, column) for column in learned.values()}
        self._device, self._noisy, self._rng = device, noisy, rng
        self.provenance = {
            name: f"computed:{task} {columns[name]} = backbone tables + fusion parts ({device}), exact"
            if name in self._computed
            else f"surrogate:{surrogate} of {columns[name]} fitted on {task} joint table "
            f"{joint_sha256(task_dir)[:12]} ({device})"
            for name in objectives
        }

    def answer(self, configs: list[Config], where: np.ndarray, values: dict[str, np.ndarray], seconds: np.ndarray) -> None:
        """Fill ``values`` and ``seconds`` at ``where`` with the answers for ``configs``."""
        self._check_measured_precisions({tuple(config.precision.to_dict().values()): f"config {config.id}" for config in configs})
        if len(configs) <= SMALL_BATCH:  # config by config
            X = encode_for_surrogate(configs, self._encoding)
            totals = self._static.totals(configs) if self._computed else {}
        else:  # numpy over the batch, encoded once
            ordinal = encode_ordinal(configs)
            genes = gene_arrays(ordinal)
            X = surrogate_inputs(ordinal, self._encoding, genes)
            totals = self._static.totals_of_genes(genes) if self._computed else {}
        self._fill(X, totals, where, values, seconds)

    def answer_encoded(self, ordinal: np.ndarray, genes: GeneArrays, values: dict[str, np.ndarray], seconds: np.ndarray) -> None:
        """Fill ``values`` and ``seconds`` with the answers for the configs whose (checked) ordinal encoding is ``ordinal``."""
        mixes, first_rows = np.unique(genes.bits, axis=0, return_index=True)
        self._check_measured_precisions({tuple(PRECISION_OF_BITS[b] for b in mix): f"ordinal row {row}"
                                         for mix, row in zip(mixes.tolist(), first_rows.tolist())})
        totals = self._static.totals_of_genes(genes) if self._computed else {}
        self._fill(surrogate_inputs(ordinal, self._encoding, genes), totals, np.ones(len(genes), dtype=bool), values, seconds)

    def _fill(self, X: np.ndarray, totals: dict[str, np.ndarray], where: np.ndarray, values: dict[str, np.ndarray],
              seconds: np.ndarray) -> None:
        """Write the computed static costs and the surrogates' predictions of inputs ``X`` at ``where``."""
        predictions = self._models.predict(X, self._with_std)
        for name in values:
            if name in self._computed:
                values[name][where] = totals[self._computed[name]]
                continue
            low, high = _ACCURACY_RANGE if name in ("acc", "test_acc") else _COST_RANGE
            if name in self._with_std:
                mean, std = predictions[name]
                mean = mean + std * self._rng.standard_normal(len(mean))
            else:
                mean = predictions[name]
            values[name][where] = np.clip(mean, low, high)
        seconds[where] = np.clip(predictions["seconds"], *_COST_RANGE)

    def _check_measured_precisions(self, mixes: dict[tuple[str, ...], str]) -> None:
        """Refuse a precision mix (image, audio, fusion -> the config that has it) with a component at a precision its
        surrogates never saw a value at (no extrapolation). A batch holds few mixes: each is checked once."""
        for column, measured in self._measured_at.items():
            for mix, label in mixes.items():
                unseen = [f"{c} at {p}" for c, p in zip(COMPONENTS, mix) if p not in measured[c]]
                if unseen:
                    raise ConfigError(
                        f"{label}: the table has no {column} of any config with {unseen[0]} ({self._device}), "
                        "so its surrogate would invent one; see the problem's precisions"
                    )


_FIDELITY_STEMS = set(CURVE_STEMS.values())


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

"""The column schema of the tables: every column's name, unit, dtype and provenance.

The joint table (``joint.parquet``) and the backbone tables (``backbones_<modality>.parquet``)
hold only columns of the families below; a device's columns come from its kind in
:mod:`bench.devices`. The export writes each column's provenance into the manifest from
here, ``mmnas tables schema`` prints the schema and the README's schema section is
generated from it (:func:`schema_markdown`).

Naming: a joint-table static cost is ``<component>_<stem>`` with component ``image``,
``audio``, ``fusion`` or ``total`` (:func:`component_column`), a backbone table's is the
bare stem; measured latency is ``measured_<host>[_<component>]_latency_ms``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bench.devices import TOTAL, DeviceSpec, device_kinds, static_devices
from bench.space import COMPONENTS, PRECISIONS

JOINT, BACKBONES, FUSION_PARTS, LATENCY_REPEATS = "joint", "backbones", "fusion_parts", "latency_repeats"
EVAL_SECONDS = "eval_seconds"  # a backbone's screening seconds (the cost of a single-modality evaluation)
TABLES = (JOINT, BACKBONES, FUSION_PARTS, LATENCY_REPEATS)
PRECISION_COLUMNS = tuple(f"{c}_precision" for c in COMPONENTS)
SIZE_STEMS = ("params", "macs", "bytes")
COMPUTED_COLUMNS = (*SIZE_STEMS, *(d.column(q) for d in static_devices(external=False) for q in d.kind.quantities))
"""Static costs (joint-table columns without the ``total_`` prefix) that need no look-up table:
``Benchmark`` computes them exactly for any config (:mod:`bench.tables.static_costs`), so no
surrogate of them is fitted or used."""
LUT_COLUMNS = tuple(d.column(q) for d in static_devices(external=True) for q in d.kind.quantities)
"""Static costs computed exactly only where the look-up tables are installed (else answered by surrogates)."""
IDENTITY = "the configuration itself (not a measurement)"
CURVE_KEYS = ("val_acc", "test_acc", "seconds")
CURVE_STEMS = {"val_acc": "val_acc", "test_acc": "test_acc", "seconds": "train_seconds"}  # curve key -> the column it ends at
"""What a learning curve records after every epoch of fusion training (``<key>_curve_seeds`` columns)."""


def component_column(component: str, stem: str) -> str:
    """Joint-table column of ``stem`` (e.g. ``params``, ``lut_tx2_latency_ms``) for ``component`` or :data:`TOTAL`."""
    return f"{component}_{stem}"


def fidelity_column(stem: str, epoch: int) -> str:
    """The seed-mean of ``stem`` (``val_acc``, ``test_acc``, ``train_seconds``) after ``epoch``: a surrogate target
    derived from the learning curves (:func:`bench.tables.curves.with_fidelity_columns`), not a stored column."""
    return f"{stem}_epoch{epoch}"


def fidelity_epochs(columns: Iterable[str], stem: str) -> int:
    """The last epoch with a :func:`fidelity_column` of ``stem`` among ``columns`` (0 when none)."""
    prefix = fidelity_column(stem, 0)[:-1]
    return max((int(c[len(prefix):]) for c in columns if c.startswith(prefix) and c[len(prefix):].isdigit()), default=0)


def total_column(stem: str) -> str:
    """Joint-table whole-model column of ``stem``."""
    return component_column(TOTAL, stem)


@dataclass(frozen=True)
class ColumnFamily:
    """Columns that share a name pattern, unit, dtype and provenance.

    ``pattern`` shows the names (``<component>`` is image, audio, fusion or total;
    ``<precision>`` int8 or int4; ``<host>`` a host slug with underscores); ``regex``
    matches exactly those names.
    """

    pattern: str
    regex: str
    unit: str
    dtype: str
    provenance: str
    tables: tuple[str, ...]
    description: str

    def matches(self, column: str) -> bool:
        """Whether ``column`` belongs to this family."""
        return re.fullmatch(self.regex, column) is not None


_COMPONENT = "(image|audio|fusion|total)"
_QUANTISED = "(" + "|".join(p for p in PRECISIONS if p != "fp32") + ")"
_VAL = "trained here: see protocol (validation split)"
_TEST = "trained here: see protocol (test split)"
_BYTES = "exact bytes of the parameters stored at that precision (bench.models.quantize.component_bytes)"
_PARAMS, _MACS = "counted from the built model", "counted by torch FlopCounterMode on a batch-1 forward"
_BOTH, _J, _B, _P, _R = (JOINT, BACKBONES), (JOINT,), (BACKBONES,), (FUSION_PARTS,), (LATENCY_REPEATS,)
_SIZES = (*_BOTH, FUSION_PARTS)  # the tables with static size and analytical energy figures
_UNITS = {"latency_ms": "ms", "energy_mj": "mJ"}
_INDEX = ("geometric mean of the medians of the reference configs (bench.hardware.speed_index), timed in a fresh pinned "
          "process before and after the chunk (geometric mean of the two)")
_REPEAT = ("measured on the host in a repeat measuring phase (plan latency-joint-repeat): batch-1 wall-clock latency, fresh "
           "pinned process, 1 thread, the sweep's timing settings")


def _identity(name: str, dtype: str, tables: tuple[str, ...], description: str) -> ColumnFamily:
    return ColumnFamily(name, re.escape(name), "", dtype, IDENTITY, tables, description)


def _fixed() -> list[ColumnFamily]:
    """Every family that is not a device's."""
    return [
        _identity("config_id", "string", (*_J, *_R), "stable id of the config (sha256 of its canonical JSON, 16 hex digits)"),
        _identity("host", "string", _R, "host slug of the measured device (measured:<host>)"),
        _identity("round", "int64", _R, "measuring round (the joint table holds the first; 2: a repeat on another day)"),
        *(ColumnFamily(name, name, "ms", "double", _REPEAT, _R, what) for name, what in (
            ("latency_ms", "median batch-1 latency of the whole model in that round"),
            ("latency_p10_ms", "p10 of the timed runs"), ("latency_p90_ms", "p90 of the timed runs"))),
        ColumnFamily("load1", "load1", "", "double", _REPEAT, _R, "1-minute load average of the host before the timed chunk"),
        ColumnFamily("speed_index_ms", "speed_index_ms", "ms", "double", _INDEX, _R, "host speed index of the chunk"),
        *(ColumnFamily(f"speed_index_{end}_ms", f"speed_index_{end}_ms", "ms", "double", _INDEX.split(" (geometric")[0], _R,
                       f"host speed index timed just {when} the chunk") for end, when in (("start", "before"), ("end", "after"))),
        _identity("job_id", "string", _R, "the chunk's job in the result log (results/latency.jsonl)"),
        ColumnFamily("finished_at", "finished_at", "", "string", "clock of the sweep worker (UTC)", _R,
                     "when the chunk's job finished (ISO 8601)"),
        _identity("backbone_id", "string", _B, "stable id of the backbone genotype"),
        _identity("config_json", "string", _BOTH, "canonical JSON of the config (joint) or backbone genotype"),
        _identity("image_id", "string", _J, "backbone_id of the image backbone"),
        _identity("audio_id", "string", _J, "backbone_id of the audio backbone"),
        _identity("n_cells", "int64", _J, "fusion cells"),
        _identity("n_nodes", "int64", _J, "nodes per fusion cell"),
        _identity("ops", "list<string>", _J, "fusion operators, cell by cell"),
        ColumnFamily("<modality>_live_features", "(image|audio)_live_features", "", "list<int64>", IDENTITY, _J,
                     "positions (0 = earliest) of the modality's 4 fusion features whose values reach the classifier head "
                     "(bench.space.dataflow); empty: the fusion network never reads that backbone"),
        ColumnFamily("<component>_precision", "(image|audio|fusion)_precision", "", "string", IDENTITY, _J,
                     "weight precision of the component (fp32, int8, int4)"),
        _identity("seeds", "list<int64>", _J, "training seeds of the row"),
        _identity("ks", "list<int64>", _B, "kernel sizes of the 4 unit slots (inactive slots canonical)"),
        _identity("e", "list<int64>", _B, "expand ratios of the 4 unit slots (inactive slots canonical)"),
        _identity("d", "int64", _B, "active unit blocks"),
        _identity("kind", "string", _P, "fusion part: input (a reshape layer), cell (a cell's LayerNorm), head, or an operator"),
        _identity("channels", "int64", _P, "input channels of a reshape layer (0 for the other parts)"),
        _identity("precision", "string", _P, "weight precision of the part's figures (fp32, int8, int4)"),
        _identity("lut_keys", "list<string>", _P,
                  "the part's keys in the Harmonic-NAS fusion look-up tables (operators; the figures stay in the tables)"),
        ColumnFamily("val_acc_<precision>", f"val_acc_{_QUANTISED}", "%", "double",
                     "subnet with inherited weights, post-training quantised to that precision (bench.models.quantize), "
                     "calibrated on training batches; validation / test split", _B, "validation accuracy quantised"),
        ColumnFamily("test_acc_<precision>", f"test_acc_{_QUANTISED}", "%", "double",
                     "subnet with inherited weights, post-training quantised to that precision (bench.models.quantize), "
                     "calibrated on training batches; validation / test split", _B, "test accuracy quantised"),
        *(ColumnFamily(f"{split}_acc_before_quantisation", f"{split}_acc_before_quantisation", "%", "double",
                       "trained here: the fusion network's float accuracy before it was quantised to its "
                       "precision (mean over seeds; the config's own accuracy is the quantised one's)", _J,
                       f"{name} accuracy of the float fusion network of a quantised config")
          for split, name in (("val", "validation"), ("test", "test"))),
        ColumnFamily("bytes_<precision>", "bytes_(fp32|int8|int4)", "bytes", "int64", _BYTES, _B, "parameter bytes at a precision"),
        ColumnFamily("val_acc_seeds", "val_acc_seeds", "%", "list<double>", _VAL, _J, "final validation accuracy per seed"),
        ColumnFamily("test_acc_seeds", "test_acc_seeds", "%", "list<double>", _TEST, _J, "final test accuracy per seed"),
        ColumnFamily("best_val_epoch_seeds", "best_val_epoch_seeds", "epoch", "list<int64>",
                     "trained here: epoch of best validation accuracy", _J, "epoch of the best validation accuracy per seed"),
        ColumnFamily("test_acc_at_best_val_seeds", "test_acc_at_best_val_seeds", "%", "list<double>", _TEST, _J,
                     "test accuracy at the best validation epoch per seed"),
        ColumnFamily("train_seconds_seeds", "train_seconds_seeds", "s", "list<double>",
                     "wall seconds of fusion training measured on the sweep worker (manifest hosts.workers)", _J,
                     "fusion training seconds per seed"),
        ColumnFamily("val_acc_curve_seeds", "val_acc_curve_seeds", "%", "list<list<double>>", _VAL, _J,
                     "validation accuracy after every epoch, per seed (the learning curve)"),
        ColumnFamily("test_acc_curve_seeds", "test_acc_curve_seeds", "%", "list<list<double>>", _TEST, _J,
                     "test accuracy after every epoch, per seed"),
        ColumnFamily("seconds_curve_seeds", "seconds_curve_seeds", "s", "list<list<double>>",
                     "wall seconds of fusion training measured on the sweep worker (manifest hosts.workers)", _J,
                     "cumulative seconds of training and evaluation after every epoch, per seed (the cost of each fidelity)"),
        ColumnFamily("val_acc", "val_acc", "%", "double", _VAL, _BOTH, "validation accuracy (joint: mean over seeds)"),
        ColumnFamily(EVAL_SECONDS, EVAL_SECONDS, "s", "double",
                     "wall seconds of the backbone's accuracy job measured on the sweep worker (manifest hosts.workers)", _B,
                     "seconds to screen the backbone alone: BN recalibration on training batches, validation and test "
                     "evaluation (the simulated cost of a single-modality evaluation)"),
        ColumnFamily("test_acc", "test_acc", "%", "double", _TEST, _BOTH, "test accuracy (joint: mean over seeds)"),
        ColumnFamily("train_seconds", "train_seconds", "s", "double",
                     "wall seconds of fusion training measured on the sweep worker (manifest hosts.workers)", _J,
                     "fusion training seconds, mean over seeds (the simulated cost of an evaluation)"),
        ColumnFamily("[<component>_]params", f"({_COMPONENT}_)?params", "count", "int64", _PARAMS, _SIZES, "parameters"),
        ColumnFamily("[<component>_]macs", f"({_COMPONENT}_)?macs", "count", "int64", _MACS, _SIZES, "batch-1 multiply-accumulates"),
        ColumnFamily("[<component>_]bytes", f"({_COMPONENT}_)?bytes", "bytes", "int64", _BYTES, _SIZES,
                     "parameter bytes at the config's precisions (backbones: fp32)"),
    ]


def _device_families() -> list[ColumnFamily]:
    """The columns of every registered device kind; an open kind's runtimes (e.g. ``-onnxruntime``) before the host."""
    out = []
    for kind in device_kinds():
        if kind.members is not None:
            out += [f for member in kind.members for f in _member_families(DeviceSpec(kind, member), "")]
        else:
            for suffix in sorted(kind.provenance, key=len, reverse=True):
                out += _member_families(DeviceSpec(kind, f"host{suffix}"), suffix)
    return out


def _member_families(device: DeviceSpec, suffix: str) -> list[ColumnFamily]:
    kind, stem = device.kind, re.escape(device.stem)
    tables = _SIZES if device.name in {d.name for d in static_devices(external=False)} else _BOTH
    if kind.members is None:  # an open kind: any slug, ending in the runtime's suffix
        stem = re.escape(kind.stem.partition("{}")[0]) + "[a-z0-9_]+" + re.escape(suffix.replace("-", "_"))
    shown = device.stem if kind.members else kind.stem.format("<host>" + suffix.replace("-", "_"))
    families = []
    for quantity in kind.quantities:
        unit = _UNITS[quantity]
        if kind.prefixed_total:
            families.append(ColumnFamily(
                f"[<component>_]{shown}_{quantity}", f"({_COMPONENT}_)?{stem}_{quantity}", unit, "double", device.provenance,
                tables, f"{quantity.split('_')[0]} on {device.name if kind.members else kind.prefix + ':<host>' + suffix}"))
        else:
            families.append(ColumnFamily(
                f"{shown}[_<component>]_{quantity}", f"{stem}(_(image|audio|fusion))?_{quantity}", unit, "double",
                device.provenance, _BOTH, f"median {quantity.split('_')[0]} measured on the host{suffix and ' through ' + suffix[1:]}"))
    if not kind.prefixed_total:
        families += [
            ColumnFamily(f"{shown}_latency_{p}_ms", f"{stem}_latency_{p}_ms", "ms", "double", device.provenance, _BOTH,
                         f"{p} of the timed runs") for p in ("p10", "p90")
        ]
        families.append(ColumnFamily(f"{shown}_load1", f"{stem}_load1", "", "double", device.provenance, _BOTH,
                                     "1-minute load average of the host before the timed chunk"))
        families.append(ColumnFamily(f"{shown}_speed_index_ms", f"{stem}_speed_index_ms", "ms", "double", _INDEX, _BOTH,
                                     "host speed index of the timed chunk (missing for chunks timed before it existed)"))
    return families


def families() -> list[ColumnFamily]:
    """Every column family, the first that matches a column describing it."""
    return _fixed() + _device_families()


def describe(column: str, table: str) -> ColumnFamily:
    """The family of ``column`` in ``table`` (one of :data:`TABLES`).

    Raises:
        KeyError: a column that is not in the schema.
    """
    for family in families():
        if table in family.tables and family.matches(column):
            return family
    raise KeyError(f"column {column!r} is not in the {table} table's schema (bench.columns)")


def schema_of(table_file: str) -> str:
    """The schema table (one of :data:`TABLES`) of a table file's stem: ``joint``, ``fusion_parts``, ``latency_repeats`` or
    ``backbones_<modality>``."""
    return table_file if table_file in (JOINT, FUSION_PARTS, LATENCY_REPEATS) else BACKBONES


def canonical_order(columns: Iterable[str], table: str) -> list[str]:
    """``columns`` in the schema's order (by family, then by name), so a table's layout never depends on the order its
    rows were found in.

    Raises:
        KeyError: a column that is not in the schema.
    """
    position = {}
    for column in columns:
        position[column] = next(
            (k for k, family in enumerate(families()) if table in family.tables and family.matches(column)), None
        )
        if position[column] is None:
            raise KeyError(f"column {column!r} is not in the {table} table's schema (bench.columns)")
    return sorted(position, key=lambda column: (position[column], column))


def provenance(columns: list[str], table: str) -> dict[str, str]:
    """Column -> provenance text, for the manifest."""
    return {column: describe(column, table).provenance for column in columns}


def schema_markdown() -> str:
    """The schema as Markdown tables, one per table (the README's schema section)."""
    lines = []
    titles = {JOINT: "`joint.parquet`", BACKBONES: "`backbones_<modality>.parquet`", FUSION_PARTS: "`fusion_parts.parquet`",
              LATENCY_REPEATS: "`latency_repeats.parquet`"}
    for table, title in titles.items():
        lines += [f"{title}:", "", "| column | unit | dtype | what | provenance |", "|---|---|---|---|---|"]
        for family in families():
            if table in family.tables:
                lines.append(f"| `{family.pattern}` | {family.unit} | {family.dtype} | {family.description} | {family.provenance} |")
        lines.append("")
    return "\n".join(lines)

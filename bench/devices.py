"""The device registry: every kind of device registers once, here.

A device is named ``<kind>:<member>``: ``lut:tx2`` and ``lut:agx`` (the Harmonic-NAS
look-up tables), ``model:horowitz45`` (analytical energy), ``measured:<host>`` (latency
measured on a host by the sweep or a device validation; ``<host>-onnxruntime`` and
``<host>-torchscript`` are the same host through another runtime). A :class:`DeviceKind`
says which quantities its devices have, how their table columns are named, where the
values come from (provenance), which problems are published for them, whether they
price any config (static costs) or only the configs a table holds (measurements), and
which class prices a config (:func:`get_device`).

Everything that needs to know about devices reads this module: ``Benchmark``, the
problems, the export and its manifest, the surrogate report, the static costs, the sweep
and ``mmnas cost``. A new kind is one :func:`register_device_kind` call and its pricing
class.

Example:
    >>> from bench.devices import device_spec
    >>> device_spec("lut:tx2").column("latency_ms", "total")
    'total_lut_tx2_latency_ms'
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bench.errors import UnknownNameError
from bench.space import COMPONENTS

QUANTITIES = ("latency_ms", "energy_mj")
OBJECTIVE_OF = {"latency_ms": "lat", "energy_mj": "energy"}
"""Objective name of each quantity (:data:`bench.benchmark.OBJECTIVES`)."""
TOTAL = "total"
"""The component name of a whole model's columns in the joint table."""
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")  # a host: lowercase letters, digits and "-", at most 64


@dataclass(frozen=True)
class DeviceKind:
    """One kind of device and what all its devices share.

    Attributes:
        prefix: the part of a device name before the colon.
        members: the fixed members (``("tx2", "agx")``), or None when any slug names one (hosts).
        quantities: of :data:`QUANTITIES`, the ones its devices may have.
        stem: format of the stem of its column names, ``{}`` the member with underscores (``lut_{}``: ``lut_tx2``).
        provenance: member suffix -> provenance text of its values (the longest matching
            suffix wins; ``""`` matches every member).
        objective_sets: the objective sets of the problems published for its devices.
        prices_any_config: True for static costs computed for any config; False for
            measurements, known only for the configs a table holds.
        factory: ``module:callable`` that builds the device's pricing object from the member
            (:func:`get_device`).
        prefixed_total: whether the joint table's whole-model columns start with ``total_``
            (static costs) or carry the component after the stem (measurements).
        external_data: what must be installed to price with it (None: nothing).
        resolution: value resolution of its quantities (sparse Kendall tau of the surrogate report).
    """

    prefix: str
    members: tuple[str, ...] | None
    quantities: tuple[str, ...]
    stem: str
    provenance: Mapping[str, str]
    objective_sets: tuple[tuple[str, ...], ...]
    prices_any_config: bool
    factory: str
    prefixed_total: bool = True
    external_data: str | None = None
    resolution: float = 0.01

    def provenance_of(self, member: str) -> str:
        """Provenance text of member ``member``'s values."""
        suffix = max((s for s in self.provenance if member.endswith(s)), key=len)
        return self.provenance[suffix]


@dataclass(frozen=True)
class DeviceSpec:
    """One device: its kind and member, its columns and provenance."""

    kind: DeviceKind
    member: str

    @property
    def name(self) -> str:
        """``<kind>:<member>``."""
        return f"{self.kind.prefix}:{self.member}"

    @property
    def stem(self) -> str:
        """The stem of its column names."""
        return self.kind.stem.format(self.member.replace("-", "_"))

    @property
    def provenance(self) -> str:
        """Where its values come from."""
        return self.kind.provenance_of(self.member)

    def column(self, quantity: str, component: str | None = None) -> str:
        """Column of ``quantity`` for ``component`` (image, audio, fusion or :data:`TOTAL`) of the joint table,
        or of a backbone table (``component`` None)."""
        if quantity not in self.kind.quantities:
            raise UnknownNameError(f"device {self.name!r} has no {quantity!r}, only {list(self.kind.quantities)}")
        if component is None or (component == TOTAL and not self.kind.prefixed_total):
            return f"{self.stem}_{quantity}"
        return f"{component}_{self.stem}_{quantity}" if self.kind.prefixed_total else f"{self.stem}_{component}_{quantity}"

    def objective_columns(self, component: str | None = TOTAL) -> dict[str, str]:
        """Objective (``lat`` / ``energy``) -> column, of the joint table's whole model (default) or a backbone table (None)."""
        return {OBJECTIVE_OF[q]: self.column(q, component) for q in self.kind.quantities}


_KINDS: dict[str, DeviceKind] = {}


def register_device_kind(kind: DeviceKind) -> DeviceKind:
    """Add a device kind to the registry; returns it.

    Raises:
        ValueError: a kind with that prefix is registered already.
    """
    if kind.prefix in _KINDS:
        raise ValueError(f"device kind {kind.prefix!r} is registered twice")
    _KINDS[kind.prefix] = kind
    return kind


def device_kinds() -> list[DeviceKind]:
    """The registered kinds, in registration order."""
    return list(_KINDS.values())


def known_devices() -> list[str]:
    """Every device of a kind with fixed members, and the pattern of each open kind (``measured:<host>``)."""
    return [f"{k.prefix}:{m}" for k in _KINDS.values() for m in (k.members or ("<host>",))]


def device_spec(name: str) -> DeviceSpec:
    """The device called ``name``.

    Raises:
        UnknownNameError: an unknown kind or member, or a malformed host slug, listing the known devices.
    """
    prefix, _, member = name.partition(":") if isinstance(name, str) else ("", "", "")
    kind = _KINDS.get(prefix)
    valid = kind is not None and (member in kind.members if kind.members is not None else bool(SLUG.match(member)))
    if not valid:
        raise UnknownNameError(f"unknown device {str(name)[:80]!r}, expected one of {known_devices()}")
    return DeviceSpec(kind, member)


def static_devices(external: bool | None = None) -> list[DeviceSpec]:
    """Devices that price any config (static costs), in registration order; ``external`` True / False keeps only
    those that need / do not need external data (the look-up tables)."""
    return [
        DeviceSpec(k, m) for k in _KINDS.values() if k.prices_any_config for m in k.members or ()
        if external is None or (k.external_data is not None) == external
    ]


def devices_in(columns: Iterable[str]) -> list[DeviceSpec]:
    """Every device a table may answer: the fixed members of each kind, then the open kinds' members that
    have a whole-model column in ``columns`` (sorted)."""
    columns = list(columns)
    out = [DeviceSpec(k, m) for k in _KINDS.values() if k.members is not None for m in k.members]
    for kind in _KINDS.values():
        if kind.members is None:
            out += [DeviceSpec(kind, m) for m in _open_members(kind, columns)]
    return out


def _open_members(kind: DeviceKind, columns: list[str]) -> list[str]:
    """Members of open kind ``kind`` with a whole-model column of some quantity (slugs back from column stems)."""
    start = kind.stem.partition("{}")[0]
    members = set()
    for column in columns:
        for quantity in kind.quantities:
            match = re.match(rf"^{re.escape(start)}(.+)_{quantity}$", column)
            if match and not match.group(1).endswith(tuple(f"_{c}" for c in COMPONENTS)):
                members.add(match.group(1).replace("_", "-"))
    return sorted(members, key=lambda m: m.replace("-", "_"))



def get_device(name: str, **options: Any) -> Any:
    """The pricing object of device ``name`` (``.cost(config)`` -> :class:`bench.hardware.cost.ModelCost`).

    ``options`` go to the kind's factory: ``lut_dir`` for ``lut:*``, ``tables_dir`` for
    ``measured:*``, ``task`` for all.

    Raises:
        UnknownNameError: unknown device.
    """
    spec = device_spec(name)
    module, _, attr = spec.kind.factory.partition(":")
    return getattr(importlib.import_module(module), attr)(spec.member, **options)


_LUT_TEXT = (
    "lut:{board} - sum of Harmonic-NAS per-layer tables measured on Jetson {name} (Ghebriout et al., ACML 2023); "
    "fp32 only: missing for quantised components and their totals"
)
register_device_kind(DeviceKind(
    prefix="lut",
    members=("tx2", "agx"),
    quantities=QUANTITIES,
    stem="lut_{}",
    provenance={"tx2": _LUT_TEXT.format(board="tx2", name="TX2"), "agx": _LUT_TEXT.format(board="agx", name="AGX Xavier")},
    objective_sets=(("acc", "lat", "energy"),),
    prices_any_config=True,
    factory="bench.hardware.lut:LutDevice",
    external_data="the Harmonic-NAS look-up tables (MMNAS_LUT_DIR)",
))
register_device_kind(DeviceKind(
    prefix="model",
    members=("horowitz45",),
    quantities=("energy_mj",),
    stem="{}",
    provenance={"": "model:horowitz45 - analytical estimate from MACs and memory traffic (Horowitz, ISSCC 2014)"},
    objective_sets=(("acc", "energy"), ("acc", "energy", "bytes")),
    prices_any_config=True,
    factory="bench.hardware.figures:AnalyticalDevice",
    resolution=0.001,
))
register_device_kind(DeviceKind(
    prefix="measured",
    members=None,
    quantities=QUANTITIES,
    stem="measured_{}",
    provenance={
        "": "measured:<host> - batch-1 wall-clock latency on the named host (see manifest hosts), fresh pinned process, "
        "1 thread; energy only from the meter named in manifest hosts",
        "-onnxruntime": "measured:<host>-onnxruntime - batch-1 latency through ONNX Runtime (CPU, fresh pinned process, 1 thread) "
        "of the model exported at its precision (computation no output uses is pruned by the exporter): int8 components as "
        "static QDQ int8 on int8 kernels, fp32 ones in float; missing for configs with an int4 component (ONNX Runtime has "
        "no int4 convolution kernel)",
    },
    objective_sets=(("acc", "lat"), ("acc", "lat", "bytes")),
    prices_any_config=False,
    factory="bench.tables.measured:MeasuredDevice",
    prefixed_total=False,
))

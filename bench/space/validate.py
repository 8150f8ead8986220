"""Validation and canonicalisation of genotypes from JSON-like input.

Every malformed input raises :class:`bench.errors.ConfigError` (a ``ValueError``)
whose message names the field path, the value received and what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bench.errors import ConfigError
from bench.jsonio import loads_strict, short
from bench.space.config import (
    DEPTHS,
    EXPANDS,
    FUSION_OPS,
    INACTIVE_EXPAND,
    INACTIVE_KERNEL,
    KERNELS,
    MAX_CELLS,
    MAX_NODES,
    N_FUSION_INPUTS,
    N_UNIT_BLOCKS,
    PRECISIONS,
    SYMMETRIC_OPS,
    BackboneGenotype,
    CellGenotype,
    Config,
    FusionGenotype,
    NodeGenotype,
    PrecisionGenotype,
)
from bench.tasks import task_names

MAX_CONFIG_BYTES = 2**20  # a config is about 1 kB


def parse_config(obj: Mapping[str, Any] | str | Config) -> Config:
    """Validate and canonicalise a full config.

    Args:
        obj: a mapping in the interchange format, its JSON text, or a ``Config``.

    Returns:
        The canonical ``Config``.

    Raises:
        ConfigError: naming the first malformed field.

    Example:
        >>> cfg = parse_config(open("harmonic_avmnist_1.json").read())
        >>> cfg.id
    """
    if isinstance(obj, Config):
        return obj
    if isinstance(obj, str):
        obj = loads_strict(obj, "config", ConfigError, max_bytes=MAX_CONFIG_BYTES)
    mapping = _mapping(obj, "config", required={"task", "image", "audio", "fusion"}, optional={"precision"})
    task = mapping["task"]
    if not isinstance(task, str) or task not in task_names():
        raise ConfigError(f"config.task: got {_short(task)}, expected one of {task_names()}")
    precision = mapping.get("precision")
    return Config(
        task=task,
        image=parse_backbone(mapping["image"], "image"),
        audio=parse_backbone(mapping["audio"], "audio"),
        fusion=parse_fusion(mapping["fusion"]),
        precision=PrecisionGenotype() if precision is None else parse_precision(precision),
    )


def parse_backbone(obj: Any, path: str = "backbone") -> BackboneGenotype:
    """Validate one backbone genotype and canonicalise its inactive slots."""
    if isinstance(obj, BackboneGenotype):
        return obj
    mapping = _mapping(obj, path, required={"ks", "e", "d"})
    ks = _int_list(mapping["ks"], f"{path}.ks", N_UNIT_BLOCKS, KERNELS)
    e = _int_list(mapping["e"], f"{path}.e", N_UNIT_BLOCKS, EXPANDS)
    (d,) = _int_list(mapping["d"], f"{path}.d", 1, DEPTHS)
    return canonical_backbone(ks, e, d)


def canonical_backbone(ks: Sequence[int], e: Sequence[int], d: int) -> BackboneGenotype:
    """Backbone with inactive slots set to the canonical filler (inputs assumed valid)."""
    n_idle = N_UNIT_BLOCKS - d
    return BackboneGenotype(
        ks=tuple(ks[:d]) + (INACTIVE_KERNEL,) * n_idle,
        e=tuple(e[:d]) + (INACTIVE_EXPAND,) * n_idle,
        d=d,
    )


def parse_fusion(obj: Any, path: str = "fusion") -> FusionGenotype:
    """Validate a fusion genotype; canonicalise symmetric operators' input order."""
    if isinstance(obj, FusionGenotype):
        return obj
    mapping = _mapping(obj, path, required={"cells"})
    cells_obj = mapping["cells"]
    if not isinstance(cells_obj, list) or not 1 <= len(cells_obj) <= MAX_CELLS:
        raise ConfigError(f"{path}.cells: got {_short(cells_obj)}, expected a list of 1..{MAX_CELLS} cells")
    cells = []
    n_nodes = None
    for i, cell_obj in enumerate(cells_obj):
        cpath = f"{path}.cells[{i}]"
        cell = _mapping(cell_obj, cpath, required={"inputs", "nodes"})
        n_states = N_FUSION_INPUTS + i
        inputs = _input_pair(cell["inputs"], f"{cpath}.inputs", n_states, "state")
        nodes_obj = cell["nodes"]
        if not isinstance(nodes_obj, list) or not 1 <= len(nodes_obj) <= MAX_NODES:
            raise ConfigError(f"{cpath}.nodes: got {_short(nodes_obj)}, expected a list of 1..{MAX_NODES} nodes")
        if n_nodes is None:
            n_nodes = len(nodes_obj)
        elif len(nodes_obj) != n_nodes:
            raise ConfigError(
                f"{cpath}.nodes: got {len(nodes_obj)} nodes, expected {n_nodes} "
                "(every cell has the same number of nodes)"
            )
        nodes = tuple(_parse_node(node_obj, f"{cpath}.nodes[{t}]", t) for t, node_obj in enumerate(nodes_obj))
        cells.append(CellGenotype(inputs=inputs, nodes=nodes))
    return FusionGenotype(cells=tuple(cells))


def parse_precision(obj: Any, path: str = "precision") -> PrecisionGenotype:
    """Validate the per-component precision mapping."""
    if isinstance(obj, PrecisionGenotype):
        return obj
    mapping = _mapping(obj, path, required=set(), optional={"image", "audio", "fusion"})
    values = {}
    for component, value in mapping.items():
        if not isinstance(value, str) or value not in PRECISIONS:
            raise ConfigError(f"{path}.{component}: got {value!r}, expected one of {list(PRECISIONS)}")
        values[component] = value
    return PrecisionGenotype(**values)


def _parse_node(obj: Any, path: str, index: int) -> NodeGenotype:
    node = _mapping(obj, path, required={"inputs", "op"})
    inputs = _input_pair(node["inputs"], f"{path}.inputs", 2 + index, "node input")
    op = node["op"]
    if not isinstance(op, str) or op not in FUSION_OPS:
        raise ConfigError(f"{path}.op: got {op!r}, expected one of {list(FUSION_OPS)}")
    if op in SYMMETRIC_OPS:
        inputs = tuple(sorted(inputs))
    return NodeGenotype(inputs=inputs, op=op)


def _input_pair(obj: Any, path: str, n_available: int, what: str) -> tuple[int, int]:
    pair = _int_list(obj, path, 2, range(n_available))
    if pair[0] == pair[1]:
        raise ConfigError(f"{path}: got {list(pair)}, expected two distinct {what}s")
    return pair[0], pair[1]


def _mapping(obj: Any, path: str, required: set[str], optional: set[str] = frozenset()) -> Mapping[str, Any]:
    if not isinstance(obj, Mapping):
        raise ConfigError(f"{path}: got {type(obj).__name__} {_short(obj)}, expected an object")
    unknown = sorted(set(obj) - required - optional, key=str)
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {unknown}, expected {sorted(required | optional)}")
    missing = sorted(required - set(obj))
    if missing:
        raise ConfigError(f"{path}: missing key(s) {missing}")
    return obj


def _int_list(obj: Any, path: str, length: int, allowed: Sequence[int]) -> tuple[int, ...]:
    if not isinstance(obj, (list, tuple)):
        raise ConfigError(f"{path}: got {type(obj).__name__} {_short(obj)}, expected a list of {length} integers")
    if len(obj) != length:
        raise ConfigError(f"{path}: got {len(obj)} values {_short(obj)}, expected {length}")
    for j, value in enumerate(obj):
        # bool is an int subclass; floats (NaN included) are rejected as wrong types.
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{path}[{j}]: got {type(value).__name__} {_short(value)}, expected an integer")
        if value not in allowed:
            shown = list(allowed) if len(allowed) <= 12 else f"{allowed[0]}..{allowed[-1]}"
            raise ConfigError(f"{path}[{j}]: got {value!r}, expected one of {shown}")
    return tuple(obj)


_short = short

"""Numeric encodings of configs, shared by surrogates and Bayesian optimisation.

Two fixed-length encodings, each with an exact inverse on canonical configs:

* ordinal (:func:`encode_ordinal`, 79 columns): kernels and expand ratios by value,
  depth, cell and node counts, input indices, operator index, precision in bits;
  inactive genes are ``0`` (backbone) or ``-1`` (fusion).
* one-hot (:func:`encode_onehot`, 355 columns): one indicator per allowed value of
  every gene; inactive genes are all-zero groups.

Column names come from :func:`ordinal_feature_names` / :func:`onehot_feature_names`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from bench.errors import ConfigError
from bench.space.config import (
    COMPONENTS,
    DEPTHS,
    EXPANDS,
    FUSION_OPS,
    KERNELS,
    MAX_CELLS,
    MAX_NODES,
    MODALITIES,
    N_FUSION_INPUTS,
    N_UNIT_BLOCKS,
    PRECISIONS,
    Config,
)
from bench.space.validate import parse_config
from bench.tasks import DEFAULT_TASK

PRECISION_BITS = {"fp32": 32, "int8": 8, "int4": 4}
PRECISION_OF_BITS = {bits: precision for precision, bits in PRECISION_BITS.items()}


@lru_cache(maxsize=None)
def gene_choices() -> tuple[tuple[str, tuple], ...]:
    """(name, allowed values) of every gene, in column order."""
    genes: list[tuple[str, tuple]] = []
    for m in MODALITIES:
        genes += [(f"{m}.ks[{i}]", KERNELS) for i in range(N_UNIT_BLOCKS)]
        genes += [(f"{m}.e[{i}]", EXPANDS) for i in range(N_UNIT_BLOCKS)]
        genes.append((f"{m}.d", DEPTHS))
    genes += [("fusion.n_cells", tuple(range(1, MAX_CELLS + 1))), ("fusion.n_nodes", tuple(range(1, MAX_NODES + 1)))]
    for c in range(MAX_CELLS):
        genes += [(f"fusion.cells[{c}].inputs[{s}]", tuple(range(N_FUSION_INPUTS + c))) for s in (0, 1)]
        for t in range(MAX_NODES):
            node = f"fusion.cells[{c}].nodes[{t}]"
            genes += [(f"{node}.inputs[{s}]", tuple(range(2 + t))) for s in (0, 1)]
            genes.append((f"{node}.op", FUSION_OPS))
    genes += [(f"precision.{c}", PRECISIONS) for c in COMPONENTS]
    return tuple(genes)


def ordinal_feature_names() -> list[str]:
    """Column names of the ordinal encoding."""
    return [name for name, _ in gene_choices()]


def onehot_feature_names() -> list[str]:
    """Column names of the one-hot encoding (``gene=value``)."""
    return [f"{name}={v}" for name, values in gene_choices() for v in values]


def ordinal_bounds() -> np.ndarray:
    """``(2, 79)`` lowest and highest value of every ordinal column, inactive values included."""
    columns = []
    for name, values in gene_choices():
        encoded = [_ordinal_value(name, v) for v in (*values, None)]
        columns.append((min(encoded), max(encoded)))
    return np.array(columns, dtype=float).T


def encode_ordinal(configs: Sequence[Config] | Config) -> np.ndarray:
    """Ordinal encoding, an ``(n, 79)`` float array (a 1-D row for one config)."""
    if isinstance(configs, Config):
        return encode_ordinal([configs])[0]
    return np.array([_ordinal_row(c) for c in configs], dtype=float).reshape(len(configs), len(gene_choices()))


@lru_cache(maxsize=None)
def _ordinal_layout() -> tuple[list[float], tuple[tuple[int, int, int], ...], int, int, tuple[int, ...]]:
    """The row of an all-inactive config; per modality the columns of ks[0], e[0] and d; the column of the cell count
    (the node count follows it) and of the first cell's first input; the precision columns."""
    inactive = [_ordinal_value(name, None) for name, _ in gene_choices()]
    column = {name: j for j, (name, _) in enumerate(gene_choices())}
    backbones = tuple((column[f"{m}.ks[0]"], column[f"{m}.e[0]"], column[f"{m}.d"]) for m in MODALITIES)
    precisions = tuple(column[f"precision.{comp}"] for comp in COMPONENTS)
    return inactive, backbones, column["fusion.n_cells"], column["fusion.cells[0].inputs[0]"], precisions


_OP_INDEX = {op: float(i) for i, op in enumerate(FUSION_OPS)}
_CELL_WIDTH = 2 + 3 * MAX_NODES  # ordinal columns of one cell: its two inputs, then inputs and operator of each node


def _ordinal_row(c: Config) -> list[float]:
    """One config's ordinal row, written straight into the gene columns (the hot path of surrogate queries)."""
    inactive, backbones, counts_at, cells_at, precisions_at = _ordinal_layout()
    row = inactive.copy()
    for (ks, e, d), g in zip(backbones, (c.image, c.audio)):
        depth = g.d
        row[ks : ks + depth] = g.ks[:depth]
        row[e : e + depth] = g.e[:depth]
        row[d] = depth
    cells = c.fusion.cells
    row[counts_at] = len(cells)
    row[counts_at + 1] = len(cells[0].nodes)
    op_index = _OP_INDEX
    for ci, cell in enumerate(cells):
        at = cells_at + ci * _CELL_WIDTH
        row[at : at + 2] = cell.inputs
        for node in cell.nodes:
            at += 3
            row[at - 1], row[at], row[at + 1] = node.inputs[0], node.inputs[1], op_index[node.op]
    p = c.precision
    row[precisions_at[0]], row[precisions_at[1]], row[precisions_at[2]] = (PRECISION_BITS[p.image], PRECISION_BITS[p.audio],
                                                                           PRECISION_BITS[p.fusion])
    return row


def decode_ordinal(X: np.ndarray, task: str = DEFAULT_TASK) -> list[Config]:
    """Inverse of :func:`encode_ordinal` (the encoding holds no task); rows must encode valid configs."""
    X = np.atleast_2d(np.asarray(X, dtype=float))
    _check_width(X, len(gene_choices()), "ordinal")
    out = []
    for row in X:
        values = {}
        for (name, allowed), x in zip(gene_choices(), row):
            if name.startswith("precision."):
                values[name] = PRECISION_OF_BITS.get(int(x), x)
            elif name.endswith(".op"):
                values[name] = FUSION_OPS[int(x)] if 0 <= x < len(FUSION_OPS) else None
            else:
                values[name] = int(x) if x >= 0 else None
        out.append(config_from_gene_values(values, task))
    return out


def encode_onehot(configs: Sequence[Config] | Config) -> np.ndarray:
    """One-hot encoding, an ``(n, 355)`` float array (a 1-D row for one config)."""
    if isinstance(configs, Config):
        return encode_onehot([configs])[0]
    offsets = _onehot_offsets()
    X = np.zeros((len(configs), offsets[-1]))
    for r, c in enumerate(configs):
        for j, ((name, allowed), (_, value)) in enumerate(zip(gene_choices(), gene_values(c))):
            if value is not None:
                X[r, offsets[j] + allowed.index(value)] = 1.0
    return X


def decode_onehot(X: np.ndarray, task: str = DEFAULT_TASK) -> list[Config]:
    """Inverse of :func:`encode_onehot` (argmax per gene; all-zero groups are inactive)."""
    X = np.atleast_2d(np.asarray(X, dtype=float))
    offsets = _onehot_offsets()
    _check_width(X, offsets[-1], "one-hot")
    out = []
    for row in X:
        values = {}
        for j, (name, allowed) in enumerate(gene_choices()):
            group = row[offsets[j] : offsets[j + 1]]
            values[name] = allowed[int(np.argmax(group))] if group.max() > 0 else None
        out.append(config_from_gene_values(values, task))
    return out


def _onehot_offsets() -> list[int]:
    return [0, *np.cumsum([len(values) for _, values in gene_choices()]).tolist()]


def gene_values(c: Config) -> list[tuple[str, object]]:
    """(gene name, value or None when inactive) of ``c``, in column order."""
    values: dict[str, object] = {}
    for m in MODALITIES:
        g = c.backbone(m)
        for i in range(N_UNIT_BLOCKS):
            values[f"{m}.ks[{i}]"] = g.ks[i] if i < g.d else None
            values[f"{m}.e[{i}]"] = g.e[i] if i < g.d else None
        values[f"{m}.d"] = g.d
    values["fusion.n_cells"] = c.fusion.n_cells
    values["fusion.n_nodes"] = c.fusion.n_nodes
    for ci, cell in enumerate(c.fusion.cells):
        for s in (0, 1):
            values[f"fusion.cells[{ci}].inputs[{s}]"] = cell.inputs[s]
        for t, node in enumerate(cell.nodes):
            for s in (0, 1):
                values[f"fusion.cells[{ci}].nodes[{t}].inputs[{s}]"] = node.inputs[s]
            values[f"fusion.cells[{ci}].nodes[{t}].op"] = node.op
    for comp in COMPONENTS:
        values[f"precision.{comp}"] = getattr(c.precision, comp)
    return [(name, values.get(name)) for name, _ in gene_choices()]


def _ordinal_value(name: str, value: object) -> float:
    if value is None:
        return 0.0 if not name.startswith("fusion.") else -1.0
    if name.startswith("precision."):
        return float(PRECISION_BITS[value])
    if name.endswith(".op"):
        return float(FUSION_OPS.index(value))
    return float(value)


def config_from_gene_values(values: dict[str, object], task: str) -> Config:
    """The config of gene name -> value (None when inactive), validated and canonicalised by :func:`parse_config`."""
    backbones = {}
    for m in MODALITIES:
        d = values[f"{m}.d"]
        backbones[m] = {
            "ks": [values[f"{m}.ks[{i}]"] if i < (d or 0) else KERNELS[0] for i in range(N_UNIT_BLOCKS)],
            "e": [values[f"{m}.e[{i}]"] if i < (d or 0) else EXPANDS[0] for i in range(N_UNIT_BLOCKS)],
            "d": [d],
        }
    n_cells, n_nodes = values["fusion.n_cells"], values["fusion.n_nodes"]
    if not isinstance(n_cells, int) or not isinstance(n_nodes, int):
        raise ConfigError(f"encoding: cell/node counts missing (got {n_cells!r}, {n_nodes!r})")
    if not (1 <= n_cells <= MAX_CELLS and 1 <= n_nodes <= MAX_NODES):
        raise ConfigError(f"encoding: got {n_cells} cells of {n_nodes} nodes, expected 1..{MAX_CELLS} cells of 1..{MAX_NODES} nodes")
    cells = []
    for ci in range(n_cells):
        nodes = [
            {
                "inputs": [values[f"fusion.cells[{ci}].nodes[{t}].inputs[{s}]"] for s in (0, 1)],
                "op": values[f"fusion.cells[{ci}].nodes[{t}].op"],
            }
            for t in range(n_nodes)
        ]
        cells.append({"inputs": [values[f"fusion.cells[{ci}].inputs[{s}]"] for s in (0, 1)], "nodes": nodes})
    return parse_config(
        {
            "task": task,
            **backbones,
            "fusion": {"cells": cells},
            "precision": {comp: values[f"precision.{comp}"] for comp in COMPONENTS},
        }
    )


def _check_width(X: np.ndarray, width: int, kind: str) -> None:
    if X.shape[1] != width:
        raise ConfigError(f"{kind} encoding: got {X.shape[1]} columns, expected {width}")

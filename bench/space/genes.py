"""The space as a fixed list of discrete decisions, for optimisers from other libraries.

Every decision is a :class:`Gene`: an index into its ``choices``. Genes may be inactive
(a kernel beyond the depth, a cell beyond the cell count: ``active_when``), and the
second input of a cell or node must differ from the first (``distinct_from``): its
index counts the choices *without* the first input's value, so every integer vector
within :func:`gene_bounds` decodes to a valid config (:func:`decode_genes`) and a
box-constrained optimiser (pymoo, Optuna) needs no constraint handling. The precision
tier has genes only when a problem searches more than one precision.

Example:
    >>> import numpy as np
    >>> from bench.space import decode_genes, encode_genes, sample_config
    >>> c = sample_config(np.random.default_rng(0))
    >>> decode_genes(encode_genes([c]), c.task)[0] == c
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from bench.errors import ConfigError
from bench.space.config import COMPONENTS, DEPTHS, FP32_ONLY, MODALITIES, N_UNIT_BLOCKS, Config
from bench.space.encoding import config_from_gene_values, gene_choices, gene_values


@dataclass(frozen=True)
class Gene:
    """One decision: ``choices[i]`` for an index ``i`` (of ``choices`` less the ``distinct_from`` gene's value).

    Attributes:
        name: the gene's path, as in the ordinal encoding (``fusion.cells[1].nodes[0].op``).
        choices: its values, in order.
        active_when: ``(gene, value)`` pairs; the gene is read only when each named gene's value exceeds ``value``.
        distinct_from: the gene whose value this one may not take (the first input of the same pair), or None.
    """

    name: str
    choices: tuple
    active_when: tuple[tuple[str, int], ...] = ()
    distinct_from: str | None = None

    @property
    def n_indices(self) -> int:
        """How many indices the gene takes (one fewer than its choices when it must differ from another gene)."""
        return len(self.choices) - (self.distinct_from is not None)

    def value(self, index: int, values: dict[str, object]) -> object:
        """The value of ``index`` given the values decided so far (``values``, which holds ``distinct_from``)."""
        options = self.options(values)
        if not 0 <= index < len(options):
            raise ConfigError(f"gene {self.name}: index {index} outside 0..{len(options) - 1}")
        return options[index]

    def index(self, value: object, values: dict[str, object]) -> int:
        """The index of ``value`` given the values decided so far (inverse of :meth:`value`)."""
        return self.options(values).index(value)

    def options(self, values: dict[str, object]) -> tuple:
        """The choices left given the values decided so far."""
        if self.distinct_from is None:
            return self.choices
        return tuple(c for c in self.choices if c != values[self.distinct_from])

    def active(self, values: dict[str, object]) -> bool:
        """Whether the gene is read, given the values decided so far."""
        return all(values[gene] > threshold for gene, threshold in self.active_when)


@lru_cache(maxsize=None)
def genes(precisions: tuple[str, ...] = FP32_ONLY) -> tuple[Gene, ...]:
    """The genes of the space searched at ``precisions``, in decision order (a gene's conditions come before it)."""
    out = []
    for name, choices in gene_choices():
        if name.startswith("precision."):
            if len(precisions) > 1:
                out.append(Gene(name, tuple(precisions)))
            continue
        out.append(Gene(name, choices, _conditions(name), _first_of_pair(name)))
    return tuple(_decision_order(out))


def gene_bounds(precisions: tuple[str, ...] = FP32_ONLY) -> np.ndarray:
    """``(2, n_genes)`` smallest and largest index of every gene."""
    return np.array([[0] * len(genes(precisions)), [g.n_indices - 1 for g in genes(precisions)]], dtype=int)


def encode_genes(configs: Sequence[Config], precisions: tuple[str, ...] = FP32_ONLY) -> np.ndarray:
    """``(n, n_genes)`` integer indices of ``configs`` (inactive genes are 0).

    Raises:
        ConfigError: when a config has a precision outside ``precisions``.
    """
    out = np.zeros((len(configs), len(genes(precisions))), dtype=int)
    for r, config in enumerate(configs):
        values = dict(gene_values(config))
        for j, gene in enumerate(genes(precisions)):
            if gene.active(values):
                if values[gene.name] not in gene.choices:
                    raise ConfigError(f"{gene.name}: got {values[gene.name]!r}, expected one of {list(gene.choices)}")
                out[r, j] = gene.index(values[gene.name], values)
        if len(precisions) == 1 and any(values[f"precision.{c}"] != precisions[0] for c in COMPONENTS):
            raise ConfigError(f"config {config.id}: precision {config.precision.to_dict()} outside {list(precisions)}")
    return out


def decode_genes(X: np.ndarray, task: str, precisions: tuple[str, ...] = FP32_ONLY) -> list[Config]:
    """The config of every row of integer indices ``X`` (``(n, n_genes)``; values of inactive genes are ignored).

    Raises:
        ConfigError: naming the gene of an index outside :func:`gene_bounds`, or a row of the wrong width.
    """
    X = np.atleast_2d(np.asarray(X))
    if X.shape[1] != len(genes(precisions)):
        raise ConfigError(f"gene vector: got {X.shape[1]} genes, expected {len(genes(precisions))}")
    if not np.all(np.equal(np.mod(X, 1), 0)):
        raise ConfigError("gene vector: indices must be whole numbers")
    return [config_from_gene_values(_decide(row, precisions), task) for row in X.astype(int)]


def _decide(indices: Sequence[int], precisions: tuple[str, ...] = FP32_ONLY) -> dict[str, object]:
    """Gene name -> value (None when inactive) of one row of indices, precisions filled in when not searched."""
    values = unsearched_values(precisions)
    for gene, index in zip(genes(precisions), indices):
        values[gene.name] = gene.value(int(index), values) if gene.active(values) else None
    return values


def unsearched_values(precisions: tuple[str, ...] = FP32_ONLY) -> dict[str, object]:
    """The values of the decisions that have no gene at ``precisions``: each component's one precision (none when
    precisions are searched)."""
    return {f"precision.{c}": precisions[0] for c in COMPONENTS} if len(precisions) == 1 else {}


def _conditions(name: str) -> tuple[tuple[str, int], ...]:
    """What must hold for ``name`` to be read: the depth for a block's genes, cell and node counts for fusion genes."""
    for m in MODALITIES:
        for i in range(N_UNIT_BLOCKS):
            if name in (f"{m}.ks[{i}]", f"{m}.e[{i}]"):
                return ((f"{m}.d", i),) if i >= min(DEPTHS) else ()
    if name.startswith("fusion.cells["):
        cell = int(name[len("fusion.cells[") :].split("]")[0])
        conditions = [("fusion.n_cells", cell)] if cell else []
        if ".nodes[" in name:
            node = int(name.split(".nodes[")[1].split("]")[0])
            conditions += [("fusion.n_nodes", node)] if node else []
        return tuple(conditions)
    return ()


def _first_of_pair(name: str) -> str | None:
    """The first input of the pair whose second input ``name`` is, or None."""
    return name.removesuffix(".inputs[1]") + ".inputs[0]" if name.endswith(".inputs[1]") else None


def _decision_order(gene_list: list[Gene]) -> list[Gene]:
    """The genes that others' conditions name (depth, cell and node counts) first, then the rest in column order."""
    parents = {name for gene in gene_list for name, _ in gene.active_when}
    return sorted(gene_list, key=lambda gene: gene.name not in parents)

"""Genotype value types of the two-tier (plus precision) search space.

A :class:`Config` is always canonical: build one with :func:`bench.space.parse_config`,
which validates and canonicalises, or with the sampling helpers. The dataclasses are
frozen and hashable, so equal networks compare and hash equal.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from bench.data import MODALITIES

KERNELS: tuple[int, ...] = (3, 5, 7)
EXPANDS: tuple[int, ...] = (3, 4, 6)
DEPTHS: tuple[int, ...] = (2, 3, 4)
N_UNIT_BLOCKS = 4
FUSION_OPS: tuple[str, ...] = ("Sum", "ScaleDotAttn", "LinearGLU", "ConcatFC", "SE1", "CatConvMish")
SYMMETRIC_OPS: frozenset[str] = frozenset({"Sum"})
MAX_CELLS = 4
MAX_NODES = 4
N_FEATURES_PER_MODALITY = 4
N_FUSION_INPUTS = N_FEATURES_PER_MODALITY * len(MODALITIES)
PRECISIONS: tuple[str, ...] = ("fp32", "int8", "int4")
FP32_ONLY: tuple[str, ...] = ("fp32",)  # the precisions of a search without the precision tier
COMPONENTS: tuple[str, ...] = ("image", "audio", "fusion")
# Filler written into inactive ks / e slots by canonicalisation.
INACTIVE_KERNEL = KERNELS[0]
INACTIVE_EXPAND = EXPANDS[0]


@dataclass(frozen=True)
class BackboneGenotype:
    """Tier 1: one elastic MobileNetV3 unit (kernels, expand ratios, depth).

    Only the first ``d`` entries of ``ks`` and ``e`` are active; canonical genotypes
    hold :data:`INACTIVE_KERNEL` / :data:`INACTIVE_EXPAND` in the others.
    """

    ks: tuple[int, ...]
    e: tuple[int, ...]
    d: int

    def to_dict(self) -> dict[str, list[int]]:
        """JSON form: ``{"ks": [4 ints], "e": [4 ints], "d": [1 int]}``."""
        return {"ks": list(self.ks), "e": list(self.e), "d": [self.d]}

    @property
    def active_blocks(self) -> tuple[tuple[int, int], ...]:
        """(kernel, expand) of each active unit block, in order."""
        return tuple(zip(self.ks[: self.d], self.e[: self.d]))

    @cached_property
    def id(self) -> str:
        """Stable id: sha256 of the canonical JSON (first 16 hex digits)."""
        return _stable_id(self.to_dict())


@dataclass(frozen=True)
class NodeGenotype:
    """One fusion node: two distinct inputs (0 = x, 1 = y, 2+ = earlier nodes) and an operator."""

    inputs: tuple[int, int]
    op: str

    def to_dict(self) -> dict[str, Any]:
        return {"inputs": list(self.inputs), "op": self.op}


@dataclass(frozen=True)
class CellGenotype:
    """One fusion cell: two distinct earlier states (x, y) and its nodes."""

    inputs: tuple[int, int]
    nodes: tuple[NodeGenotype, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"inputs": list(self.inputs), "nodes": [n.to_dict() for n in self.nodes]}


@dataclass(frozen=True)
class FusionGenotype:
    """Tier 2: the fusion network, ``len(cells)`` cells of ``n_nodes`` nodes each.

    States: 0-3 image features (earliest to latest), 4-7 audio features, 8+ outputs
    of earlier cells.
    """

    cells: tuple[CellGenotype, ...]

    @property
    def n_cells(self) -> int:
        return len(self.cells)

    @property
    def n_nodes(self) -> int:
        return len(self.cells[0].nodes)

    def to_dict(self) -> dict[str, Any]:
        return {"cells": [c.to_dict() for c in self.cells]}

    @cached_property
    def id(self) -> str:
        return _stable_id(self.to_dict())

    def used_inputs(self, n_inputs: int = N_FUSION_INPUTS) -> list[int]:
        """Indices of the ``n_inputs`` backbone features that get a reshape layer: read by a cell or the head."""
        n_states = n_inputs + self.n_cells
        used = {i for cell in self.cells for i in cell.inputs} | {n_states - 2, n_states - 1}
        return sorted(i for i in used if i < n_inputs)


@dataclass(frozen=True)
class PrecisionGenotype:
    """Tier 3 (optional): weight precision per component."""

    image: str = "fp32"
    audio: str = "fp32"
    fusion: str = "fp32"

    def to_dict(self) -> dict[str, str]:
        return {"image": self.image, "audio": self.audio, "fusion": self.fusion}

    @property
    def all_fp32(self) -> bool:
        """Whether no component is quantised."""
        return (self.image, self.audio, self.fusion) == ("fp32", "fp32", "fp32")


@dataclass(frozen=True)
class Config:
    """A full multimodal architecture: two backbones, a fusion network, precisions."""

    task: str
    image: BackboneGenotype
    audio: BackboneGenotype
    fusion: FusionGenotype
    precision: PrecisionGenotype = PrecisionGenotype()

    def backbone(self, modality: str) -> BackboneGenotype:
        """The backbone genotype of ``modality`` ('image' or 'audio')."""
        return self.image if modality == "image" else self.audio

    def to_dict(self) -> dict[str, Any]:
        """Canonical JSON-ready dict (the interchange format)."""
        return {
            "task": self.task,
            "image": self.image.to_dict(),
            "audio": self.audio.to_dict(),
            "fusion": self.fusion.to_dict(),
            "precision": self.precision.to_dict(),
        }

    def to_json(self) -> str:
        """Canonical JSON text (sorted keys, no spaces)."""
        return canonical_json(self.to_dict())

    @cached_property
    def id(self) -> str:
        """Stable id: sha256 of the canonical JSON (first 16 hex digits)."""
        return _stable_id(self.to_dict())

    @cached_property
    def architecture_id(self) -> str:
        """The :attr:`id` of this architecture at fp32: shared by all its precision mixes."""
        return replace(self, precision=PrecisionGenotype()).id


def canonical_json(obj: Any) -> str:
    """Deterministic JSON text used for hashing."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def _stable_id(obj: Any) -> str:
    return hashlib.sha256(canonical_json(obj).encode()).hexdigest()[:16]

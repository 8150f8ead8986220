"""Cost values with provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from bench.space import Config


@dataclass(frozen=True)
class Cost:
    """Latency (ms) and energy (mJ) of one model or component; None means not measured.

    ``provenance`` says where the figures come from, e.g. ``lut:tx2``.
    """

    latency_ms: float | None
    energy_mj: float | None
    provenance: str

    def to_dict(self) -> dict[str, float | str | None]:
        return {"latency_ms": self.latency_ms, "energy_mj": self.energy_mj, "provenance": self.provenance}


@dataclass(frozen=True)
class ModelCost:
    """Whole-model cost plus the cost of each component (image, audio, fusion)."""

    total: Cost
    components: dict[str, Cost] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """``{"latency_ms", "energy_mj", "provenance", "components": {name: {...}}}``."""
        return {**self.total.to_dict(), "components": {k: v.to_dict() for k, v in self.components.items()}}


class Device(Protocol):
    """Anything that prices a config: a look-up table, a measured host, an analytical model."""

    name: str

    def cost(self, config: Config) -> ModelCost:
        """Cost of the whole model and of each component."""
        ...

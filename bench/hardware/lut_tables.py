"""The Harmonic-NAS per-layer look-up tables as read from disk (no torch): one board's backbone and fusion tables.

The tables (Ghebriout et al., ACML 2023) are read from ``MMNAS_LUT_DIR`` (default
``../shared/luts/harmonic-nas``), never copied. :class:`bench.hardware.lut.LutDevice`
builds the keys from a model's layers; a caller that already holds the keys (the static
costs off the tables) sums them here.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from bench.errors import DataError, LutKeyError
from bench.hardware.cost import Cost
from bench.jsonio import read_json

DEFAULT_LUT_DIR = "../shared/luts/harmonic-nas"


def lut_dir_from_env() -> Path:
    """``MMNAS_LUT_DIR`` if set, else ``../shared/luts/harmonic-nas`` (relative to the working directory)."""
    return Path(os.environ.get("MMNAS_LUT_DIR", DEFAULT_LUT_DIR))


class LutTables:
    """The backbone table of ``family`` and the fusion table of ``board`` (``lut:<board>`` named ``name``).

    Raises:
        DataError: a table missing or corrupt.
    """

    def __init__(self, name: str, board: str, family: str, lut_dir: str | Path | None = None) -> None:
        self.name = name
        self.lut_dir = Path(lut_dir) if lut_dir is not None else lut_dir_from_env()
        self.backbone_path = self.lut_dir / f"lut_ofa_{family}_{board}.json"
        self.fusion_path = self.lut_dir / f"lut_fusion_{board}.json"
        self.backbone = _read_table(self.backbone_path)
        self.fusion = _read_table(self.fusion_path)

    def backbone_cost(self, keys: list[str]) -> Cost:
        """The plain sum of the backbone table's entries ``keys`` (a missing key is an error)."""
        return self._sum(keys, self.backbone, self.backbone_path)

    def fusion_cost(self, keys: list[str]) -> Cost:
        """The plain sum of the fusion table's entries ``keys`` (a missing key is an error)."""
        return self._sum(keys, self.fusion, self.fusion_path)

    def _sum(self, keys: list[str], table: dict[str, dict], path: Path) -> Cost:
        latency = energy = 0.0
        for key in keys:
            if key not in table:
                raise LutKeyError(key, str(path))
            latency += float(table[key]["lat"])
            energy += float(table[key]["enrg"])
        return Cost(latency_ms=latency, energy_mj=energy, provenance=self.name)


def _read_table(path: Path) -> dict[str, dict]:
    if not path.is_file():
        raise DataError(
            f"look-up table {path} not found: set MMNAS_LUT_DIR to the folder holding the Harmonic-NAS "
            "tables (upstream: Mohamed-Imed-Eddine/Harmonic-NAS, evaluate/*/efficiency)"
        )
    table = read_json(path)
    try:
        for key, entry in table.items():
            for field in ("lat", "enrg"):  # numbers, or numbers as text (the OFA backbone tables)
                value = entry[field]
                number = float(value) if isinstance(value, (int, float, str)) and not isinstance(value, bool) else math.nan
                if not math.isfinite(number) or number < 0:
                    raise ValueError(f"entry {key[:80]!r}: {field} = {str(value)[:40]} is not a finite non-negative number")
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise DataError(f"look-up table {path} is corrupt: {err}") from None
    return table

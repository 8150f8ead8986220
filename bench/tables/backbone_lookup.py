"""Per-backbone values of the exhaustive backbone tables, looked up by genotype.

Every backbone of the space has one row per modality, so any column of those tables is
known exactly for the image and audio backbones of any joint config
(:class:`bench.tables.static_costs.StaticCosts` sums them with the fusion network's parts).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bench.space import MODALITIES, BackboneGenotype
from bench.tables.manifest import load_table


class BackboneLookup:
    """The backbone tables of one task (``backbones_<modality>.parquet`` in ``task_dir``)."""

    def __init__(self, task_dir: str | Path) -> None:
        self.frames: dict[str, pd.DataFrame] = {}
        self._rows: dict[str, dict[tuple, int]] = {}
        for modality in MODALITIES:
            frame = load_table(task_dir, f"backbones_{modality}")
            keys = zip(map(tuple, frame["ks"]), map(tuple, frame["e"]), frame["d"])
            self._rows[modality] = {(tuple(map(int, ks)), tuple(map(int, e)), int(d)): n for n, (ks, e, d) in enumerate(keys)}
            self.frames[modality] = frame

    def row(self, genotype: BackboneGenotype, modality: str) -> int:
        """Row index of ``genotype`` in the ``modality`` table."""
        return self._rows[modality][genotype.ks, genotype.e, genotype.d]


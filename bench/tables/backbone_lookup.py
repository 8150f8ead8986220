"""Per-backbone values of the exhaustive backbone tables, looked up by genotype.

Every backbone of the space has one row per modality, so any column of those tables is
known exactly for the image and audio backbones of any joint config.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from bench.space import BackboneGenotype, Config
from bench.tables.manifest import load_table

MODALITIES = ("image", "audio")


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

    def complete_columns(self) -> set[str]:
        """Numeric columns with a value for every backbone of both modalities."""
        sets = [
            {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c]) and frame[c].notna().all()}
            for frame in self.frames.values()
        ]
        return set.intersection(*sets)

    def row(self, genotype: BackboneGenotype, modality: str) -> int:
        """Row index of ``genotype`` in the ``modality`` table."""
        return self._rows[modality][genotype.ks, genotype.e, genotype.d]

    def backbone_sum(self, configs: Sequence[Config], column: str) -> np.ndarray:
        """``column`` of each config's image backbone plus that of its audio backbone."""
        total = np.zeros(len(configs))
        for modality in MODALITIES:
            values = self.frames[modality][column].to_numpy(dtype=float)
            total += values[[self.row(c.backbone(modality), modality) for c in configs]]
        return total

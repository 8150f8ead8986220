"""Per-backbone values of the exhaustive backbone tables, looked up by genotype.

Every backbone of the space has one row per modality, so any column of those tables is
known exactly for the image and audio backbones of any joint config
(:class:`bench.tables.static_costs.StaticCosts` sums them with the fusion network's parts).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bench.space import MODALITIES, N_UNIT_BLOCKS, BackboneGenotype
from bench.tables.manifest import TableError, load_table


class BackboneLookup:
    """The backbone tables of one task (``backbones_<modality>.parquet`` in ``task_dir``)."""

    def __init__(self, task_dir: str | Path) -> None:
        self.frames: dict[str, pd.DataFrame] = {}
        self._codes: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # modality -> (sorted codes, their rows)
        self._rows: dict[str, dict[tuple, int]] = {}
        for modality in MODALITIES:
            frame = load_table(task_dir, f"backbones_{modality}")
            depth = frame["d"].to_numpy(dtype=np.int64)
            active = np.arange(N_UNIT_BLOCKS) < depth[:, None]
            codes = _codes(np.stack(frame["ks"].to_numpy()).astype(np.int64) * active,
                           np.stack(frame["e"].to_numpy()).astype(np.int64) * active, depth)
            order = np.argsort(codes, kind="stable")
            self._codes[modality] = codes[order], order
            keys = zip(map(tuple, frame["ks"]), map(tuple, frame["e"]), frame["d"])
            self._rows[modality] = {(tuple(map(int, ks)), tuple(map(int, e)), int(d)): n for n, (ks, e, d) in enumerate(keys)}
            self.frames[modality] = frame

    def row(self, genotype: BackboneGenotype, modality: str) -> int:
        """Row index of ``genotype`` in the ``modality`` table."""
        return self._rows[modality][genotype.ks, genotype.e, genotype.d]

    def rows(self, kernel: np.ndarray, expand: np.ndarray, depth: np.ndarray, modality: str) -> np.ndarray:
        """Row indices in the ``modality`` table of the backbones given as gene arrays (``(n, 4)`` kernels and expand ratios,
        0 beyond the ``(n,)`` depths; :class:`bench.space.gene_arrays.GeneArrays`).

        Raises:
            TableError: a backbone the table does not hold (an incomplete backbone table).
        """
        codes = _codes(kernel, expand, depth)
        known, rows = self._codes[modality]
        at = np.searchsorted(known, codes).clip(0, len(known) - 1)
        missing = known[at] != codes
        if missing.any():
            first = int(np.argmax(missing))
            raise TableError(f"the {modality} backbone table has no row for ks={kernel[first].tolist()} e={expand[first].tolist()} "
                             f"d={int(depth[first])}: it is incomplete (export it again once its sweep has finished)")
        return rows[at]


def _codes(kernel: np.ndarray, expand: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """One integer per backbone (kernels and expand ratios below 8, 0 in inactive blocks)."""
    code = np.asarray(depth, dtype=np.int64)
    for i in range(N_UNIT_BLOCKS):
        code = (code * 8 + kernel[:, i]) * 8 + expand[:, i]
    return code

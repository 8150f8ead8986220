"""The fusion parts table: static figures and look-up-table keys of every fusion part, at every precision.

A fusion network's static figures are sums over its parts (one reshape layer per fusion
input it reads, one LayerNorm per cell, the head, one operator per node). The parts are
few (every reshape width the backbones can feed, cell, head, six operators, times three
precisions), so the export counts them once with torch and writes ``fusion_parts.parquet``;
:class:`bench.tables.static_costs.StaticCosts` reads it without torch. The operators'
latency and energy stay in the Harmonic-NAS tables: the table holds their keys only.
"""

from __future__ import annotations

import pandas as pd

from bench.models import skeleton
from bench.space import DEPTHS, FUSION_OPS, PRECISIONS

FUSION_PARTS_TABLE = "fusion_parts"
PART_KEY = ("kind", "channels", "precision")


def fusion_part_kinds() -> list[tuple[str, int]]:
    """(kind, channels) of every fusion part: a reshape layer per backbone feature width, cell, head, operators."""
    widths = sorted({c for depth in DEPTHS for c in skeleton.feature_channels(depth)})
    return [("input", c) for c in widths] + [("cell", 0), ("head", 0)] + [(op, 0) for op in FUSION_OPS]


def fusion_parts_frame() -> pd.DataFrame:
    """One row per (part, precision): params, MACs, bytes, ``model:horowitz45`` energy and LUT keys (needs torch)."""
    from bench.hardware.figures import part_figures, part_module
    from bench.hardware.lut import model_layer_keys

    rows = []
    for precision in PRECISIONS:
        for kind, channels in fusion_part_kinds():
            keys = model_layer_keys(*part_module(kind, channels)) if kind in FUSION_OPS else []
            rows.append({"kind": kind, "channels": channels, "precision": precision, **part_figures(kind, channels, precision),
                         "lut_keys": keys})
    return pd.DataFrame.from_records(rows)

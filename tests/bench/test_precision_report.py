"""``mmnas tables report --precision`` on small synthetic tables."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd

from bench.cli import main
from bench.space import PrecisionGenotype, sample_backbone, sample_config
from tests.helpers import write_tables


def _backbones(rng: np.random.Generator, modality_offset: float) -> pd.DataFrame:
    genotypes = [sample_backbone(rng) for _ in range(3)]
    return pd.DataFrame({
        "config_json": [json.dumps(g.to_dict()) for g in genotypes],
        "val_acc": [80.0 + modality_offset, 90.0 + modality_offset, 95.0 + modality_offset],
        "test_acc": [79.0 + modality_offset, 89.0 + modality_offset, 94.0 + modality_offset],
        "bytes": [100_000, 200_000, 5_000_000],  # the best one is over every budget below
        "val_acc_int8": [70.0, 88.0, 94.0], "test_acc_int8": [69.0, 87.0, 93.0], "bytes_int8": [25_000, 50_000, 1_250_000],
    })


def test_precision_report_compares_at_the_same_bytes(tmp_path, capsys):
    rng = np.random.default_rng(0)
    configs = [sample_config(rng) for _ in range(2)]
    configs.append(replace(configs[0], precision=PrecisionGenotype("int8", "int8", "int8")))  # the first at int8
    joint = pd.DataFrame({
        "config_json": [c.to_json() for c in configs],
        "image_precision": ["fp32", "fp32", "int8"], "audio_precision": ["fp32", "fp32", "int8"],
        "fusion_precision": ["fp32", "fp32", "int8"],
        "val_acc": [97.0, 96.0, 86.0], "test_acc": [96.5, 99.0, 85.0], "total_bytes": [1_000_000, 900_000, 300_000],
        "total_horowitz45_energy_mj": [0.4, 0.3, 0.05], "val_acc_before_quantisation": [np.nan, np.nan, 87.5],
    })
    write_tables(tmp_path / "soundmnist", {"joint": joint, "backbones_image": _backbones(rng, 0.0), "backbones_audio": _backbones(rng, -5.0)})
    assert main(["tables", "report", "--precision", "--tables-dir", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    fp32 = next(line for line in lines if line.startswith("| fp32/fp32/fp32"))
    int8 = next(line for line in lines if line.startswith("| int8/int8/int8"))
    # fp32: best by val is the 97 % config (test 96.5), budget 1 MB: image-only 89.0, audio-only 84.0
    assert fp32.split(" | ")[1:4] == ["2", "96.50", "1000"] and "| 89.00 | 200 |" in fp32 and fp32.endswith("yes |")
    # int8: budget 300 kB: image-only int8 87.0 beats the multimodal 85.0
    assert "| 87.00 | 50 |" in int8 and int8.endswith("no |")
    by_budget = {line.split(" | ")[0][2:]: line for line in lines if line.startswith(("| 100 |", "| 300 |", "| no limit |"))}
    # 100 kB: no joint config that small; the best backbone within it is image int8 (val 88, 50 kB)
    assert by_budget["100"].startswith("| 100 | 0 | none in the table |") and "| image int8 | 87.00 | 50 |" in by_budget["100"]
    assert by_budget["100"].endswith("unknown |")
    # 300 kB: only the int8 config fits (test 85.0); image fp32 at 200 kB (test 89.0) wins
    assert by_budget["300"].startswith("| 300 | 1 | int8/int8/int8 | 85.00 | 300 |") and "| image fp32 | 89.00 | 200 |" in by_budget["300"]
    assert by_budget["300"].endswith("no |")
    # no limit: the 5 MB image backbone (val 95) against the 97 % config
    assert by_budget["no limit"].startswith("| no limit | 3 | fp32/fp32/fp32 | 96.50 | 1000 |")
    assert "| image fp32 | 94.00 | 5000 |" in by_budget["no limit"] and by_budget["no limit"].endswith("yes |")
    assert any(line.startswith("| image backbones | int8 | 3 | 88.00 | 2.00 | 10.00 |") for line in lines)
    assert any(line.startswith("| image backbones | int4 | 0 | not measured") for line in lines)
    assert any(line.startswith("| fusion network (same training) | int8 | 1 | 86.00 | 1.50 |") for line in lines)
    assert any(line.startswith("| whole config vs same architecture at fp32 | int8/int8/int8 | 1 | 86.00 | 11.00 | 11.00 |") for line in lines)


def test_precision_mixes_are_ordered_by_bit_width():
    from bench.tables.precision_report import _by_mix

    mixes = [("int4", "fp32", "int8"), ("fp32", "fp32", "fp32"), ("int8", "int4", "int4"), ("fp32", "int8", "fp32")]
    frame = pd.DataFrame(mixes + mixes[:1], columns=["image_precision", "audio_precision", "fusion_precision"])
    assert [(mix, len(rows)) for mix, rows in _by_mix(frame)] == [
        (("fp32", "fp32", "fp32"), 1), (("fp32", "int8", "fp32"), 1), (("int8", "int4", "int4"), 1), (("int4", "fp32", "int8"), 2),
    ]

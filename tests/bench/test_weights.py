"""Supernet files are plain weights: a crafted pickle is refused unloaded, a changed file is refused before use."""

from __future__ import annotations

import hashlib
import shutil

import pytest
import torch

from bench.errors import DataError
from bench.sweep.kinds import supernet_sha256
from bench.train.supernet import load_weights
from tests.helpers import COMMITTED


class _Payload:
    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        import os

        return (os.system, (f"touch {self.marker}",))


def test_a_crafted_pickle_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "image.pt"
    torch.save({"model": {}, "evil": _Payload(marker)}, path)
    with pytest.raises(DataError, match="not a plain weights file, refused unloaded"):
        load_weights(path)
    assert not marker.exists()


def test_the_committed_supernets_load_as_plain_weights():
    for modality in ("image", "audio"):
        path = COMMITTED / "supernets" / f"{modality}.pt"
        state = load_weights(path, hashlib.sha256(path.read_bytes()).hexdigest())
        assert all(isinstance(v, torch.Tensor) for v in state["model"].values())


def test_a_flipped_bit_in_a_supernet_is_refused_before_any_job_uses_it(tmp_path):
    task_dir = tmp_path / "tables" / "soundmnist"
    shutil.copytree(COMMITTED / "supernets", task_dir / "supernets")
    assert supernet_sha256(tmp_path / "tables", "soundmnist", "image")  # the recorded sha256 matches
    path = task_dir / "supernets" / "image.pt"
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    path.write_bytes(bytes(raw))
    with pytest.raises(DataError, match="image.pt: sha256 .* is not the .* recorded for it: corrupt or replaced"):
        supernet_sha256(tmp_path / "tables", "soundmnist", "image")
    with pytest.raises(DataError, match="is not the recorded"):
        load_weights(path, hashlib.sha256(bytes(raw[:-1])).hexdigest())

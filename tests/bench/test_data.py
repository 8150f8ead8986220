from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pytest

from bench.data import resolve_data_dir
from bench.data.arrays import load_cached
from bench.errors import DataError, UnknownNameError
from bench.tasks import load_task


def test_split_counts_shapes_and_balance(soundmnist):
    expected = {"train": 900, "val": 150, "test": 450}
    for split, n in expected.items():
        arrays = soundmnist.split(split)
        assert len(arrays) == n
        assert arrays.image.shape == (n, 1, 28, 28) and arrays.image.dtype == np.float32
        assert arrays.audio.shape == (n, 1, 20, 20) and arrays.audio.dtype == np.float32
        assert np.bincount(arrays.label, minlength=10).tolist() == [n // 10] * 10
        assert np.isfinite(arrays.audio).all()
    assert soundmnist.train.image.min() == -1.0 and soundmnist.train.image.max() == 1.0


def test_splits_are_disjoint(soundmnist):
    def rows(arrays):
        return {a.tobytes() for a in arrays.audio}

    train, val, test = rows(soundmnist.train), rows(soundmnist.val), rows(soundmnist.test)
    assert not train & val and not train & test and not val & test


def test_pairs_follow_the_protocol(soundmnist, data_dir):
    # The first test pair of class 3 is the first MNIST-test '3' with 3_jackson_0.wav.
    from bench.data.fsdd import mfcc_image
    from bench.data.mnist import read_mnist

    images, labels = read_mnist(data_dir / "mnist", "test")
    first_three = images[np.flatnonzero(labels == 3)[0]]
    row = 3 * 45
    assert soundmnist.test.label[row] == 3
    assert np.allclose(soundmnist.test.image[row, 0], (first_three / 255.0 - 0.5) / 0.5, atol=1e-6)
    audio = mfcc_image(data_dir / "fsdd/recordings/3_jackson_0.wav", 3, 20, 20, 8000)
    assert np.allclose(soundmnist.test.audio[row, 0], (audio - 0.5) / 0.5, atol=1e-4)


def test_cache_is_reused_and_rebuilt_when_corrupt(soundmnist, soundmnist_cache, data_dir, tmp_path):
    (built,) = soundmnist_cache.glob("soundmnist-*.npz")
    cached = tmp_path / built.name
    shutil.copy(built, cached)
    assert load_cached(tmp_path, "soundmnist", soundmnist.key) is not None
    assert load_cached(tmp_path, "soundmnist", "another key") is None  # a changed input or protocol rebuilds
    cached.write_bytes(b"not an npz")
    assert load_cached(tmp_path, "soundmnist", soundmnist.key) is None
    again = load_task("soundmnist", data_dir=data_dir, cache_dir=tmp_path)
    assert np.array_equal(again.val.audio, soundmnist.val.audio)


def _copy_data(data_dir: Path, tmp_path: Path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(data_dir / "mnist", root / "mnist")
    (root / "fsdd").mkdir()
    for item in (data_dir / "fsdd").iterdir():
        (root / "fsdd" / item.name).symlink_to(item)
    return root


def test_corrupt_mnist_file_fails_checksum(data_dir, tmp_path):
    root = _copy_data(data_dir, tmp_path)
    target = root / "mnist" / "t10k-labels-idx1-ubyte.gz"
    raw = bytearray(gzip.decompress(target.read_bytes()))
    raw[100] ^= 1
    target.write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(DataError, match="checksum mismatch for .*t10k-labels-idx1-ubyte.gz"):
        load_task("soundmnist", data_dir=root, cache_dir=tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


def test_corrupt_wav_fails_checksum(data_dir, tmp_path):
    root = _copy_data(data_dir, tmp_path)
    recordings = root / "fsdd" / "recordings"
    recordings.unlink()
    shutil.copytree(data_dir / "fsdd" / "recordings", recordings)
    wav = recordings / "7_theo_20.wav"
    wav.write_bytes(wav.read_bytes()[:-10])
    with pytest.raises(DataError, match="7_theo_20.wav"):
        load_task("soundmnist", data_dir=root, cache_dir=tmp_path / "cache")


def test_missing_file_and_folders_are_named(data_dir, tmp_path):
    root = _copy_data(data_dir, tmp_path)
    (root / "mnist" / "train-images-idx3-ubyte.gz").unlink()
    with pytest.raises(DataError, match="missing data file .*train-images-idx3-ubyte.gz"):
        load_task("soundmnist", data_dir=root, cache_dir=tmp_path / "cache")
    shutil.rmtree(root / "mnist")
    with pytest.raises(DataError, match="has no mnist/ folder"):
        load_task("soundmnist", data_dir=root, cache_dir=tmp_path / "cache")


def test_wrong_data_dir_and_unset_env(tmp_path, monkeypatch):
    with pytest.raises(DataError, match="does not exist"):
        resolve_data_dir(tmp_path / "nowhere")
    monkeypatch.delenv("MMNAS_DATA", raising=False)
    with pytest.raises(DataError, match="MMNAS_DATA"):
        resolve_data_dir(None)
    with pytest.raises(UnknownNameError, match="unknown task 'cifar'"):
        load_task("cifar", data_dir=tmp_path)

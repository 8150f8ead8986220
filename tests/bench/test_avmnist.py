"""Task avmnist: split sizes, disjoint splits, a deterministic degradation, and no test data in its calibration."""

from __future__ import annotations

import numpy as np
import pytest

from bench.data.mnist import read_mnist
from bench.tasks import avmnist, load_task

SIZES = {"train": 2400, "val": 2400, "test": 4800}


@pytest.fixture(scope="module")
def data(data_dir, tmp_path_factory):
    return load_task("avmnist", data_dir=data_dir, cache_dir=tmp_path_factory.mktemp("avmnist-cache"))


def test_split_sizes_shapes_and_balance(data):
    for split, n in SIZES.items():
        arrays = data.split(split)
        assert len(arrays) == n and arrays.image.shape == (n, 1, 28, 28) and arrays.audio.shape == (n, 1, 20, 20)
        assert arrays.image.dtype == arrays.audio.dtype == np.float32 and np.isfinite(arrays.audio).all()
        assert np.bincount(arrays.label, minlength=10).tolist() == [n // 10] * 10
    assert abs(float(data.train.image.mean())) < 1e-4 and abs(float(data.train.image.std()) - 1) < 1e-4


def test_no_image_and_no_recording_is_in_two_splits(data_dir):
    labels = {file: read_mnist(data_dir / "mnist", file)[1] for file in ("train", "test")}
    pairs = {s: avmnist.pairs(avmnist.PROTOCOL, s, labels[avmnist.PROTOCOL["images"][s][0]]) for s in SIZES}
    images = {s: {(avmnist.PROTOCOL["images"][s][0], i) for i, _, _ in p} for s, p in pairs.items()}
    recordings = {s: {name for _, name, _ in p} for s, p in pairs.items()}
    for a, b in (("train", "val"), ("train", "test"), ("val", "test")):
        assert not images[a] & images[b] and not recordings[a] & recordings[b]
    assert {s: len(p) for s, p in pairs.items()} == SIZES
    assert all(len(images[s]) == SIZES[s] for s in SIZES)  # an image is used once, a recording with several images
    assert len(recordings["train"]) == 1200 and len(recordings["val"]) == 600 and len(recordings["test"]) == 1200
    assert all(name.startswith(f"recordings/{digit}_") for p in pairs.values() for _, name, digit in p)


@pytest.mark.slow
def test_the_degradation_is_deterministic(data, data_dir):
    again = avmnist.degraded_splits(data_dir, avmnist.PROTOCOL)
    for split in SIZES:
        for field in ("image", "audio", "label"):
            assert getattr(again[split], field).tobytes() == getattr(data.split(split), field).tobytes()


@pytest.mark.slow
def test_test_data_never_reach_the_calibration(data, data_dir, monkeypatch):
    """Replace every test input by noise: PCA, noise and standardisation leave train and validation byte-identical."""
    real = avmnist._raw_split

    def scrambled(root, protocol, split):
        if split != "test":
            return real(root, protocol, split)
        rng = np.random.default_rng(1)
        return rng.random((SIZES["test"], 28, 28)), rng.normal(size=(SIZES["test"], 20, 20)).astype(np.float32), data.test.label

    monkeypatch.setattr(avmnist, "_raw_split", scrambled)
    altered = avmnist.degraded_splits(data_dir, avmnist.PROTOCOL)
    for split in ("train", "val"):
        assert altered[split].image.tobytes() == data.split(split).image.tobytes()
        assert altered[split].audio.tobytes() == data.split(split).audio.tobytes()
    assert altered["test"].image.tobytes() != data.test.image.tobytes()


def test_noise_is_seeded_per_recording(data_dir):
    name = "recordings/3_theo_5.wav"
    audio = avmnist.PROTOCOL["audio"]
    first, second = (avmnist._noisy_mfcc(data_dir / "fsdd" / name, name, audio) for _ in range(2))
    other = avmnist._noisy_mfcc(data_dir / "fsdd" / name, name, {**audio, "noise_seed": 1})
    assert first.tobytes() == second.tobytes() and first.tobytes() != other.tobytes()


def test_missing_modalities_are_seeded_and_filled_as_the_protocol_says(data, data_dir):
    absent = avmnist.missing(avmnist.PROTOCOL, "val", SIZES["val"])
    again = avmnist.missing(avmnist.PROTOCOL, "val", SIZES["val"])
    assert all((absent[m] == again[m]).all() for m in ("image", "audio"))
    assert 0.12 < absent["image"].mean() < 0.20 and 0.07 < absent["audio"].mean() < 0.13
    blank = data.val.image[absent["image"]]
    assert np.ptp(blank.reshape(len(blank), -1) - blank[0].reshape(1, -1)) == 0  # every blank image degrades alike
    assert not np.allclose(data.val.image[~absent["image"]][0], blank[0])
    labels = read_mnist(data_dir / "mnist", "train")[1]
    silent = [name for (_, name, _), gone in zip(avmnist.pairs(avmnist.PROTOCOL, "val", labels), absent["audio"]) if gone]
    audio = avmnist.PROTOCOL["audio"]
    path = data_dir / "fsdd" / silent[0]
    noise = avmnist._noisy_mfcc(path, silent[0], audio, speech=False)
    assert noise.tobytes() == avmnist._noisy_mfcc(path, silent[0], audio, speech=False).tobytes()
    assert noise.tobytes() != avmnist._noisy_mfcc(path, silent[0], audio).tobytes()

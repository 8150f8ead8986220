"""Task ``soundmnist``: MNIST digits paired with FSDD spoken digits (DESIGN.md section 2).

Train pool: per class the first 105 MNIST-train images (file order) paired in order with
that digit's FSDD takes 15..49 of speakers jackson, nicolas, theo (speaker-major) ->
1,050 pairs; a seeded stratified hold-out of 15 per class is the validation split (150),
the rest trains (900). Test: per class the first 45 MNIST-test images paired with takes
0..14 -> 450 pairs, never used for training or selection.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from bench.data.arrays import SplitArrays, TaskData, cache_key, load_cached, save_cached
from bench.data.fsdd import mfcc_image, read_fsdd_sums, recording_name, verify_recording
from bench.data.mnist import read_mnist, verify_mnist
from bench.tasks import Task, register_task

logger = logging.getLogger(__name__)

PROTOCOL = {
    "version": 1,
    "speakers": ["jackson", "nicolas", "theo"],
    "n_classes": 10,
    "train_takes": [15, 50],  # half-open range
    "test_takes": [0, 15],
    "train_images_per_class": 105,
    "test_images_per_class": 45,
    "val_per_class": 15,
    "val_seed": 0,
    "image_norm": [0.5, 0.5],
    "audio": {"decimation": 3, "rate_hz": 8000, "n_mfcc": 20, "n_frames": 20, "norm": [0.5, 0.5]},
}


def verify_soundmnist(data_dir: Path) -> dict[str, str]:
    """sha256 of every input file the task reads (MNIST IDX files, the FSDD recordings it uses), each verified."""
    mnist_dir, fsdd_dir = data_dir / "mnist", data_dir / "fsdd"
    input_hashes = {f"mnist/{k}": v for k, v in verify_mnist(mnist_dir).items()}
    sums = read_fsdd_sums(fsdd_dir)
    for split in ("train", "test"):
        for per_class in _recordings(split):
            for name in per_class:
                input_hashes[f"fsdd/{name}"] = verify_recording(fsdd_dir, name, sums)
    return input_hashes


def build_soundmnist(data_dir: Path, cache_dir: Path) -> TaskData:
    """Verify the inputs, then load the cached arrays or build and cache them."""
    mnist_dir, fsdd_dir = data_dir / "mnist", data_dir / "fsdd"
    key = cache_key("soundmnist", verify_soundmnist(data_dir), PROTOCOL)
    cached = load_cached(cache_dir, "soundmnist", key)
    if cached is not None:
        return cached
    logger.info("building soundmnist arrays from %s", data_dir)
    names = {split: _recordings(split) for split in ("train", "test")}
    train_pool = _pairs(mnist_dir, fsdd_dir, "train", names["train"], PROTOCOL["train_images_per_class"])
    test = _pairs(mnist_dir, fsdd_dir, "test", names["test"], PROTOCOL["test_images_per_class"])
    val_mask = _validation_mask(train_pool.label)
    data = TaskData(
        name="soundmnist",
        train=_subset(train_pool, ~val_mask),
        val=_subset(train_pool, val_mask),
        test=test,
        key=key,
    )
    save_cached(cache_dir, data)
    return data


def _recordings(split: str) -> list[list[str]]:
    lo, hi = PROTOCOL[f"{split}_takes"]
    return [
        [recording_name(digit, speaker, take) for speaker in PROTOCOL["speakers"] for take in range(lo, hi)]
        for digit in range(PROTOCOL["n_classes"])
    ]


def _pairs(mnist_dir: Path, fsdd_dir: Path, split: str, names: list[list[str]], per_class: int) -> SplitArrays:
    images, labels = read_mnist(mnist_dir, split)
    audio_cfg = PROTOCOL["audio"]
    image_rows, audio_rows, label_rows = [], [], []
    for digit in range(PROTOCOL["n_classes"]):
        idx = np.flatnonzero(labels == digit)[:per_class]
        image_rows.append(images[idx])
        audio_rows += [
            mfcc_image(
                fsdd_dir / name, audio_cfg["decimation"], audio_cfg["n_mfcc"], audio_cfg["n_frames"], audio_cfg["rate_hz"]
            )
            for name in names[digit]
        ]
        label_rows.append(np.full(per_class, digit, dtype=np.int64))
    mean, std = PROTOCOL["image_norm"]
    image = ((np.concatenate(image_rows).astype(np.float32) / 255.0 - mean) / std)[:, None]
    a_mean, a_std = audio_cfg["norm"]
    audio = ((np.stack(audio_rows) - a_mean) / a_std).astype(np.float32)[:, None]
    return SplitArrays(image=image, audio=audio, label=np.concatenate(label_rows))


def _validation_mask(labels: np.ndarray) -> np.ndarray:
    rng = np.random.default_rng(PROTOCOL["val_seed"])
    mask = np.zeros(labels.shape[0], dtype=bool)
    for digit in range(PROTOCOL["n_classes"]):
        idx = np.flatnonzero(labels == digit)
        mask[rng.choice(idx, size=PROTOCOL["val_per_class"], replace=False)] = True
    return mask


def _subset(split: SplitArrays, mask: np.ndarray) -> SplitArrays:
    return SplitArrays(image=split.image[mask], audio=split.audio[mask], label=split.label[mask])


register_task(Task("soundmnist", build_soundmnist, verify_soundmnist, PROTOCOL, data_folders=("mnist", "fsdd")))

"""MNIST from its four original IDX gzip files."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from bench.data.checksums import verify_file
from bench.errors import DataError

# Published checksums of the canonical distribution (as used by torchvision and TFDS).
MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
_PREFIX = {"train": "train", "test": "t10k"}


def mnist_files(mnist_dir: Path, split: str) -> tuple[Path, Path]:
    """Paths of the (images, labels) files of ``split`` ('train' or 'test')."""
    prefix = _PREFIX[split]
    return mnist_dir / f"{prefix}-images-idx3-ubyte.gz", mnist_dir / f"{prefix}-labels-idx1-ubyte.gz"


def verify_mnist(mnist_dir: Path) -> dict[str, str]:
    """Verify the four files; return their name -> sha256."""
    return {name: verify_file(mnist_dir / name, sha) for name, sha in MNIST_SHA256.items()}


def read_mnist(mnist_dir: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Images ``(n, 28, 28)`` uint8 and labels ``(n,)`` uint8 of one split, in file order."""
    images_path, labels_path = mnist_files(mnist_dir, split)
    images = _read_idx(images_path, magic=0x803)
    labels = _read_idx(labels_path, magic=0x801)
    if images.shape[0] != labels.shape[0]:
        raise DataError(f"{images_path} has {images.shape[0]} images but {labels_path} {labels.shape[0]} labels")
    return images, labels


def _read_idx(path: Path, magic: int) -> np.ndarray:
    with gzip.open(path, "rb") as fh:
        raw = fh.read()
    header = int.from_bytes(raw[:4], "big")
    if header != magic:
        raise DataError(f"{path}: IDX magic {header:#x}, expected {magic:#x}")
    n_dims = magic & 0xFF
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(n_dims)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * n_dims)
    if data.size != int(np.prod(dims)):
        raise DataError(f"{path}: {data.size} bytes of data, header says {dims}")
    return data.reshape(dims)

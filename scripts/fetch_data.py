"""Download the raw data of task ``soundmnist`` from its canonical public sources.

Writes ``<dest>/mnist/*.gz`` (MNIST, via the torchvision mirror of LeCun et al.'s files)
and ``<dest>/fsdd/recordings/*.wav`` plus ``<dest>/fsdd/SHA256SUMS`` (Free Spoken Digit
Dataset, tag v1.0.10, CC BY-SA 4.0), then verifies every file against the checksums
that ``bench.data`` checks. Point ``MMNAS_DATA`` (or ``--data-dir``) at ``<dest>``.

Usage: python scripts/fetch_data.py DEST
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

MNIST_MIRROR = "https://ossci-datasets.s3.amazonaws.com/mnist/"
FSDD_ARCHIVE = "https://github.com/Jakobovski/free-spoken-digit-dataset/archive/refs/tags/v1.0.10.tar.gz"


def _download(url: str) -> bytes:
    print(f"downloading {url}", file=sys.stderr)
    with urllib.request.urlopen(url, timeout=120) as response:
        return response.read()


def fetch_mnist(dest: Path) -> None:
    """The four IDX gzip files, checked against their published sha256."""
    from bench.data.mnist import MNIST_SHA256

    (dest / "mnist").mkdir(parents=True, exist_ok=True)
    for name, sha in MNIST_SHA256.items():
        blob = _download(MNIST_MIRROR + name)
        if hashlib.sha256(blob).hexdigest() != sha:
            raise SystemExit(f"{name}: checksum mismatch, not written")
        (dest / "mnist" / name).write_bytes(blob)


def fetch_fsdd(dest: Path) -> None:
    """The 3,000 recordings and a SHA256SUMS file in the layout ``bench.data`` verifies."""
    recordings = dest / "fsdd" / "recordings"
    recordings.mkdir(parents=True, exist_ok=True)
    lines = []
    with tarfile.open(fileobj=io.BytesIO(_download(FSDD_ARCHIVE)), mode="r:gz") as archive:
        for member in archive.getmembers():
            parts = Path(member.name).parts
            if member.isfile() and len(parts) == 3 and parts[1] == "recordings" and parts[2].endswith(".wav"):
                blob = archive.extractfile(member).read()
                (recordings / parts[2]).write_bytes(blob)
                lines.append(f"{hashlib.sha256(blob).hexdigest()}  recordings/{parts[2]}")
    lines.sort(key=lambda line: line.split("  ", 1)[1].encode())
    (dest / "fsdd" / "SHA256SUMS").write_text("\n".join(lines) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    args = parser.parse_args()
    fetch_mnist(args.dest)
    fetch_fsdd(args.dest)
    from bench.tasks import load_task, task_names

    for task in task_names():  # verifies every checksum and builds the cache
        load_task(task, data_dir=args.dest)
    print(f"data ready in {args.dest}; set MMNAS_DATA={args.dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

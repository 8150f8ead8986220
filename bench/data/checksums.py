"""SHA-256 verification of input files."""

from __future__ import annotations

import hashlib
from pathlib import Path

from bench.errors import DataError


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_file(path: Path, expected_sha256: str) -> str:
    """Check that ``path`` exists and has the expected SHA-256; return the hash.

    Raises:
        DataError: naming the file when it is missing or its checksum differs.
    """
    if not path.is_file():
        raise DataError(f"missing data file {path}")
    actual = sha256_file(path)
    if actual != expected_sha256:
        raise DataError(f"checksum mismatch for {path}: sha256 {actual}, expected {expected_sha256} (corrupt or altered file)")
    return actual

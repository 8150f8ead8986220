"""Per-example correctness of a trained network, packed for the result logs.

Every joint training records which validation and test pairs its final (scored) network
classified correctly, one bit per pair in split order, as base64 of ``numpy.packbits``:
750 bytes per seed on avmnist. They let the validity report re-score configs on
subsets of a split (how ranks depend on the split size) without retraining.
"""

from __future__ import annotations

import base64
import binascii

import numpy as np

from bench.errors import DataError


def pack_correct(correct: np.ndarray) -> str:
    """The base64 text of a boolean vector (one bit per example, split order)."""
    return base64.b64encode(np.packbits(np.asarray(correct, dtype=bool))).decode("ascii")


def unpack_correct(text: str, n: int) -> np.ndarray:
    """The boolean vector of ``n`` examples packed by :func:`pack_correct`.

    Raises:
        DataError: when ``text`` is not base64 of exactly ``ceil(n / 8)`` bytes.
    """
    try:
        packed = np.frombuffer(base64.b64decode(text, validate=True), dtype=np.uint8)
    except (binascii.Error, ValueError, TypeError) as err:
        raise DataError(f"per-example correctness is not base64 text ({err})") from None
    if len(packed) != (n + 7) // 8:
        raise DataError(f"per-example correctness holds {len(packed)} bytes, expected {(n + 7) // 8} for {n} examples")
    return np.unpackbits(packed, count=n).astype(bool)

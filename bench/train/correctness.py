"""Per-example correctness of a trained network, packed for the result logs.

Every joint training records which validation and test pairs its final (scored) network
classified correctly, one bit per pair in split order, as ``"<n>:<base64 of numpy.packbits>"``
(self-describing: the number of pairs first), about 1 kB per seed on avmnist. They let the validity report re-score configs on
subsets of a split (how ranks depend on the split size) without retraining.
"""

from __future__ import annotations

import base64
import binascii

import numpy as np

from bench.errors import DataError


def pack_correct(correct: np.ndarray) -> str:
    """The text of a boolean vector (one bit per example, split order): its length, a colon, base64 of its bits."""
    correct = np.asarray(correct, dtype=bool)
    return f"{len(correct)}:" + base64.b64encode(np.packbits(correct)).decode("ascii")


def is_sized(text: object) -> bool:
    """Whether ``text`` is a record in :func:`pack_correct`'s format (missing: trained before records existed; base64
    without the length: the first format, 3 avmnist jobs of commit 38b73e3)."""
    return isinstance(text, str) and ":" in text


def unpack_correct(text: str) -> np.ndarray:
    """The boolean vector packed by :func:`pack_correct`.

    Raises:
        DataError: when ``text`` is not ``<n>:<base64>`` with exactly ``ceil(n / 8)`` bytes.
    """
    count, _, bits = str(text).partition(":")
    try:
        n = int(count)
        packed = np.frombuffer(base64.b64decode(bits, validate=True), dtype=np.uint8)
    except (binascii.Error, ValueError, TypeError) as err:
        raise DataError(f"per-example correctness is not '<n>:<base64>' text ({err})") from None
    if len(packed) != (n + 7) // 8:
        raise DataError(f"per-example correctness holds {len(packed)} bytes, expected {(n + 7) // 8} for {n} examples")
    return np.unpackbits(packed, count=n).astype(bool)

"""The packed per-example correctness of joint trainings."""

from __future__ import annotations

import numpy as np
import pytest

from bench.errors import DataError
from bench.train.correctness import pack_correct, unpack_correct


@pytest.mark.parametrize("n", [1, 7, 8, 9, 150, 2400])
def test_round_trip(n):
    correct = np.random.default_rng(n).random(n) < 0.7
    text = pack_correct(correct)
    count, bits = text.split(":")
    assert int(count) == n and len(bits) == 4 * -(-((n + 7) // 8) // 3)  # base64 of ceil(n / 8) bytes
    np.testing.assert_array_equal(unpack_correct(text), correct)


def test_wrong_length_and_bad_text_are_refused():
    bits = pack_correct(np.ones(150, dtype=bool)).split(":")[1]
    with pytest.raises(DataError, match="holds 19 bytes, expected 20 for 160 examples"):
        unpack_correct(f"160:{bits}")
    for text in ("not base64!", f"150:{bits}!", f"x:{bits}"):
        with pytest.raises(DataError, match="not '<n>:<base64>' text"):
            unpack_correct(text)

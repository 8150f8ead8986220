"""Progress bars with an ETA for long commands, on stderr and only when it is a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")


def progress(items: Iterable[T], total: int | None = None, desc: str | None = None, unit: str = "it") -> Iterator[T]:
    """``items`` with a progress bar (count, rate, ETA) on stderr; no bar when stderr is not a terminal (logs, CI)."""
    return iter(tqdm(items, total=total, desc=desc, unit=unit, disable=None, file=sys.stderr, dynamic_ncols=True, leave=False))

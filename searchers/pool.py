"""The rows of a table-variant problem, indexed for look-ups of the nearest row to any config."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bench.space import Config, encode_ordinal


class Pool:
    """``configs`` (a problem's ``pool``) with their ordinal encodings scaled to unit range per gene."""

    def __init__(self, configs: Sequence[Config]) -> None:
        self.configs = list(configs)
        X = encode_ordinal(self.configs)
        span = np.ptp(X, axis=0) if len(X) else np.ones(X.shape[1])
        self._scale = np.where(span > 0, span, 1.0)
        self._X = X / self._scale
        self._row = {c.id: i for i, c in enumerate(self.configs)}

    def __len__(self) -> int:
        return len(self.configs)

    def row(self, config: Config) -> int | None:
        """The row of ``config``, or None when it is not in the pool."""
        return self._row.get(config.id)

    def nearest(self, config: Config, rows: np.ndarray | None = None) -> int:
        """The row (among ``rows``, default all) nearest to ``config`` in L1 distance of the scaled ordinal encoding."""
        rows = np.arange(len(self.configs)) if rows is None else rows
        distance = np.abs(self._X[rows] - encode_ordinal([config]) / self._scale).sum(axis=1)
        return int(rows[int(np.argmin(distance))])

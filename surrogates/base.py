"""The surrogate contract: scikit-learn style ``fit`` / ``predict``, portable save / load.

A saved surrogate is one JSON file holding its format, hyper-parameters, fitted state
and the version of the table it was fitted on (``table_sha256``); loading it against
another table version is an error, so predictions never silently mix releases.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

import numpy as np

from bench.errors import DataError
from bench.files import write_text_atomic
from bench.jsonio import read_json


class NotFittedError(ValueError, AttributeError):
    """``predict`` or ``save`` before ``fit`` (catchable as either builtin, as in scikit-learn)."""


class VersionMismatchError(DataError):
    """A saved surrogate was fitted on another version of the tables."""


class Surrogate(ABC):
    """Base class: ``__init__`` stores hyper-parameters only; ``fit`` learns state ending in ``_``."""

    format_name = ""

    @abstractmethod
    def fit(self, X: np.ndarray, y: np.ndarray) -> Surrogate:
        """Fit to ``X`` ``(n, d)`` and targets ``y`` ``(n,)``; returns self."""

    @abstractmethod
    def predict(self, X: np.ndarray, return_std: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Predictive mean ``(n,)`` (and standard deviation ``(n,)`` with ``return_std``)."""

    @abstractmethod
    def _state(self) -> dict[str, Any]:
        """JSON-able fitted state."""

    @abstractmethod
    def _restore(self, state: dict[str, Any]) -> None:
        """Inverse of :meth:`_state`."""

    def get_params(self) -> dict[str, Any]:
        """The hyper-parameters given to ``__init__``."""
        return {k: v for k, v in vars(self).items() if not k.endswith("_")}

    def _check_fitted(self) -> None:
        if not getattr(self, "n_features_", None):
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet: call fit(X, y) first")

    def _check_X(self, X: np.ndarray) -> np.ndarray:
        X = np.atleast_2d(np.asarray(X, dtype=float))
        if X.shape[1] != self.n_features_:
            raise ValueError(f"X has {X.shape[1]} features, {type(self).__name__} was fitted with {self.n_features_}")
        return X

    def save(self, path: str | Path, table_sha256: str) -> None:
        """Write the fitted surrogate to one JSON file (atomically)."""
        self._check_fitted()
        doc = {"format": self.format_name, "version": 1, "table_sha256": table_sha256, "params": self.get_params(), "state": self._state()}
        write_text_atomic(path, json.dumps(doc))

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Surrogate:
        model = cls(**doc["params"])
        model._restore(doc["state"])
        return model


def read_document(path: str | Path, table_sha256: str | None) -> dict[str, Any]:
    """A saved surrogate's JSON, checked for format and table version."""
    path = Path(path)
    try:
        doc = read_json(path)
        doc["format"], doc["params"], doc["state"], doc["table_sha256"]
    except (DataError, KeyError, TypeError) as err:
        raise DataError(f"surrogate file {path} is missing or corrupt: {err!r}") from err
    if table_sha256 is not None and doc["table_sha256"] != table_sha256:
        raise VersionMismatchError(
            f"surrogate {path} was fitted on table {doc['table_sha256'][:12]}..., the tables in use are {table_sha256[:12]}..."
        )
    return doc

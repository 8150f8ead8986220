"""Surrogate models fitted to the benchmark tables (XGBoost ensemble or quantiles, exact GP, MLP ensemble).

Example:
    >>> from surrogates import XGBoostEnsemble, load_surrogate
    >>> model = XGBoostEnsemble().fit(X, y)
    >>> mean, std = model.predict(X_new, return_std=True)
    >>> model.save("acc.json", table_sha256=sha); load_surrogate("acc.json", sha)
"""

from __future__ import annotations

from pathlib import Path

from bench.errors import DataError
from surrogates.base import NotFittedError, Surrogate, VersionMismatchError, read_document
from surrogates.gp import ExactGP
from surrogates.mlp import MLPEnsemble
from surrogates.xgb import XGBoostEnsemble, XGBoostQuantile

SURROGATES: dict[str, type[Surrogate]] = {cls.format_name: cls for cls in (XGBoostEnsemble, XGBoostQuantile, ExactGP, MLPEnsemble)}


def load_surrogate(path: str | Path, table_sha256: str | None) -> Surrogate:
    """Load a saved surrogate; ``table_sha256`` (if given) must match the one it was fitted on."""
    doc = read_document(path, table_sha256)
    if doc["format"] not in SURROGATES:
        raise DataError(f"surrogate file {path}: unknown format {doc['format']!r}, expected one of {sorted(SURROGATES)}")
    return SURROGATES[doc["format"]].from_document(doc)


__all__ = [
    "ExactGP", "MLPEnsemble", "NotFittedError", "Surrogate", "SURROGATES", "VersionMismatchError", "XGBoostEnsemble", "XGBoostQuantile",
    "load_surrogate",
]

"""Which install extra provides which package, so a feature without it says what to install (pyproject.toml)."""

from __future__ import annotations

import importlib
from types import ModuleType

from bench.errors import MissingExtraError

EXTRA_OF = {
    "torch": "models", "librosa": "models", "soundfile": "models",
    "scipy": "analysis", "xgboost": "surrogates", "botorch": "bo", "gpytorch": "bo", "moocore": "search",
    "matplotlib": "plots", "onnx": "device", "onnxscript": "device", "onnxruntime": "device",
    "dask": "dask", "distributed": "dask", "pymoo": "pymoo", "optuna": "optuna", "ConfigSpace": "configspace",
}


def missing_extra(module: str, feature: str) -> MissingExtraError:
    """The error for ``feature`` lacking ``module`` (a top-level package name), naming the extra that brings it."""
    root = module.split(".")[0]
    extra = EXTRA_OF.get(root)
    hint = f"pip install 'mmnas-bench[{extra}]'" if extra else f"pip install {root}"
    return MissingExtraError(f"{feature} needs {root}, which is not installed: {hint}")


def require(module: str, feature: str) -> ModuleType:
    """Import ``module`` for ``feature``, or raise :class:`MissingExtraError` naming the extra to install."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as err:
        if err.name is not None and module.split(".")[0] != err.name.split(".")[0]:
            raise  # the module is there; something it imports is broken
        raise missing_extra(module, feature) from err

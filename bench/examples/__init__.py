"""Named example configs shipped with the package (the Harmonic-NAS AV-MNIST models).

Example:
    >>> from bench.examples import load_example
    >>> load_example("harmonic_avmnist_1").fusion.n_cells
    2
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from bench.errors import ConfigError, UnknownNameError
from bench.jsonio import read_json, short
from bench.space import Config, parse_config
from bench.space.validate import MAX_CONFIG_BYTES


def example_names() -> list[str]:
    """Names of the shipped examples."""
    return sorted(p.name[:-5] for p in resources.files(__package__).iterdir() if p.name.endswith(".json"))


def example_document(name: str) -> dict:
    """The whole example file: ``config``, ``reference`` figures and a ``note``."""
    if name not in example_names():
        raise UnknownNameError(f"unknown example {name!r}, expected one of {example_names()}")
    return json.loads(resources.files(__package__).joinpath(f"{name}.json").read_text())


def load_example(name: str) -> Config:
    """The canonical config of example ``name``."""
    return parse_config(example_document(name)["config"])


WRAPPER_KEYS = frozenset({"config", "id", "name", "note", "reference"})  # example files and mmnas validate's output


def config_from_document(document: Any) -> Config:
    """The config of a parsed JSON document: a bare config, or an example-style file holding one under ``config``
    (beside it only ``id``, which must be the config's, ``name``, ``note`` and ``reference``)."""
    if isinstance(document, str):
        raise ConfigError("config: got a JSON string, expected an object (a config, or a document holding one under 'config')")
    if not (isinstance(document, dict) and "config" in document):
        return parse_config(document)
    unknown = sorted(set(document) - WRAPPER_KEYS)
    if unknown:
        raise ConfigError(f"config document: unknown key(s) {short(unknown)} beside 'config', expected some of {sorted(WRAPPER_KEYS)}")
    config = parse_config(document["config"])
    if "id" in document and document["id"] != config.id:
        raise ConfigError(f"config document: id {short(document['id'])} is not the id of its config ({config.id})")
    return config


def read_config(ref: str | Path) -> Config:
    """A config from a shipped example name, a config JSON file or an example-style JSON file (``config``, ``name``,
    ``note``, ``reference``: only ``config`` is read).

    Raises:
        ConfigError: neither an example name nor a readable JSON file, or not a valid config.
    """
    if str(ref) in example_names():
        return load_example(str(ref))
    path = Path(ref)
    if not path.is_file():
        raise ConfigError(f"config {str(ref)!r}: no such file and no example of that name (examples: {example_names()})")
    return config_from_document(read_json(path, ConfigError, max_bytes=MAX_CONFIG_BYTES))

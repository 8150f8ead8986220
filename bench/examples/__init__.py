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
from bench.space import Config, parse_config


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


def config_from_document(document: Any) -> Config:
    """The config of a parsed JSON document: a bare config, or an example-style file holding one under ``config``."""
    return parse_config(document["config"] if isinstance(document, dict) and "config" in document else document)


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
    try:
        document = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"config {str(ref)!r}: not valid JSON ({err})") from err
    return config_from_document(document)

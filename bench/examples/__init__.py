"""Named example configs shipped with the package (the Harmonic-NAS AV-MNIST models).

Example:
    >>> from bench.examples import load_example
    >>> load_example("harmonic_avmnist_1").fusion.n_cells
    2
"""

from __future__ import annotations

import json
from importlib import resources

from bench.errors import UnknownNameError
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

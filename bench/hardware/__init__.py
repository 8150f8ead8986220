"""Hardware cost models (devices), looked up by id: ``lut:tx2``, ``lut:agx``.

Example:
    >>> from bench.hardware import get_device
    >>> get_device("lut:tx2").cost(config).total.latency_ms
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bench.errors import UnknownNameError
from bench.hardware.cost import Cost, Device, ModelCost

# id prefix -> factory(suffix, **options); filled here, read-only afterwards.
_FACTORIES: dict[str, Callable[..., Device]] = {}


def _lut_factory(board: str, lut_dir: str | Path | None = None) -> Device:
    from bench.hardware.lut import LutDevice

    return LutDevice(board, lut_dir)


_FACTORIES["lut"] = _lut_factory
KNOWN_DEVICES = ("lut:tx2", "lut:agx")


def get_device(name: str, **options: object) -> Device:
    """The device called ``name`` (e.g. ``lut:tx2``).

    Raises:
        UnknownNameError: for an unknown id, listing the known ones.
    """
    prefix, _, suffix = name.partition(":")
    if prefix not in _FACTORIES or not suffix:
        raise UnknownNameError(f"unknown device {name!r}, expected one of {list(KNOWN_DEVICES)}")
    return _FACTORIES[prefix](suffix, **options)


__all__ = ["Cost", "Device", "ModelCost", "get_device", "KNOWN_DEVICES"]

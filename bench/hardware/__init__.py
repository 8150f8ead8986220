"""Hardware costs: look-up-table devices, analytical energy, measured latency, power meters, exports.

Devices are created by name through the registry (:func:`bench.devices.get_device`).

Example:
    >>> from bench.devices import get_device
    >>> get_device("lut:tx2").cost(config).total.latency_ms
"""

from bench.hardware.cost import Cost, Device, ModelCost

__all__ = ["Cost", "Device", "ModelCost"]

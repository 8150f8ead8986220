"""Energy meters: real counters only, behind one interface.

* :class:`RaplMeter`: Intel / AMD RAPL package counters via powercap sysfs
  (``/sys/class/powercap/intel-rapl:N/energy_uj``), counter wrap-around handled.
* :class:`NvmlMeter`: the NVIDIA driver's total-energy counter (``nvidia-ml-py``).
* :class:`Ina3221Meter`: Jetson INA3221 power rails (``in_powerN_input`` in mW under
  hwmon), sampled in a background thread and integrated over the run.
* :class:`CsvMeter`: an external meter's log (``timestamp_s,power_w`` lines), integrated
  over the run's time window.

Every meter says whether it is really present (:meth:`available`, with a reason when
not); :func:`available_meters` lists those that are. Nothing is ever estimated under a
meter's name: a missing meter means missing energy.
"""

from __future__ import annotations

import csv
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np


@dataclass(frozen=True)
class EnergyReading:
    """Energy used while a function ran, as one meter saw it."""

    meter: str
    joules: float
    seconds: float


class EnergyMeter(Protocol):
    """Measures the energy of running a function."""

    name: str

    def available(self) -> tuple[bool, str]:
        """(present, reason when not)."""
        ...

    def measure(self, run: Callable[[], Any]) -> EnergyReading:
        """Energy of one call of ``run``."""
        ...


class MeterUnavailableError(RuntimeError):
    """The meter is not present or not readable here."""


def _check(meter: EnergyMeter) -> None:
    present, reason = meter.available()
    if not present:
        raise MeterUnavailableError(f"{meter.name}: {reason}")


class RaplMeter:
    """RAPL package energy from powercap sysfs (sum over packages, wrap-safe)."""

    name = "rapl"

    def __init__(self, root: str | Path = "/sys/class/powercap") -> None:
        self.root = Path(root)

    def _domains(self) -> list[Path]:
        # top-level package domains only (intel-rapl:0, intel-rapl:1, ...), not sub-zones
        return sorted(p for p in self.root.glob("intel-rapl:*") if p.name.count(":") == 1)

    def available(self) -> tuple[bool, str]:
        domains = self._domains()
        if not domains:
            return False, f"no RAPL domains under {self.root}"
        try:
            for domain in domains:
                int((domain / "energy_uj").read_text())
        except PermissionError:
            return False, f"no permission to read {domains[0] / 'energy_uj'} (root, or chmod the powercap files)"
        except (OSError, ValueError) as err:
            return False, f"unreadable RAPL counter: {err}"
        return True, ""

    def _read(self) -> list[tuple[int, int]]:
        return [
            (int((d / "energy_uj").read_text()), int((d / "max_energy_range_uj").read_text())) for d in self._domains()
        ]

    def measure(self, run: Callable[[], Any]) -> EnergyReading:
        _check(self)
        before, start = self._read(), time.perf_counter()
        run()
        seconds, after = time.perf_counter() - start, self._read()
        micro = sum(end - begin if end >= begin else end + span - begin for (begin, span), (end, _) in zip(before, after))
        return EnergyReading(self.name, micro * 1e-6, seconds)


class NvmlMeter:
    """Total energy of GPU ``index`` from the NVIDIA driver (millijoule counter)."""

    name = "nvml"

    def __init__(self, index: int = 0, nvml: Any = None) -> None:
        self.index = index
        self._nvml = nvml

    def _lib(self) -> Any:
        if self._nvml is None:
            import pynvml  # nvidia-ml-py

            self._nvml = pynvml
        return self._nvml

    def available(self) -> tuple[bool, str]:
        try:
            lib = self._lib()
            lib.nvmlInit()
            lib.nvmlDeviceGetTotalEnergyConsumption(lib.nvmlDeviceGetHandleByIndex(self.index))
        except ImportError:
            return False, "nvidia-ml-py is not installed"
        except Exception as err:  # NVMLError subclasses: no driver, no GPU, not supported
            return False, f"NVML energy counter unavailable: {err}"
        return True, ""

    def measure(self, run: Callable[[], Any]) -> EnergyReading:
        _check(self)
        lib = self._lib()
        handle = lib.nvmlDeviceGetHandleByIndex(self.index)
        before, start = lib.nvmlDeviceGetTotalEnergyConsumption(handle), time.perf_counter()
        run()
        seconds = time.perf_counter() - start
        return EnergyReading(self.name, (lib.nvmlDeviceGetTotalEnergyConsumption(handle) - before) * 1e-3, seconds)


class Ina3221Meter:
    """Jetson INA3221 rails: power (mW) sampled every ``interval_s`` and integrated.

    Args:
        root: the hwmon folder of the INA3221 (holding ``in_powerN_input`` files).
        rails: which ``N`` to add up (default: every rail present).
    """

    name = "ina3221"

    def __init__(self, root: str | Path, rails: list[int] | None = None, interval_s: float = 0.005) -> None:
        self.root, self.rails, self.interval_s = Path(root), rails, interval_s

    def _files(self) -> list[Path]:
        files = sorted(self.root.glob("in_power*_input"))
        if self.rails is not None:
            files = [f for f in files if int(f.name[len("in_power") : -len("_input")]) in self.rails]
        return files

    def available(self) -> tuple[bool, str]:
        files = self._files()
        if not files:
            return False, f"no INA3221 power rails under {self.root}"
        try:
            [float(f.read_text()) for f in files]
        except (OSError, ValueError) as err:
            return False, f"unreadable INA3221 rail: {err}"
        return True, ""

    def _power_w(self) -> float:
        return sum(float(f.read_text()) for f in self._files()) / 1000.0

    def measure(self, run: Callable[[], Any]) -> EnergyReading:
        _check(self)
        samples: list[tuple[float, float]] = [(time.perf_counter(), self._power_w())]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(self.interval_s):
                samples.append((time.perf_counter(), self._power_w()))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        start = time.perf_counter()
        try:
            run()
        finally:
            end = time.perf_counter()
            done.set()
            sampler.join()
        samples.append((time.perf_counter(), self._power_w()))
        return EnergyReading(self.name, _integrate(samples, start, end), end - start)


class CsvMeter:
    """An external meter's CSV log (``timestamp_s,power_w``, wall-clock seconds), integrated over the run."""

    name = "csv"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def available(self) -> tuple[bool, str]:
        if not self.path.is_file():
            return False, f"no meter log at {self.path}"
        return True, ""

    def _samples(self) -> list[tuple[float, float]]:
        with open(self.path, newline="") as fh:
            rows = [r for r in csv.reader(fh) if r and not r[0].startswith("#")]
        try:
            return sorted((float(t), float(p)) for t, p in (r[:2] for r in rows if r[0] != "timestamp_s"))
        except ValueError as err:
            raise MeterUnavailableError(f"{self.path}: malformed line ({err})") from err

    def measure(self, run: Callable[[], Any]) -> EnergyReading:
        _check(self)
        start, t0 = time.time(), time.perf_counter()
        run()
        end, seconds = time.time(), time.perf_counter() - t0
        return EnergyReading(self.name, self.energy_between(start, end), seconds)

    def energy_between(self, start: float, end: float) -> float:
        """Joules logged between two wall-clock times (the log must cover them)."""
        samples = self._samples()
        if not samples or samples[0][0] > start or samples[-1][0] < end:
            raise MeterUnavailableError(f"{self.path} does not cover {start:.3f}..{end:.3f}")
        return _integrate(samples, start, end)


def _integrate(samples: list[tuple[float, float]], start: float, end: float) -> float:
    """Trapezoidal integral of (time, watts) samples over [start, end], linearly interpolated."""
    times = [t for t, _ in samples]
    powers = [p for _, p in samples]
    grid = np.unique(np.clip(np.array(times + [start, end]), start, end))
    return float(np.trapezoid(np.interp(grid, times, powers), grid))


def _candidates(powercap_root: str | Path, ina3221_roots: list[str | Path] | None, nvml: Any) -> list[EnergyMeter]:
    if ina3221_roots is None:
        ina3221_roots = [p.parent for p in Path("/sys/class/hwmon").glob("hwmon*/in_power0_input")]
    return [RaplMeter(powercap_root), NvmlMeter(nvml=nvml), *(Ina3221Meter(root) for root in ina3221_roots)]


def available_meters(
    powercap_root: str | Path = "/sys/class/powercap", ina3221_roots: list[str | Path] | None = None, nvml: Any = None
) -> list[EnergyMeter]:
    """The meters really present on this host (RAPL, NVML, Jetson INA3221)."""
    return [m for m in _candidates(powercap_root, ina3221_roots, nvml) if m.available()[0]]


def describe_meters(
    powercap_root: str | Path = "/sys/class/powercap", ina3221_roots: list[str | Path] | None = None, nvml: Any = None
) -> dict[str, str]:
    """Every meter looked for on this host -> 'present' or the reason it is not usable."""
    status = {}
    for i, meter in enumerate(_candidates(powercap_root, ina3221_roots, nvml)):
        present, reason = meter.available()
        status[meter.name if meter.name != "ina3221" else f"ina3221:{i}"] = "present" if present else reason
    if not any(name.startswith("ina3221") for name in status):
        status["ina3221"] = "no hwmon in_power0_input rail found"
    return status

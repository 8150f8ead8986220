"""Meter back-ends against fake sysfs trees and fake NVML (no real meter is needed)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bench.hardware.meters import (
    CsvMeter,
    Ina3221Meter,
    MeterUnavailableError,
    NvmlMeter,
    RaplMeter,
    available_meters,
)


def _rapl(root, packages):
    for i, (energy, span) in enumerate(packages):
        domain = root / f"intel-rapl:{i}"
        domain.mkdir(parents=True)
        (domain / "energy_uj").write_text(f"{energy}\n")
        (domain / "max_energy_range_uj").write_text(f"{span}\n")
        sub = root / f"intel-rapl:{i}:0"  # a sub-zone (core), not added again
        sub.mkdir()
        (sub / "energy_uj").write_text("5\n")
    return root


def test_rapl_sums_packages_and_handles_wrap(tmp_path):
    root = _rapl(tmp_path, [(1_000_000, 10_000_000), (9_900_000, 10_000_000)])

    def work():
        (root / "intel-rapl:0/energy_uj").write_text("3000000")
        (root / "intel-rapl:1/energy_uj").write_text("400000")  # wrapped past 10 J

    reading = RaplMeter(root).measure(work)
    assert reading.meter == "rapl"
    assert reading.joules == pytest.approx(2.0 + 0.5)


def test_rapl_without_permission_is_unavailable(tmp_path, monkeypatch):
    root = _rapl(tmp_path, [(1, 10)])
    read_text = Path.read_text

    def denied(self, *args, **kwargs):
        if self.name == "energy_uj":  # as for a non-root user on recent kernels
            raise PermissionError(13, "Permission denied", str(self))
        return read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", denied)
    present, reason = RaplMeter(root).available()
    assert not present and "no permission" in reason


def test_missing_rapl_is_unavailable_and_never_estimated(tmp_path):
    meter = RaplMeter(tmp_path / "none")
    assert meter.available() == (False, f"no RAPL domains under {tmp_path / 'none'}")
    with pytest.raises(MeterUnavailableError, match="rapl: no RAPL domains"):
        meter.measure(lambda: None)


class FakeNvml:
    def __init__(self, fail: bool = False) -> None:
        self.energy_mj, self.fail = 1000, fail

    def nvmlInit(self):
        if self.fail:
            raise RuntimeError("NVML Shared Library Not Found")

    def nvmlDeviceGetHandleByIndex(self, index):
        return index

    def nvmlDeviceGetTotalEnergyConsumption(self, handle):
        return self.energy_mj


def test_nvml_counter_difference():
    fake = FakeNvml()

    def work():
        fake.energy_mj += 2500

    assert NvmlMeter(nvml=fake).measure(work).joules == pytest.approx(2.5)
    present, reason = NvmlMeter(nvml=FakeNvml(fail=True)).available()
    assert not present and "Not Found" in reason


def test_ina3221_integrates_power_over_the_run(tmp_path):
    for rail, milliwatts in ((0, 2000), (1, 1000), (2, 500)):
        (tmp_path / f"in_power{rail}_input").write_text(str(milliwatts))
    meter = Ina3221Meter(tmp_path, rails=[0, 1], interval_s=0.002)
    reading = meter.measure(lambda: time.sleep(0.2))
    assert reading.joules == pytest.approx(3.0 * reading.seconds, rel=0.1)  # 3 W on rails 0 and 1

    def step_up():
        time.sleep(0.1)
        (tmp_path / "in_power0_input").write_text("4000")
        time.sleep(0.1)

    stepped = meter.measure(step_up)
    assert 3.0 * stepped.seconds < stepped.joules < 5.0 * stepped.seconds
    assert not Ina3221Meter(tmp_path / "nothing").available()[0]


def test_csv_meter_integrates_the_logged_window(tmp_path):
    log = tmp_path / "meter.csv"
    log.write_text("timestamp_s,power_w\n100,10\n101,10\n102,20\n103,20\n")
    meter = CsvMeter(log)
    assert meter.energy_between(100.0, 101.0) == pytest.approx(10.0)
    assert meter.energy_between(101.0, 102.0) == pytest.approx(15.0)  # linear between samples
    assert meter.energy_between(100.5, 102.5) == pytest.approx(5 + 15 + 10)
    with pytest.raises(MeterUnavailableError, match="does not cover"):
        meter.energy_between(99.0, 101.0)
    log.write_text("timestamp_s,power_w\n100,ten\n")
    with pytest.raises(MeterUnavailableError, match="malformed"):
        meter.energy_between(100.0, 100.0)


def test_csv_meter_live_window(tmp_path):
    log = tmp_path / "meter.csv"
    start = time.time()
    log.write_text("".join(f"{start - 1 + 0.1 * i},5\n" for i in range(40)))
    reading = CsvMeter(log).measure(lambda: time.sleep(0.3))
    assert reading.joules == pytest.approx(5.0 * reading.seconds, rel=0.2)


def test_available_meters_lists_only_present_ones(tmp_path):
    assert available_meters(tmp_path / "none", ina3221_roots=[], nvml=FakeNvml(fail=True)) == []
    root = _rapl(tmp_path / "powercap", [(1, 10)])
    names = [m.name for m in available_meters(root, ina3221_roots=[], nvml=FakeNvml())]
    assert names == ["rapl", "nvml"]

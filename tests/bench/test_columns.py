"""The column schema and the device registry own every column name; the committed tables follow them."""

import json

import pytest

from bench.columns import JOINT, describe, provenance, schema_markdown, schema_of
from bench.devices import TOTAL, device_spec, devices_in
from bench.errors import UnknownNameError
from tests.helpers import COMMITTED


def test_measured_column_names_round_trip():
    host = device_spec("measured:amd-epyc-2cpu")
    columns = [host.column("latency_ms", TOTAL), host.column("latency_ms", "image"), "measured_amd_epyc_2cpu_latency_p10_ms",
               device_spec("measured:h100").column("latency_ms", TOTAL), "total_lut_tx2_latency_ms"]
    assert columns[:2] == ["measured_amd_epyc_2cpu_latency_ms", "measured_amd_epyc_2cpu_image_latency_ms"]
    assert [d.name for d in devices_in(columns)] == ["lut:tx2", "lut:agx", "model:horowitz45", "measured:amd-epyc-2cpu", "measured:h100"]


def test_static_cost_columns_by_component():
    assert device_spec("lut:agx").column("energy_mj", "fusion") == "fusion_lut_agx_energy_mj"
    assert device_spec("model:horowitz45").objective_columns() == {"energy": "total_horowitz45_energy_mj"}
    assert device_spec("lut:tx2").objective_columns(None) == {"lat": "lut_tx2_latency_ms", "energy": "lut_tx2_energy_mj"}


@pytest.mark.parametrize("name", ["lut:nano", "tx2", "gpu:h100", "lut:", "measured:../x", "measured:A B", 3])
def test_unknown_devices_are_refused(name):
    with pytest.raises(UnknownNameError, match="unknown device"):
        device_spec(name)


def test_every_committed_column_is_in_the_schema_with_its_committed_provenance():
    manifest = json.loads((COMMITTED / "manifest.json").read_text())
    for table, columns in manifest["columns"].items():
        assert provenance(list(columns), schema_of(table)) == columns


def test_unknown_column_is_refused_and_schema_is_documented():
    with pytest.raises(KeyError, match="not in the joint table's schema"):
        describe("total_lut_nano_latency_ms", JOINT)
    assert describe("measured_h100_onnxruntime_latency_ms", JOINT).provenance.startswith("measured:<host>-onnxruntime")
    assert "`[<component>_]lut_tx2_latency_ms` | ms | double" in schema_markdown()


def test_the_readme_schema_section_is_the_generated_schema():
    readme = (COMMITTED.parents[1] / "README.md").read_text()
    section = readme.split("<!-- schema:begin -->\n", 1)[1].split("<!-- schema:end -->", 1)[0]
    assert section == schema_markdown(), "README schema section is stale: paste the output of mmnas tables schema"

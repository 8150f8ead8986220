from bench.tables.columns import measured_column, measured_hosts


def test_measured_column_names_round_trip():
    columns = [measured_column("amd-epyc-2cpu"), measured_column("amd-epyc-2cpu", "image"), "measured_amd_epyc_2cpu_latency_p10_ms",
               measured_column("h100"), "total_lut_tx2_latency_ms"]
    assert columns[0] == "measured_amd_epyc_2cpu_latency_ms"
    assert measured_hosts(columns) == ["amd_epyc_2cpu", "h100"]

from __future__ import annotations

import json

from bench.cli import main


def test_cost_json_prints_totals_and_components(capsys):
    assert main(["cost", "--device", "lut:tx2", "--json", "harmonic_avmnist_1", "harmonic_avmnist_3"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    record = json.loads(lines[0])
    assert set(record["components"]) == {"image", "audio", "fusion"}
    assert abs(record["latency_ms"] - 8.969) < 0.01 and abs(record["energy_mj"] - 13.920) < 0.01
    assert record["model"]["total"]["params"] > 0


def test_cost_reads_a_config_file(tmp_path, capsys):
    from bench.examples import example_document

    path = tmp_path / "c.json"
    path.write_text(json.dumps(example_document("harmonic_avmnist_2")["config"]))
    assert main(["cost", "--json", str(path)]) == 0
    assert abs(json.loads(capsys.readouterr().out)["latency_ms"] - 14.418) < 0.01


def test_bad_input_exits_2_with_a_message(tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text('{"task": "soundmnist", "image": {}}')
    assert main(["cost", str(path)]) == 2
    assert "missing key" in capsys.readouterr().err
    assert main(["cost", "--device", "lut:nano", "harmonic_avmnist_1"]) == 2
    assert "unknown device 'lut:nano'" in capsys.readouterr().err
    assert main(["cost", str(tmp_path / "none.json")]) == 2
    path.write_text("{not json")
    assert main(["validate", str(path)]) == 2
    assert "not valid JSON" in capsys.readouterr().err

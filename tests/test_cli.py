from __future__ import annotations

import json
import shutil

import pytest

from bench.cli import main
from bench.reports import read_report
from bench.tables.manifest import LOCK
from tests.conftest import PROBLEM


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


def test_cost_answers_every_device_the_readme_lists(tmp_path, capsys):
    """Analytical energy equals the table's; a measured device answers table rows and refuses others in one line."""
    import numpy as np

    from bench.examples import load_example
    from bench.space import sample_config
    from bench.tables import load_table

    joint = load_table("tables/soundmnist", "joint").set_index("config_id")
    expected = joint.loc[load_example("harmonic_avmnist_1").id]
    for device, column in [("model:horowitz45", "total_horowitz45_energy_mj"), ("lut:agx", "total_lut_agx_energy_mj")]:
        assert main(["cost", "--device", device, "--json", "harmonic_avmnist_1"]) == 0
        record = json.loads(capsys.readouterr().out)
        assert record["energy_mj"] == expected[column] and set(record["components"]) == {"image", "audio", "fusion"}
    assert record["latency_ms"] == expected["total_lut_agx_latency_ms"]
    assert main(["cost", "--device", "measured:amd-epyc-2cpu", "--json", "harmonic_avmnist_1"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["latency_ms"] == expected["measured_amd_epyc_2cpu_latency_ms"] and record["energy_mj"] is None
    assert record["components"]["fusion"]["latency_ms"] == expected["measured_amd_epyc_2cpu_fusion_latency_ms"]
    assert main(["cost", "--device", "measured:amd-epyc-2cpu-onnxruntime", "harmonic_avmnist_1"]) == 0
    assert "n/a" in capsys.readouterr().out  # no energy meter, no per-component timing through ONNX Runtime
    new = tmp_path / "new.json"
    new.write_text(sample_config(np.random.default_rng(123)).to_json())
    assert main(["cost", "--device", "measured:amd-epyc-2cpu", str(new)]) == 2
    assert "has no measurement of config" in capsys.readouterr().err
    assert main(["cost", "--device", "measured:no-such-host", "harmonic_avmnist_1"]) == 2
    assert "hold no measurement of measured:no-such-host" in capsys.readouterr().err


def test_tables_schema_prints_every_family(capsys):
    assert main(["tables", "schema", "--json"]) == 0
    patterns = [json.loads(line)["pattern"] for line in capsys.readouterr().out.splitlines()]
    assert "config_id" in patterns and "[<component>_]lut_tx2_latency_ms" in patterns
    assert "measured_<host>[_<component>]_latency_ms" in patterns


def test_problems_list_show_and_a_name_without_variant(release, capsys):
    assert main(["problems", "list", "--tables-dir", str(release), "--json"]) == 0
    listed = {p["name"]: p for p in json.loads(capsys.readouterr().out)}
    assert listed[PROBLEM]["variants"] == ["table", "full"] and listed[PROBLEM]["objectives"] == {"acc": "max", "lat": "min", "energy": "min"}
    assert main(["problems", "show", f"{PROBLEM}@full", "--tables-dir", str(release), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert len(shown["full_front_ids"]) == shown["full_front"] > 0 and set(shown["bounds"]) == {"acc", "lat", "energy"}
    assert main(["leaderboard", "--problems", PROBLEM, "--tables-dir", str(release), "--out", str(release / "board")]) == 2
    assert "names no variant" in capsys.readouterr().err and not (release / "board" / "logs").exists()


def test_interrupted_problems_build_leaves_the_previous_file(release, tmp_path, monkeypatch):
    tables = tmp_path / "tables"
    shutil.copytree(release, tables)
    before = (tables / "soundmnist" / "problems.json").read_bytes()

    def interrupted(doc, tables_dir, **search):
        raise KeyboardInterrupt  # as if killed while the full-space fronts are searched

    monkeypatch.setattr("bench.leaderboard.reference.fill_full_fronts", interrupted)
    with pytest.raises(KeyboardInterrupt):
        main(["problems", "build", "--tables-dir", str(tables)])
    assert (tables / "soundmnist" / "problems.json").read_bytes() == before
    assert [p.name for p in (tables / "soundmnist").iterdir() if p.name.startswith(".") and p.name != LOCK] == []  # no temporary left


def test_json_of_tables_path_and_leaderboard(release, tmp_path, capsys):
    assert main(["tables", "path", "--tables-dir", str(release), "--json"]) == 0
    where = json.loads(capsys.readouterr().out)
    assert where["chosen_by"] == "tables_dir argument" and where["tasks"]["soundmnist"]["joint.parquet"] == 60
    args = ["leaderboard", "--problems", f"{PROBLEM}@table", "--searchers", "random", "--seeds", "1", "--budget", "12",
            "--n-init", "5", "--workers", "1", "--tables-dir", str(release), "--out", str(tmp_path / "board"), "--json"]
    assert main(args) == 0
    board = json.loads(capsys.readouterr().out)
    assert board["report"].endswith("report.md") and board["summary"][0]["searcher"] == "random"
    assert read_report(board["report"]).startswith("# Leaderboard")  # written with its checksum line


@pytest.mark.parametrize("argv", [
    ["sweep", "run", "--plan", "joint", "--limit", "-1"], ["sweep", "run", "--plan", "joint", "--chunk", "0"],
    ["leaderboard", "--budget", "0"], ["leaderboard", "--n-init", "0"], ["leaderboard", "--seeds", "0"],
    ["leaderboard", "--budget-seconds", "-1"], ["leaderboard", "--budget-seconds", "nan"],
])
def test_bad_numbers_are_one_line_errors_before_anything_runs(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2 and "is not a" in capsys.readouterr().err.strip().splitlines()[-1]


def test_a_budget_below_the_initial_design_is_refused(capsys):
    assert main(["leaderboard", "--budget", "5"]) == 2
    assert "below the initial design (--n-init 10)" in capsys.readouterr().err

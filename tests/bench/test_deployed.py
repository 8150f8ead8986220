"""The deployed cost accounting: only the layers whose outputs reach the head are charged."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from bench.errors import UnknownNameError
from bench.hardware.deployed import TOP, backbone_chain, backbone_parts
from bench.hardware.horowitz import energy_mj
from bench.hardware.lut_tables import LutTables
from bench.space import MODALITIES, parse_backbone, parse_config, sample_config
from bench.tables.static_costs import COLUMNS, StaticCosts
from bench.tasks import get_task
from tests.bench.test_dataflow import AUDIO_ONLY, THREE_CELLS, _config
from tests.helpers import COMMITTED


@pytest.fixture(scope="module")
def paper() -> StaticCosts:
    return StaticCosts(COMMITTED, "soundmnist")


@pytest.fixture(scope="module")
def deployed() -> StaticCosts:
    return StaticCosts(COMMITTED, "soundmnist", accounting="deployed")


@pytest.mark.parametrize("modality", MODALITIES)
def test_the_whole_chain_of_parts_adds_up_to_the_backbone_tables(modality):
    frame = pd.read_parquet(COMMITTED / f"backbones_{modality}.parquet").sample(25, random_state=0)
    parts = backbone_parts("soundmnist", modality)
    luts = LutTables("lut:tx2", "tx2", get_task("soundmnist").lut_family)
    for row in frame.itertuples():
        genotype = parse_backbone(json.loads(row.config_json), modality)
        chain = [parts[key] for key in backbone_chain(genotype, -1)]
        counts = {"macs": sum(p.macs for p in chain), "weights": sum(p.params for p in chain),
                  "activations": sum(p.activations for p in chain)}
        assert (counts["weights"], counts["macs"]) == (row.params, row.macs)
        assert [sum(p.bytes[q] for p in chain) for q in ("fp32", "int8", "int4")] == [row.bytes_fp32, row.bytes_int8, row.bytes_int4]
        assert energy_mj(counts) == row.horowitz45_energy_mj
        assert luts.backbone_cost([k for p in chain for k in p.lut_keys]).latency_ms == row.lut_tx2_latency_ms


def test_a_backbone_runs_up_to_its_latest_live_feature_and_no_top():
    genotype = _config(THREE_CELLS).image  # depth 2: features are stem, fixed, block 0, block 1
    assert backbone_chain(genotype, None) == []
    assert backbone_chain(genotype, 0) == [("stem",)]
    assert backbone_chain(genotype, 3) == [("stem",), ("fixed",), (0, 3, 3), (1, 3, 3)]
    assert backbone_chain(genotype, -1)[-1] == (TOP,)
    with pytest.raises(ValueError, match="feature position 4"):
        backbone_chain(genotype, 4)


def test_a_network_that_reads_no_image_is_charged_no_image_backbone(paper, deployed):
    config = _config(AUDIO_ONLY)  # reads audio features 0, 1 (through the cell) and 3 (the head directly)
    paper_cost, deployed_cost = paper.totals([config]), deployed.totals([config])
    no_image = parse_config({**config.to_dict(), "image": config.to_dict()["audio"]})
    assert deployed_cost["params"][0] < paper_cost["params"][0]
    image_parts = backbone_parts("soundmnist", "image")
    whole_image = sum(image_parts[k].params for k in backbone_chain(config.image, -1))
    audio_parts = backbone_parts("soundmnist", "audio")
    top = audio_parts[(TOP,)].params
    # paper - deployed = the whole image backbone + the audio top (the audio backbone runs to its last feature)
    assert paper_cost["params"][0] - deployed_cost["params"][0] == whole_image + top
    assert deployed.totals([no_image])["params"][0] == deployed_cost["params"][0]  # the unread backbone does not matter
    for column in COLUMNS:
        assert deployed_cost[column][0] <= paper_cost[column][0], column


def test_dead_cells_and_nodes_are_not_charged(paper, deployed):
    config = _config(THREE_CELLS)  # cell 0 dead (2 nodes); image 3, audio 1 and 3 reach the head
    saved = paper.totals([config])["params"][0] - deployed.totals([config])["params"][0]
    from bench.hardware.figures import part_figures

    fusion_saved = part_figures("cell", 0, "fp32")["params"] + part_figures("Sum", 0, "fp32")["params"] \
        + part_figures("ConcatFC", 0, "fp32")["params"] + 2 * part_figures("input", 16, "fp32")["params"]  # inputs 0 and 4
    image_parts, audio_parts = backbone_parts("soundmnist", "image"), backbone_parts("soundmnist", "audio")
    tops = image_parts[(TOP,)].params + audio_parts[(TOP,)].params  # both backbones run to their last feature
    assert saved == fusion_saved + tops


def test_random_configs_save_exactly_their_tops_dead_reshapes_cells_and_nodes(paper, deployed):
    from bench.hardware.figures import part_figures
    from bench.models import skeleton
    from bench.space.dataflow import data_flow

    configs = [sample_config(np.random.default_rng(seed)) for seed in range(60)]
    tops = {m: backbone_parts("soundmnist", m)[(TOP,)].params for m in MODALITIES}
    checked = 0
    for c, p, d in zip(configs, paper.totals(configs)["params"], deployed.totals(configs)["params"]):
        flow = data_flow(c.fusion)
        if not all(flow.reaches(m)[-1:] == (3,) for m in range(2)):
            continue  # a backbone cut short: its saving is a sum of unit blocks, checked above
        channels = skeleton.feature_channels(c.image.d) + skeleton.feature_channels(c.audio.d)
        dead_inputs = set(c.fusion.used_inputs()) - set(flow.live_inputs)
        expected = sum(tops.values()) + sum(part_figures("input", channels[i], "fp32")["params"] for i in dead_inputs)
        expected += sum(part_figures("cell", 0, "fp32")["params"] for ci in range(c.fusion.n_cells) if not flow.live_cell(ci))
        expected += sum(part_figures(node.op, 0, "fp32")["params"] for cell, live in zip(c.fusion.cells, flow.live_nodes)
                        for node, on in zip(cell.nodes, live) if not on)
        assert p - d == expected
        checked += 1
    assert checked >= 5


def test_unknown_accounting_is_refused():
    with pytest.raises(UnknownNameError, match="unknown cost accounting 'lean'"):
        StaticCosts(COMMITTED, "soundmnist", accounting="lean")


def test_benchmark_answers_static_costs_under_the_deployed_accounting(deployed):
    from bench.benchmark import Benchmark

    joint = pd.read_parquet(COMMITTED / "joint.parquet")
    config = joint["config_json"].iloc[0]
    paper_bench = Benchmark(objectives=("acc", "lat", "params"), tables_dir=COMMITTED.parent)
    deployed_bench = Benchmark(objectives=("acc", "lat", "params"), accounting="deployed", tables_dir=COMMITTED.parent)
    paper_obs, deployed_obs = paper_bench.evaluate(config), deployed_bench.evaluate(config)
    assert deployed_obs.objectives["acc"] == paper_obs.objectives["acc"]  # accuracy is the trained model's either way
    expected = deployed.totals([parse_config(config)])
    assert deployed_obs.objectives["lat"] == expected["lut_tx2_latency_ms"][0] <= paper_obs.objectives["lat"]
    assert deployed_obs.objectives["params"] == expected["params"][0] < paper_obs.objectives["params"]
    assert "deployed accounting" in deployed_obs.provenance["lat"] and "trained here" in deployed_obs.provenance["acc"]
    with pytest.raises(UnknownNameError, match="deployed accounting prices static costs only"):
        Benchmark(device="measured:amd-epyc-2cpu", objectives=("acc", "lat"), accounting="deployed")
    with pytest.raises(UnknownNameError, match="unknown cost accounting 'lean'"):
        Benchmark(accounting="lean")

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from bench.errors import ConfigError
from bench.examples import example_names, load_example
from bench.space import (
    MAX_CELLS,
    MAX_NODES,
    MODALITIES,
    PRECISIONS,
    crossover,
    decode_onehot,
    decode_ordinal,
    encode_onehot,
    encode_ordinal,
    enumerate_backbones,
    mutate,
    neighbours,
    onehot_feature_names,
    ordinal_feature_names,
    parse_backbone,
    parse_config,
    sample_config,
)


def _configs(n: int, seed: int = 0, with_precision: bool = True):
    rng = np.random.default_rng(seed)
    return [sample_config(rng, precisions=PRECISIONS if with_precision else ("fp32",)) for _ in range(n)]


def test_enumeration_yields_7371_distinct_backbones_per_modality():
    backbones = list(enumerate_backbones())
    assert len(backbones) == 7371
    assert len({b.id for b in backbones}) == 7371
    assert len({b.id for b in backbones if b.d == 2}) == 81
    assert len({b.id for b in backbones if b.d == 3}) == 729


def test_inactive_slots_are_canonicalised():
    a = parse_backbone({"ks": [5, 5, 7, 7], "e": [3, 4, 6, 6], "d": [2]})
    b = parse_backbone({"ks": [5, 5, 3, 5], "e": [3, 4, 3, 4], "d": [2]})
    assert a == b and a.id == b.id
    assert a.to_dict() == {"ks": [5, 5, 3, 3], "e": [3, 4, 3, 3], "d": [2]}


def test_symmetric_operator_inputs_are_canonicalised():
    base = load_example("harmonic_avmnist_2").to_dict()
    base["fusion"]["cells"][0]["nodes"][1] = {"inputs": [2, 1], "op": "Sum"}
    swapped = json.loads(json.dumps(base))
    swapped["fusion"]["cells"][0]["nodes"][1] = {"inputs": [1, 2], "op": "Sum"}
    assert parse_config(base).id == parse_config(swapped).id
    base["fusion"]["cells"][0]["nodes"][1]["op"] = "ScaleDotAttn"
    swapped["fusion"]["cells"][0]["nodes"][1]["op"] = "ScaleDotAttn"
    assert parse_config(base).id != parse_config(swapped).id


@pytest.mark.parametrize("config", _configs(200) + [load_example(n) for n in example_names()], ids=str)
def test_json_round_trip(config):
    text = config.to_json()
    again = parse_config(text)
    assert again == config and again.id == config.id and again.to_json() == text


def test_id_is_stable_across_runs():
    # A fixed config must keep its id across releases (ids key the committed tables).
    assert load_example("harmonic_avmnist_1").id == "fc14f26bd7604dce"


def test_precision_defaults_to_fp32():
    doc = load_example("harmonic_avmnist_1").to_dict()
    del doc["precision"]
    assert parse_config(doc).precision.to_dict() == {"image": "fp32", "audio": "fp32", "fusion": "fp32"}


def _bad(path: str, value):
    """The first example's JSON with ``value`` put at dotted/indexed ``path`` (None deletes)."""
    doc = load_example("harmonic_avmnist_2").to_dict()
    keys = [int(k) if k.isdigit() else k for k in path.replace("[", ".").replace("]", "").split(".")]
    target = doc
    for key in keys[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value
    return doc


_DELETE = object()

MALFORMED = [
    # (path, value, words the error must contain)
    ("task", "cifar", "config.task"),
    ("task", 3, "config.task"),
    ("extra", 1, "unknown key"),
    ("image", _DELETE, "missing key"),
    ("image", [5, 5], "image: got list"),
    ("image.ks", [3, 5, 7], "image.ks: got 3 values"),
    ("image.ks", "3577", "image.ks: got str"),
    ("image.ks[0]", 4, "image.ks[0]: got 4"),
    ("image.ks[1]", 5.0, "image.ks[1]: got float"),
    ("image.ks[1]", float("nan"), "image.ks[1]: got float nan"),
    ("image.ks[2]", True, "image.ks[2]: got bool"),
    ("image.ks[3]", None, "image.ks[3]: got NoneType"),
    ("audio.e[0]", 5, "audio.e[0]: got 5"),
    ("audio.e[1]", "3", "audio.e[1]: got str"),
    ("audio.d", 2, "audio.d: got int"),
    ("audio.d", [5], "audio.d[0]: got 5"),
    ("audio.d", [2, 3], "audio.d: got 2 values"),
    ("audio.d[0]", False, "audio.d[0]: got bool"),
    ("audio.speed", 1, "unknown key"),
    ("fusion.cells", [], "fusion.cells: got []"),
    ("fusion.cells", "x", "fusion.cells"),
    ("fusion.cells[0].inputs", [3, 3], "fusion.cells[0].inputs: got [3, 3], expected two distinct"),
    ("fusion.cells[0].inputs", [3, 8], "fusion.cells[0].inputs[1]: got 8"),  # forward reference
    ("fusion.cells[1].inputs", [9, 2], "fusion.cells[1].inputs[0]: got 9"),
    ("fusion.cells[0].inputs", [-1, 2], "fusion.cells[0].inputs[0]: got -1"),
    ("fusion.cells[0].inputs[0]", float("nan"), "fusion.cells[0].inputs[0]: got float"),
    ("fusion.cells[0].nodes", [], "fusion.cells[0].nodes"),
    ("fusion.cells[0].nodes[0].op", "Concat", "fusion.cells[0].nodes[0].op: got 'Concat'"),
    ("fusion.cells[0].nodes[0].op", "SE2", "fusion.cells[0].nodes[0].op: got 'SE2'"),
    ("fusion.cells[0].nodes[0].inputs", [0, 2], "fusion.cells[0].nodes[0].inputs[1]: got 2"),
    ("fusion.cells[0].nodes[2].inputs", [1, 1], "expected two distinct node inputs"),
    ("fusion.cells[0].nodes[3].inputs", [5, 0], "fusion.cells[0].nodes[3].inputs[0]: got 5"),
    ("fusion.cells[0].nodes[1].inputs[0]", True, "got bool"),
    ("fusion.cells[0].nodes[1].colour", "red", "unknown key"),
    ("fusion.cells[2].nodes", [{"inputs": [0, 1], "op": "Sum"}], "fusion.cells[2].nodes: got 1 nodes, expected 4"),
    ("precision.image", "int2", "precision.image: got 'int2'"),
    ("precision.bits", "int8", "unknown key"),
    ("precision", "fp32", "precision: got str"),
]


@pytest.mark.parametrize(("path", "value", "message"), MALFORMED, ids=[f"{p}={v!r}" for p, v, _ in MALFORMED])
def test_malformed_input_is_rejected_naming_the_field(path, value, message):
    with pytest.raises(ConfigError, match=None) as info:
        parse_config(_bad(path, value))
    assert isinstance(info.value, ValueError)
    assert message in str(info.value)


def test_too_many_cells_and_nodes_rejected():
    doc = load_example("harmonic_avmnist_1").to_dict()
    doc["fusion"]["cells"] = doc["fusion"]["cells"] * 3  # 6 cells
    with pytest.raises(ConfigError, match=rf"fusion.cells: .*1..{MAX_CELLS}"):
        parse_config(doc)
    doc = load_example("harmonic_avmnist_1").to_dict()
    doc["fusion"]["cells"][0]["nodes"] = [{"inputs": [0, 1], "op": "Sum"}] * (MAX_NODES + 1)
    with pytest.raises(ConfigError, match=rf"fusion.cells\[0\].nodes: .*1..{MAX_NODES}"):
        parse_config(doc)


def test_invalid_json_text_rejected():
    with pytest.raises(ConfigError, match="not valid JSON"):
        parse_config("{'task': }")


def test_sampling_is_seeded_and_covers_every_shape():
    assert [c.id for c in _configs(50, seed=3)] == [c.id for c in _configs(50, seed=3)]
    assert [c.id for c in _configs(50, seed=3)] != [c.id for c in _configs(50, seed=4)]
    configs = _configs(400, seed=5)
    shapes = {(c.fusion.n_cells, c.fusion.n_nodes) for c in configs}
    assert shapes == {(a, b) for a in range(1, MAX_CELLS + 1) for b in range(1, MAX_NODES + 1)}
    assert {c.image.d for c in configs} == {2, 3, 4}
    assert all(parse_config(c.to_dict()) == c for c in configs)


@pytest.mark.parametrize("config", _configs(50, seed=7), ids=str)
def test_encodings_are_exactly_invertible(config):
    ordinal = encode_ordinal([config])
    onehot = encode_onehot([config])
    assert ordinal.shape == (1, len(ordinal_feature_names())) == (1, 79)
    assert onehot.shape == (1, len(onehot_feature_names())) == (1, 355)
    assert decode_ordinal(ordinal) == [config]
    assert decode_onehot(onehot) == [config]
    assert np.array_equal(encode_ordinal(config), ordinal[0])


def test_encodings_separate_distinct_configs():
    configs = _configs(300, seed=8)
    assert len({tuple(r) for r in encode_ordinal(configs)}) == len({c.id for c in configs})
    assert len({tuple(r) for r in encode_onehot(configs)}) == len({c.id for c in configs})


def test_decoding_wrong_width_rejected():
    with pytest.raises(ConfigError, match="79"):
        decode_ordinal(np.zeros((1, 5)))


def test_neighbours_differ_by_one_gene_and_are_valid():
    config = load_example("harmonic_avmnist_2")
    ns = neighbours(config)
    ids = [n.id for n in ns]
    assert len(ids) == len(set(ids)) and config.id not in ids
    base = encode_ordinal(config)
    for n in ns:
        assert parse_config(n.to_dict()) == n
        changed = np.flatnonzero(encode_ordinal(n) != base)
        # one gene; or one node (an op turned symmetric re-sorts its inputs);
        # or a depth / cell / node count change with the genes it (de)activates
        assert len(changed) >= 1
        names = {ordinal_feature_names()[j] for j in changed}
        nodes = {re.match(r"fusion\.cells\[\d\]\.nodes\[\d\]", name) for name in names}
        one_node = None not in nodes and len({m.group(0) for m in nodes}) == 1
        if len(names) > 1 and not one_node:
            assert names & {"image.d", "audio.d", "fusion.n_cells", "fusion.n_nodes"}


def test_mutation_and_crossover_are_valid_and_seeded():
    parents = _configs(20, seed=9)

    def run(seed):
        rng = np.random.default_rng(seed)
        out = []
        for a, b in zip(parents, parents[1:]):
            child = crossover(a, b, rng)
            out.append(mutate(child, rng))
        return out

    children = run(1)
    assert [c.id for c in children] == [c.id for c in run(1)]
    for child in children:
        assert parse_config(child.to_dict()) == child
    for modality in MODALITIES:
        a, b = parents[0], parents[1]
        child = crossover(a, b, np.random.default_rng(0))
        for i in range(child.backbone(modality).d):
            assert child.backbone(modality).ks[i] in (a.backbone(modality).ks[i], b.backbone(modality).ks[i])


def test_mutation_reaches_other_cell_counts():
    rng = np.random.default_rng(0)
    config = load_example("harmonic_avmnist_1")
    seen = set()
    for _ in range(300):
        config = mutate(config, rng)
        seen.add(config.fusion.n_cells)
    assert seen == set(range(1, MAX_CELLS + 1))
    assert not math.isnan(encode_ordinal(config).sum())


def test_precision_tier_stays_within_the_allowed_precisions():
    rng = np.random.default_rng(4)
    allowed = ("fp32", "int8")
    configs = [sample_config(rng, precisions=allowed) for _ in range(50)]
    for _ in range(200):
        configs.append(mutate(configs[-1], rng, allowed))
    used = {p for c in configs for p in c.precision.to_dict().values()}
    assert used == set(allowed)
    assert {p for n in neighbours(configs[0], PRECISIONS) for p in n.precision.to_dict().values()} == set(PRECISIONS)
    fp32 = sample_config(rng)
    assert all(n.precision.all_fp32 for n in neighbours(fp32)) and all(sample_config(rng).precision.all_fp32 for _ in range(20))


def test_architecture_id_ignores_precision():
    from dataclasses import replace

    from bench.space import PrecisionGenotype

    config = sample_config(np.random.default_rng(3))
    int4 = replace(config, precision=PrecisionGenotype("int4", "int4", "int4"))
    assert int4.id != config.id and int4.architecture_id == replace(config, precision=PrecisionGenotype()).id


def test_gene_array_check_agrees_with_decoding_on_single_gene_edits():
    """An edited ordinal row passes the vectorised check exactly when it decodes to a config that encodes back to it."""
    from bench.errors import ConfigError
    from bench.space import PRECISIONS, decode_ordinal, encode_ordinal, sample_config
    from bench.space.gene_arrays import gene_arrays

    rng = np.random.default_rng(0)
    base = encode_ordinal([sample_config(np.random.default_rng(s), precisions=PRECISIONS) for s in range(20)])
    gene_arrays(base, check=True)
    accepted = refused = 0
    for _ in range(600):
        row = base[rng.integers(len(base))].copy()
        row[rng.integers(row.size)] += rng.choice([-2, -1, 1, 2])
        try:
            canonical = bool((encode_ordinal(decode_ordinal(row[None])) == row).all())
        except ConfigError:
            canonical = False
        try:
            gene_arrays(row[None], check=True)
            passed = True
        except ConfigError:
            passed = False
        assert passed == canonical, row
        accepted, refused = accepted + passed, refused + (not passed)
    assert accepted > 30 and refused > 30  # both sides exercised

"""The Harmonic-NAS baseline: single-modality screening charged to the run, elites, fusion shapes, generations."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from bench.benchmark import Observation
from bench.errors import DataError
from bench.optimize import MaxEvaluations, minimize
from bench.problems import Problem, load_problem
from bench.space import Config, parse_backbone, parse_config, sample_backbone, sample_fusion
from searchers import HarmonicNAS, RandomSearcher
from tests.conftest import PROBLEM


def test_a_run_screens_backbones_charges_them_and_evaluates_two_pairs_per_generation(release):
    problem = load_problem(f"{PROBLEM}@full", release)
    logged = []
    result = minimize(problem, HarmonicNAS(), MaxEvaluations(18), seed=0, n_init=10, tables_dir=release, callback=logged.extend)
    searcher = result.searcher
    assert len(result.records) == 18 and searcher.generation == 1  # 10 shared, then generations 0 and 1 of 2 pairs x 2 candidates
    generation_0 = [s for s in result.screenings if s["sim_seconds"] < result.records[10]["sim_seconds"]]
    assert Counter(s["screen"] for s in generation_0) == {"image": 8, "audio": 8}  # the 8 pairs of the initial design
    initial = {r["config_id"]: r["config"] for r in result.records[:8]}
    assert {s["backbone_id"] for s in generation_0 if s["screen"] == "image"} == {parse_config(c).image.id for c in initial.values()}
    assert len(result.screenings) > 16 + 60  # generation 1 screens the new backbones of 128 offspring
    assert all(s["cost_seconds"] > 0 for s in result.screenings) and [s for s in logged if "screen" in s] == result.screenings
    charged = sum(r["cost_seconds"] + r["searcher_seconds"] for r in result.records) + sum(s["cost_seconds"] for s in result.screenings)
    assert result.sim_seconds == pytest.approx(charged)
    pairs = {(parse_config(r["config"]).image, parse_config(r["config"]).audio) for r in result.records[10:14]}
    assert len(pairs) <= 2  # the first generation's candidates belong to its two elite pairs


def test_backbones_are_screened_once_and_elites_and_survivors_follow_the_reference_sizes():
    searcher = HarmonicNAS()
    searcher.setup(_toy_problem(), 0)
    screened = []

    def screen(modality, backbones):
        screened.extend((modality, b.id) for b in backbones)
        return [Observation(b.id, {"acc": float(sum(b.e[: b.d])), "lat": float(sum(b.ks[: b.d]))}, 1.0, {}, True) for b in backbones]

    searcher.connect_run_loop(screen=screen)
    for _ in range(6):
        configs = searcher.ask(100)
        assert len(configs) == 4 and len({(c.image, c.audio) for c in configs}) <= 2  # 2 elite pairs x 2 fusion candidates
        searcher.tell(configs, [_observe(c) for c in configs])
    assert len(screened) == len(set(screened)) and searcher.generation == 5
    assert len(searcher._population) == 128 and len(searcher._survivors()) == 1


def test_fusion_shapes_are_drawn_around_two_cells_of_one_node():
    searcher = HarmonicNAS()
    searcher.setup(_toy_problem(), 0)
    shapes = Counter(searcher._shape() for _ in range(4000))
    cells = Counter(c for c, _ in shapes.elements())
    nodes = Counter(t for _, t in shapes.elements())
    assert cells[2] / 4000 == pytest.approx(0.6, abs=0.03) and nodes[1] / 4000 == pytest.approx(0.6, abs=0.03)
    assert all(cells[c] / 4000 == pytest.approx(0.4 / 3, abs=0.03) for c in (1, 3, 4))
    assert all(nodes[t] / 4000 == pytest.approx(0.4 / 3, abs=0.03) for t in (2, 3, 4))


def test_crossover_keeps_the_first_parent_and_mutation_resamples_genes_at_the_reference_rates():
    searcher = HarmonicNAS()
    searcher.setup(_toy_problem(), 0)
    a = parse_backbone({"ks": [3, 3, 3, 3], "e": [3, 3, 3, 3], "d": [4]})
    b = parse_backbone({"ks": [7, 7, 7, 7], "e": [6, 6, 6, 6], "d": [2]})
    kept = np.mean([searcher._cross(a, b).ks[0] == 3 for _ in range(4000)])
    assert kept == pytest.approx(0.8, abs=0.02)
    changed = np.mean([searcher._mutate(a).ks[0] != 3 for _ in range(4000)])
    assert changed == pytest.approx(0.4 * 2 / 3, abs=0.02)  # resampled with p 0.4, to another kernel 2 times in 3


def test_on_a_table_problem_a_pairs_candidates_are_its_own_table_rows_when_the_table_has_them():
    rng = np.random.default_rng(0)
    blocks = [(sample_backbone(rng), sample_backbone(rng)) for _ in range(8)]
    pool = tuple(Config("soundmnist", *pair, sample_fusion(rng)) for pair in blocks for _ in range(5))
    problem = _toy_problem(pool=pool)
    searcher = HarmonicNAS(population_size=8)
    searcher.setup(problem, 0)
    searcher.connect_run_loop(screen=lambda modality, backbones: [Observation(b.id, {"acc": float(b.d), "lat": float(sum(b.ks))}, 1.0, {}, True)
                                                            for b in backbones])
    initial = [pool[5 * i] for i in range(8)]
    searcher.tell(initial, [_observe(c) for c in initial])
    configs = searcher.ask(10)
    assert len(configs) == 4 and all((c.image, c.audio) in blocks for c in configs)
    for pair in {(c.image, c.audio) for c in configs}:
        assert sum((c.image, c.audio) == pair for c in configs) == 2  # both candidates of the pair are rows of its block


def test_on_a_table_problem_elite_pairs_outside_the_blocks_are_searched_on_the_nearest_block_with_free_rows():
    rng = np.random.default_rng(1)
    blocks = [(sample_backbone(rng), sample_backbone(rng)) for _ in range(6)]
    singles = tuple(Config("soundmnist", sample_backbone(rng), sample_backbone(rng), sample_fusion(rng)) for _ in range(16))
    pool = tuple(Config("soundmnist", *pair, sample_fusion(rng)) for pair in blocks for _ in range(3)) + singles
    searcher = HarmonicNAS(population_size=8)
    searcher.setup(_toy_problem(pool=pool), 0)
    searcher.connect_run_loop(screen=lambda modality, backbones: [Observation(b.id, {"acc": float(b.d), "lat": float(sum(b.ks))}, 1.0, {}, True)
                                                            for b in backbones])
    searcher.tell(list(singles[:8]), [_observe(c) for c in singles[:8]])  # the initial design: pairs the table has once
    configs = searcher.ask(10)
    assert len(configs) == 4 and all((c.image, c.audio) in blocks for c in configs)  # the second tier acts on block pairs
    assert all(sum((c.image, c.audio) == (d.image, d.audio) for d in configs) == 2 for c in configs)
    near = blocks[2][0], parse_backbone({**blocks[2][1].to_dict(), "d": [4 if blocks[2][1].d != 4 else 3]})
    assert searcher._table_pair(near) == blocks[2]  # one gene away from block 2; the others are farther
    taken = [c for c in pool if (c.image, c.audio) == blocks[2]][:2]
    for config in taken:
        searcher._mark(config)
    assert searcher._table_pair(near) != blocks[2]  # one free row left: fewer than the pair's two candidates


def test_screening_needs_the_run_loop_and_recorded_seconds(release, tmp_path):
    searcher = HarmonicNAS()
    searcher.setup(_toy_problem(), 0)
    with pytest.raises(RuntimeError, match="answered by the run loop"):
        searcher.screen("image", [sample_backbone(np.random.default_rng(0))])

    class Screens(RandomSearcher):
        def ask(self, n):
            self.screen("image", [sample_backbone(self.rng)])
            return super().ask(n)

    problem = load_problem(f"{PROBLEM}@table", release)
    bench = problem.benchmark(release)
    real = bench.evaluate_backbone
    bench.evaluate_backbone = lambda modality, backbone: _without_cost(real(modality, backbone))
    with pytest.raises(DataError, match="no recorded evaluation seconds"):
        minimize(problem, Screens(), MaxEvaluations(12), n_init=10, benchmark=bench)


def _without_cost(obs: Observation) -> Observation:
    return Observation(obs.config_id, obs.objectives, float("nan"), obs.provenance, obs.from_table)


def _toy_problem(pool: tuple = ()) -> Problem:
    return Problem(name="toy/acc-lat", task="soundmnist", device="lut:tx2", objectives=("acc", "lat"), directions=("max", "min"),
                   bounds=((0.0, 100.0), (0.0, 100.0)), ref_point=(1.1, 1.1), table_front=(), pool=pool)


def _observe(config: Config) -> Observation:
    size = sum(config.image.e[: config.image.d]) + sum(config.audio.e[: config.audio.d]) + config.fusion.n_cells
    return Observation(config.id, {"acc": float(size), "lat": float(size + len(config.fusion.cells[0].nodes))}, 1.0, {}, False)


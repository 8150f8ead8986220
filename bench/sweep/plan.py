"""Which jobs make up each table of a task (the sweep plans).

* ``backbones``: static costs and subnet accuracy of all 7,371 backbones of each modality.
* ``backbones-static``: static costs only (needs no supernet).
* ``backbones-quant``: accuracy of every backbone quantised to each of ``QUANT_PRECISIONS``
  (post-training, calibrated on training batches) and its bytes at every precision.
* ``joint``: static costs and fusion training (``JOINT_SEEDS``) of the joint configs.
* ``joint-static``: static costs of the joint configs only.
* ``joint-quant``: the same for the first ``DEFAULT_N_QUANT`` joint architectures with
  sampled int8 / int4 / fp32 precision mixes (:func:`quantised_configs`).
* ``joint-blocks``: the same for a block design for nested search (:func:`block_configs`):
  ``N_BLOCK_PAIRS`` backbone pairs, each with ``N_BLOCK_FUSIONS`` fusion networks.
* ``latency-backbones`` / ``latency-joint`` (measure phase): measured latency on this
  host, ``LATENCY_CHUNK`` models per fresh process.
* ``latency-joint-repeat`` / ``latency-joint-repeat-onnxruntime`` (measure phase, on another
  day): a second measuring round of a seeded sample of ``N_REPEAT`` fp32 joint configs
  (:func:`repeat_configs`), eager or through ONNX Runtime: the noise ceiling of measured
  latency; exported to ``latency_repeats.parquet``, never over the first round.
* ``latency-joint-onnxruntime`` (measure phase): latency of the ``joint`` and
  ``joint-quant`` configs through ONNX Runtime, int8 components on its int8 kernels
  (device ``measured:<host>-onnxruntime``; int4 components have no kernel: missing).

Joint configs are the shipped Harmonic-NAS examples followed by uniformly sampled
distinct configs from a fixed seed; the list is prefix-stable, so a larger
``n_joint`` only adds configs.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from bench.errors import UnknownNameError
from bench.examples import example_names, load_example
from bench.space import (
    MODALITIES,
    PRECISIONS,
    Config,
    FusionGenotype,
    PrecisionGenotype,
    enumerate_backbones,
    sample_backbone,
    sample_config,
    sample_fusion,
)
from bench.sweep.jobs import JobSpec

JOINT_SAMPLE_SEED = 20231
MEASURING_ROUND = "round"  # latency job parameter of a repeat round (absent: round 1)
DEFAULT_N_JOINT = 2000
JOINT_SEEDS = (0, 1, 2)
LATENCY_CHUNK = 25
QUANT_PRECISIONS = ("int8", "int4")
QUANT_SAMPLE_SEED = 20232
DEFAULT_N_QUANT = 1000
BLOCK_SAMPLE_SEED = 20233
N_BLOCK_PAIRS, N_BLOCK_FUSIONS = 30, 10
REPEAT_SAMPLE_SEED, N_REPEAT, REPEAT_ROUND = 20234, 200, 2


def joint_configs(n_joint: int, task: str) -> list[Config]:
    """The Harmonic-NAS examples plus ``n_joint`` distinct uniformly sampled fp32 configs, all of ``task``."""
    configs = {c.id: c for c in (replace(load_example(n), task=task) for n in example_names())}
    rng = np.random.default_rng(JOINT_SAMPLE_SEED)
    n_target = len(configs) + n_joint
    while len(configs) < n_target:
        config = sample_config(rng, task)
        configs.setdefault(config.id, config)
    return list(configs.values())


def quantised_configs(n: int, task: str) -> list[Config]:
    """The first ``n`` joint configs, each with a precision mix other than all-fp32 drawn uniformly from a fixed seed.

    The same architectures as the fp32 table, so the cost of quantisation is read row by row.
    """
    mixes = [mix for mix in itertools.product(PRECISIONS, repeat=3) if set(mix) != {"fp32"}]
    rng = np.random.default_rng(QUANT_SAMPLE_SEED)
    return [replace(c, precision=PrecisionGenotype(*mixes[int(rng.integers(len(mixes)))])) for c in joint_configs(n, task)[:n]]


def block_configs(task: str, n_pairs: int = N_BLOCK_PAIRS, n_fusions: int = N_BLOCK_FUSIONS) -> list[Config]:
    """``n_pairs`` distinct uniformly sampled backbone pairs, each with ``n_fusions`` distinct uniformly sampled
    fusion networks (fp32), pair by pair: the second tier of a nested search has something to choose from."""
    rng = np.random.default_rng(BLOCK_SAMPLE_SEED)
    pairs: dict[tuple[str, str], tuple] = {}
    while len(pairs) < n_pairs:
        image, audio = sample_backbone(rng), sample_backbone(rng)
        pairs.setdefault((image.id, audio.id), (image, audio))
    configs = []
    for image, audio in pairs.values():
        fusions: dict[str, FusionGenotype] = {}
        while len(fusions) < n_fusions:
            fusion = sample_fusion(rng)
            fusions.setdefault(fusion.id, fusion)
        configs += [Config(task, image, audio, fusion) for fusion in fusions.values()]
    return configs


def backbone_jobs(task: str, kind: str, modalities: tuple[str, ...] = MODALITIES, **extra: object) -> list[JobSpec]:
    """One ``kind`` job per backbone of each modality."""
    return [
        JobSpec.make(kind, task, {"modality": m, "backbone": g.to_dict(), **extra})
        for m in modalities
        for g in enumerate_backbones()
    ]


def supernet_shas(task: str, tables_dir: str) -> dict[str, str]:
    """Modality -> sha256 of the task's trained supernet (the weights every accuracy job names)."""
    from bench.sweep.kinds import supernet_sha256

    return {m: supernet_sha256(tables_dir, task, m) for m in MODALITIES}


def plan_backbones_static(task: str, limit: int | None, n_joint: int, tables_dir: str) -> list[JobSpec]:
    return backbone_jobs(task, "backbone_static")[:limit]


def plan_backbones(task: str, limit: int | None, n_joint: int, tables_dir: str) -> list[JobSpec]:
    shas = supernet_shas(task, tables_dir)
    accuracy = [
        JobSpec.make("backbone_accuracy", task, {"modality": m, "backbone": g.to_dict(), "supernet_sha256": shas[m]})
        for m in MODALITIES
        for g in enumerate_backbones()
    ]
    static = backbone_jobs(task, "backbone_static")
    return [job for pair in zip(static, accuracy) for job in pair][: None if limit is None else 2 * limit]


def plan_backbones_quant(task: str, limit: int | None, n_joint: int, tables_dir: str) -> list[JobSpec]:
    shas = supernet_shas(task, tables_dir)
    return [
        JobSpec.make("backbone_quant", task, {"modality": m, "backbone": g.to_dict(), "supernet_sha256": shas[m], "precision": p})
        for g in list(enumerate_backbones())[:limit]
        for m in MODALITIES
        for p in QUANT_PRECISIONS
    ]


def plan_joint_static(task: str, limit: int | None, n_joint: int, tables_dir: str) -> list[JobSpec]:
    return [JobSpec.make("joint_static", task, {"config": c.to_dict()}) for c in joint_configs(n_joint, task)][:limit]


def _joint_jobs(task: str, configs: list[Config], tables_dir: str) -> list[JobSpec]:
    shas = supernet_shas(task, tables_dir)
    jobs = []
    for config in configs:
        jobs.append(JobSpec.make("joint_static", task, {"config": config.to_dict()}))
        jobs.append(joint_train_spec(task, config, shas))
    return jobs


def joint_train_spec(task: str, config: Config, supernet_sha256: dict[str, str]) -> JobSpec:
    """The fusion-training job of ``config`` under this release's protocol (its seeds and schedule, on the supernets
    of ``supernet_sha256``): the job the sweep runs, so its id finds the sweep's result."""
    from bench.sweep.kinds import fusion_settings

    params = {"config": config.to_dict(), "seeds": list(JOINT_SEEDS), "supernet_sha256": supernet_sha256, "settings": fusion_settings(task)}
    return JobSpec.make("joint_train", task, params)


def plan_joint(task: str, limit: int | None, n_joint: int, tables_dir: str) -> list[JobSpec]:
    return _joint_jobs(task, joint_configs(n_joint, task)[:limit], tables_dir)


def plan_joint_quant(task: str, limit: int | None, n_joint: int, tables_dir: str) -> list[JobSpec]:
    return _joint_jobs(task, quantised_configs(DEFAULT_N_QUANT, task)[:limit], tables_dir)


def repeat_configs(n: int, n_joint: int, task: str) -> list[Config]:
    """A seeded sample of ``n`` of the first-round joint configs (:func:`joint_configs`), in their plan order."""
    configs = joint_configs(n_joint, task)
    keep = np.random.default_rng(REPEAT_SAMPLE_SEED).choice(len(configs), size=min(n, len(configs)), replace=False)
    return [configs[i] for i in sorted(keep)]


def latency_round(params: Mapping[str, Any]) -> int:
    """The measuring round of a latency job's ``params`` (1, the table's own, unless a repeat plan set it)."""
    return int(params.get(MEASURING_ROUND, 1))


def _latency_jobs(task: str, items: list[dict], runtime: str | None = None, measuring_round: int = 1) -> list[JobSpec]:
    from dataclasses import asdict

    from bench.hardware.host import host_slug
    from bench.hardware.measure import TimingSettings

    host, settings = host_slug(), asdict(TimingSettings())
    extra = {} if runtime is None else {"runtime": runtime, "host": f"{host}-{runtime}"}  # eager jobs keep their ids
    if measuring_round > 1:  # first-round jobs keep their ids
        extra[MEASURING_ROUND] = measuring_round
    return [
        JobSpec.make("latency", task, {"items": items[i : i + LATENCY_CHUNK], "host": host, "settings": settings, **extra})
        for i in range(0, len(items), LATENCY_CHUNK)
    ]


def plan_joint_blocks(task: str, limit: int | None, n_joint: int, tables_dir: str) -> list[JobSpec]:
    return _joint_jobs(task, block_configs(task)[:limit], tables_dir)


def plan_latency_backbones(task: str, limit: int | None, n_joint: int, tables_dir: str) -> list[JobSpec]:
    items = [
        {"target": "backbone", "modality": m, "backbone": g.to_dict()}
        for m in MODALITIES
        for g in list(enumerate_backbones())[:limit]
    ]
    return _latency_jobs(task, items)


def plan_latency_joint(task: str, limit: int | None, n_joint: int, tables_dir: str) -> list[JobSpec]:
    return _latency_jobs(task, [{"target": "joint", "config": c.to_dict()} for c in joint_configs(n_joint, task)[:limit]])


def plan_latency_joint_repeat(task: str, limit: int | None, n_joint: int, tables_dir: str) -> list[JobSpec]:
    configs = repeat_configs(N_REPEAT, n_joint, task)[:limit]
    return _latency_jobs(task, [{"target": "joint", "config": c.to_dict()} for c in configs], measuring_round=REPEAT_ROUND)


def plan_latency_joint_repeat_onnxruntime(task: str, limit: int | None, n_joint: int, tables_dir: str) -> list[JobSpec]:
    configs = repeat_configs(N_REPEAT, n_joint, task)[:limit]
    items = [{"target": "joint", "config": c.to_dict()} for c in configs]
    return _latency_jobs(task, items, "onnxruntime", measuring_round=REPEAT_ROUND)


def plan_latency_joint_onnxruntime(task: str, limit: int | None, n_joint: int, tables_dir: str) -> list[JobSpec]:
    configs = joint_configs(n_joint, task)[:limit] + quantised_configs(DEFAULT_N_QUANT, task)[:limit]
    return _latency_jobs(task, [{"target": "joint", "config": c.to_dict()} for c in configs], "onnxruntime")


PLANS: dict[str, Callable[..., list[JobSpec]]] = {
    "latency-backbones": plan_latency_backbones,
    "latency-joint": plan_latency_joint,
    "latency-joint-repeat": plan_latency_joint_repeat,
    "latency-joint-repeat-onnxruntime": plan_latency_joint_repeat_onnxruntime,
    "latency-joint-onnxruntime": plan_latency_joint_onnxruntime,
    "backbones": plan_backbones,
    "backbones-static": plan_backbones_static,
    "backbones-quant": plan_backbones_quant,
    "joint": plan_joint,
    "joint-quant": plan_joint_quant,
    "joint-static": plan_joint_static,
    "joint-blocks": plan_joint_blocks,
}


def make_plan(
    name: str, task: str, limit: int | None = None, n_joint: int = DEFAULT_N_JOINT, tables_dir: str = "tables"
) -> list[JobSpec]:
    """The job specs of plan ``name`` (for its first ``limit`` backbones / configs, if given)."""
    if name not in PLANS:
        raise UnknownNameError(f"unknown sweep plan {name!r}, expected one of {sorted(PLANS)}")
    return PLANS[name](task, limit, n_joint, tables_dir)

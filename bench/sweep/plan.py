"""Which jobs make up each table of a task (the sweep plans).

* ``backbones``: static costs of all 7,371 backbones of each modality.
* ``joint-static``: static costs of the joint configs.

Joint configs are the shipped Harmonic-NAS examples followed by uniformly sampled
distinct configs from a fixed seed; the list is prefix-stable, so a larger
``n_joint`` only adds configs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bench.errors import UnknownNameError
from bench.examples import example_names, load_example
from bench.space import MODALITIES, Config, enumerate_backbones, sample_config
from bench.sweep.jobs import JobSpec

JOINT_SAMPLE_SEED = 20231
DEFAULT_N_JOINT = 2000


def joint_configs(n_joint: int, task: str = "soundmnist") -> list[Config]:
    """The Harmonic-NAS examples plus ``n_joint`` distinct uniformly sampled fp32 configs."""
    configs = {c.id: c for c in (load_example(n) for n in example_names())}
    rng = np.random.default_rng(JOINT_SAMPLE_SEED)
    n_target = len(configs) + n_joint
    while len(configs) < n_target:
        config = sample_config(rng, task)
        configs.setdefault(config.id, config)
    return list(configs.values())


def backbone_jobs(task: str, kind: str, modalities: tuple[str, ...] = MODALITIES, **extra: object) -> list[JobSpec]:
    """One ``kind`` job per backbone of each modality."""
    return [
        JobSpec.make(kind, task, {"modality": m, "backbone": g.to_dict(), **extra})
        for m in modalities
        for g in enumerate_backbones()
    ]


def plan_backbones(task: str, limit: int | None = None, n_joint: int = DEFAULT_N_JOINT) -> list[JobSpec]:
    return backbone_jobs(task, "backbone_static")[:limit]


def plan_joint_static(task: str, limit: int | None = None, n_joint: int = DEFAULT_N_JOINT) -> list[JobSpec]:
    return [JobSpec.make("joint_static", task, {"config": c.to_dict()}) for c in joint_configs(n_joint, task)][:limit]


PLANS: dict[str, Callable[..., list[JobSpec]]] = {
    "backbones": plan_backbones,
    "joint-static": plan_joint_static,
}


def make_plan(name: str, task: str, limit: int | None = None, n_joint: int = DEFAULT_N_JOINT) -> list[JobSpec]:
    """The job specs of plan ``name`` (first ``limit`` only, if given)."""
    if name not in PLANS:
        raise UnknownNameError(f"unknown sweep plan {name!r}, expected one of {sorted(PLANS)}")
    return PLANS[name](task, limit=limit, n_joint=n_joint)

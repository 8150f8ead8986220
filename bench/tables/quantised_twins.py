"""Why a quantised config can have exactly its fp32 twin's accuracies, checked config by config.

A twin is the same architecture at fp32. Their fusion networks are trained with the same
seed (the same initialisation and batch order) on features that differ only by the
quantisation of some components, so the two runs land close together; on a validation
split of a few hundred pairs the accuracy is a count of wrong predictions, and it is the
same whenever quantisation flips none of them (or flips as many right as wrong). This module
retrains both twins of each such config with the sweep's protocol and classifies it:

* ``dead``: every quantised component is a backbone none of whose features reach the head
  (:mod:`bench.space.dataflow`), so the networks are the same by construction;
* ``no flips``: the logits differ but no validation prediction does;
* ``flips cancel``: some predictions differ, as many right as wrong;
* ``unexplained``: the retrained accuracies differ from the table's, or they are equal
  for none of the reasons above.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bench.space import Config, parse_config
from bench.space.dataflow import data_flow
from bench.sweep.jobs import JobContext
from bench.sweep.kinds import joint_inputs
from bench.train.fusion import FusionSettings, logits, trained_fusion

VERDICTS = ("dead", "no flips", "flips cancel", "unexplained")


@dataclass(frozen=True)
class TwinCheck:
    """One quantised config retrained beside its fp32 twin for one seed."""

    config_id: str
    precision: str
    seed: int
    reproduced: bool
    val_flips: int
    val_flips_to_right: int
    max_logit_change: float
    verdict: str


def identical_twins(joint: pd.DataFrame, column: str = "val_acc_seeds") -> list[tuple[int, int]]:
    """(row, twin row) of every quantised config whose per-seed ``column`` equals its fp32 twin's."""
    configs = [parse_config(text) for text in joint["config_json"]]
    fp32 = {c.architecture_id: r for r, c in enumerate(configs) if c.precision.all_fp32}
    values = joint[column].map(list).tolist()
    return [(r, fp32[c.architecture_id]) for r, c in enumerate(configs)
            if not c.precision.all_fp32 and c.architecture_id in fp32 and values[r] == values[fp32[c.architecture_id]]]


def _dead_quantised(config: Config) -> bool:
    flow = data_flow(config.fusion)
    live = {"image": bool(flow.reaches(0)), "audio": bool(flow.reaches(1)), "fusion": True}
    return all(not live[component] for component, p in config.precision.to_dict().items() if p != "fp32")


def check_twin(
    config: Config, twin: Config, stored_val: tuple[float, float], seed: int, settings: FusionSettings,
    supernet_sha256: dict[str, str], context: JobContext,
) -> TwinCheck:
    """Retrain ``config`` and its fp32 ``twin`` with ``seed``; compare their validation predictions.

    ``stored_val``: the table's validation accuracy of (config, twin) for that seed.
    """
    precision = "/".join(config.precision.to_dict().values())
    if _dead_quantised(config):
        return TwinCheck(config.id, precision, seed, True, 0, 0, 0.0, "dead")
    runs = []
    for c in (config, twin):
        features, labels = joint_inputs(c, supernet_sha256, context)
        record, net = trained_fusion(c, features["image"], features["audio"], labels, seed, settings)
        with settings.compute_precision():
            out = logits(net, features["image"].splits["val"] + features["audio"].splits["val"]).float()
        runs.append((record["val_acc"], out))
    (acc, out), (twin_acc, twin_out) = runs
    label = labels["val"]
    flips = (out.argmax(1) != twin_out.argmax(1)).numpy()
    to_right = int(np.sum(flips & (out.argmax(1).numpy() == label)))
    reproduced = (acc, twin_acc) == stored_val
    if not reproduced:
        verdict = "unexplained"
    elif not flips.any():
        verdict = "no flips"
    else:
        verdict = "flips cancel" if 2 * to_right == int(flips.sum()) else "unexplained"
    return TwinCheck(config.id, precision, seed, reproduced, int(flips.sum()), to_right, float((out - twin_out).abs().max()), verdict)

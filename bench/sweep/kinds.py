"""The built-in job kinds of the sweep.

* ``backbone_static``: params, MACs, LUT latency / energy, analytical energy of one backbone.
* ``joint_static``: the same per component and in total for one joint config.

Expensive resources (look-up tables, data, supernets) are loaded once per process.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import torch

from bench.hardware.analytical import PROVENANCE as HOROWITZ, energy_mj, traffic
from bench.hardware.lut import BOARDS, LutDevice
from bench.models import Backbone, MultimodalNet, build_fusion, skeleton
from bench.space import parse_backbone, parse_config
from bench.sweep.jobs import JobContext, JobKind, register


@lru_cache(maxsize=None)
def _lut(board: str, lut_dir: str | None, task: str) -> LutDevice:
    return LutDevice(board, lut_dir, task)


def _inputs(modality: str) -> list[torch.Tensor]:
    return [torch.zeros(1, *skeleton.INPUT_SHAPES[modality])]


def _static(model: torch.nn.Module, inputs: list) -> dict[str, Any]:
    counts = traffic(model, inputs)
    return {"params": counts["weights"], "macs": counts["macs"], HOROWITZ: {"energy_mj": energy_mj(counts)}}


def backbone_static(params: dict[str, Any], context: JobContext) -> dict[str, Any]:
    """Static costs of ``params['backbone']`` for ``params['modality']``."""
    model = Backbone(parse_backbone(params["backbone"]))
    out = _static(model, _inputs(params["modality"]))
    for board in BOARDS:
        cost = _lut(board, context.lut_dir, params["task"]).price_backbone(model, params["modality"])
        out[f"lut:{board}"] = {"latency_ms": cost.latency_ms, "energy_mj": cost.energy_mj}
    return out


def joint_static(params: dict[str, Any], context: JobContext) -> dict[str, Any]:
    """Static costs of a joint config per component (image, audio, fusion) and in total."""
    config = parse_config(params["config"])
    image, audio, fusion = Backbone(config.image), Backbone(config.audio), build_fusion(config)
    pooled = [torch.zeros(1, c, skeleton.FUSION_LENGTH) for c in fusion.feature_channels]
    out: dict[str, Any] = {
        "image": _static(image, _inputs("image")),
        "audio": _static(audio, _inputs("audio")),
        "fusion": _static(fusion, [pooled]),
        "total": _static(MultimodalNet(image, audio, fusion), _inputs("image") + _inputs("audio")),
    }
    for board in BOARDS:
        cost = _lut(board, context.lut_dir, params["task"]).cost(config)
        for component, value in [("total", cost.total), *cost.components.items()]:
            out[component][f"lut:{board}"] = {"latency_ms": value.latency_ms, "energy_mj": value.energy_mj}
    return out


register(JobKind("backbone_static", backbone_static))
register(JobKind("joint_static", joint_static))

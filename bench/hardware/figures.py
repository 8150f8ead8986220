"""Static figures of a model, a config or one part of a fusion network: parameters, batch-1 MACs, bytes at a
precision and ``model:horowitz45`` energy; and the device ``model:horowitz45`` that answers them for any config.

A fusion network is a sum of parts (DESIGN.md sections 3 and 5): one reshape layer per
fusion input it reads (``input``), one operator per node, one LayerNorm per cell
(``cell``) and the head (``head``); :func:`part_module` builds each one alone, so the
figures of any fusion network are sums of :func:`part_figures`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import torch
from torch import nn

from bench.devices import TOTAL, device_spec
from bench.hardware.analytical import traffic
from bench.hardware.cost import Cost, ModelCost
from bench.hardware.horowitz import energy_mj
from bench.models import Backbone, MultimodalNet, build_fusion, skeleton
from bench.models.fusion import FusionInput
from bench.models.fusion_ops import FUSION_OP_CLASSES
from bench.models.quantize import component_bytes
from bench.space import COMPONENTS, MODALITIES, BackboneGenotype, Config
from bench.tasks import DEFAULT_TASK, get_task


def static_figures(model: nn.Module, inputs: Sequence, precision: str = "fp32") -> dict[str, float]:
    """Parameters, batch-1 MACs, bytes at ``precision`` and ``model:horowitz45`` energy of ``model(*inputs)``."""
    counts = traffic(model, inputs)
    return {
        "params": counts["weights"],
        "macs": counts["macs"],
        "bytes": component_bytes(model, precision),
        "horowitz45_energy_mj": energy_mj(counts, precision),
    }


class _Head(nn.Module):
    """The fusion head as :class:`bench.models.fusion.FusionNetwork` runs it: LayerNorm, ReLU, flatten, linear."""

    def __init__(self) -> None:
        super().__init__()
        width = 2 * skeleton.FUSION_CHANNELS
        self.norm = nn.LayerNorm([width, skeleton.FUSION_LENGTH])
        self.classifier = nn.Linear(width * skeleton.FUSION_LENGTH, skeleton.N_CLASSES)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(torch.relu(self.norm(x)), 1))


def part_module(kind: str, channels: int) -> tuple[nn.Module, list[torch.Tensor]]:
    """A fresh fusion part and its batch-1 inputs: a reshape layer ('input'), a cell's norm, the head, or an operator."""
    width, length = skeleton.FUSION_CHANNELS, skeleton.FUSION_LENGTH
    if kind == "input":
        return FusionInput(channels), [torch.zeros(1, channels, length)]
    if kind == "cell":
        return nn.LayerNorm([width, length]), [torch.zeros(1, width, length)]
    if kind == "head":
        return _Head(), [torch.zeros(1, 2 * width, length)]
    return FUSION_OP_CLASSES[kind](width, length), [torch.zeros(1, width, length)] * 2


@lru_cache(maxsize=None)
def part_figures(kind: str, channels: int, precision: str) -> dict[str, float]:
    """:func:`static_figures` of one fusion part (shared by every caller in the process)."""
    return static_figures(*part_module(kind, channels), precision)


@lru_cache(maxsize=4096)
def backbone_figures(genotype: BackboneGenotype, modality: str, precision: str, task: str) -> dict[str, float]:
    """:func:`static_figures` of one backbone built alone at batch 1 on ``task``'s inputs (cached)."""
    return static_figures(Backbone(genotype), [torch.zeros(1, *get_task(task).input_shape(modality))], precision)


def config_figures(config: Config) -> dict[str, dict[str, float]]:
    """:func:`static_figures` of each component of ``config`` at its precision and of the whole model
    (:data:`bench.devices.TOTAL`): the whole model as built when all is fp32, else the sum of its components."""
    task = get_task(config.task)
    image, audio, fusion = Backbone(config.image), Backbone(config.audio), build_fusion(config)
    inputs = {m: [torch.zeros(1, *task.input_shape(m))] for m in MODALITIES}
    pooled = [torch.zeros(1, c, skeleton.FUSION_LENGTH) for c in fusion.feature_channels]
    precision = config.precision.to_dict()
    out = {
        "image": static_figures(image, inputs["image"], precision["image"]),
        "audio": static_figures(audio, inputs["audio"], precision["audio"]),
        "fusion": static_figures(fusion, [pooled], precision["fusion"]),
    }
    if config.precision.all_fp32:
        out[TOTAL] = static_figures(MultimodalNet(image, audio, fusion), inputs["image"] + inputs["audio"])
    else:
        out[TOTAL] = {key: sum(out[c][key] for c in COMPONENTS) for key in out["image"]}
    return out


class AnalyticalDevice:
    """Device ``model:horowitz45``: energy (mJ) of any config at its precisions, estimated from MACs and memory
    traffic (:mod:`bench.hardware.analytical`); it models no latency (None).

    Args:
        model: the member of the ``model`` device kind ('horowitz45').
        task: accepted like every device factory's; a config names its own task, whose inputs the models run on.
    """

    def __init__(self, model: str, task: str = DEFAULT_TASK) -> None:
        self.name = device_spec(f"model:{model}").name

    def cost(self, config: Config) -> ModelCost:
        """Whole-model and per-component energy of ``config``."""
        figures = config_figures(config)

        def cost(part: str) -> Cost:
            return Cost(latency_ms=None, energy_mj=figures[part]["horowitz45_energy_mj"], provenance=self.name)

        return ModelCost(total=cost(TOTAL), components={c: cost(c) for c in COMPONENTS})

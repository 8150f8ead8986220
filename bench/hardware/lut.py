"""Jetson TX2 / AGX Xavier costs from the Harmonic-NAS per-layer look-up tables.

The tables (Ghebriout et al., ACML 2023) are read by :mod:`bench.hardware.lut_tables`,
never copied. Keys are built from the model's real
layers: a forward pass at batch 1 records each priced layer's input shape. The cost is
the plain sum the paper uses: every backbone layer (stem, fixed block, active unit
blocks, final-expand, feature-mix, classifier) plus one fusion entry per fusion node;
reshape layers and the fusion head are not priced. A missing key is an error.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import torch
from torch import nn

from bench.devices import device_spec
from bench.errors import DataError
from bench.hardware.cost import Cost, ModelCost
from bench.hardware.lut_tables import LutTables
from bench.models import Backbone, build_fusion, skeleton
from bench.models.counting import visit_layers
from bench.models.fusion_ops import FusionOp
from bench.models.layers import ConvLayer, LinearLayer, MBConvLayer
from bench.space import BackboneGenotype, Config
from bench.tasks import DEFAULT_TASK, get_task


def layer_key(module: nn.Module, input_shape: tuple[int, ...]) -> str | None:
    """The look-up-table key of one priced layer, or None for layers the tables do not price."""
    shape = "_".join(str(s) for s in input_shape)
    if isinstance(module, ConvLayer):
        return (
            f"ConvLayer-input:{shape}-in_ch:{module.in_ch}-out_ch:{module.out_ch}-kernel:{module.kernel}"
            f"-stride:{module.stride}-use_se:0-use_bn:{int(module.use_bn)}"
        )
    if isinstance(module, MBConvLayer):
        return (
            f"MBConvLayer-input:{shape}-in_ch:{module.in_ch}-out_ch:{module.out_ch}-mid_ch:{module.mid_ch}"
            f"-expand:{module.expand}-kernel:{module.kernel}-stride:{module.stride}-use_se:0"
        )
    if isinstance(module, LinearLayer):
        return f"LinearLayer-input:{input_shape[-1]}-in_ch:{module.in_features}-out_ch:{module.out_features}"
    if isinstance(module, FusionOp):
        return f"{module.op_name}-input:{shape}-N:1-C:{module.channels}-L:{module.length}"
    return None


def model_layer_keys(model: nn.Module, inputs: list[torch.Tensor]) -> list[str]:
    """Keys of every priced layer that runs in ``model(*inputs)`` (order of completion)."""
    keys: list[str] = []
    visit_layers(
        model,
        inputs,
        select=lambda m: layer_key(m, (1,)) is not None,
        visit=lambda module, x, _: keys.append(layer_key(module, tuple(x.shape))),
    )
    return keys


class LutDevice:
    """Device ``lut:<board>`` answering latency (ms) and energy (mJ) from the tables.

    Args:
        board: a member of the ``lut`` device kind (:mod:`bench.devices`): 'tx2' or 'agx'.
        lut_dir: folder of the JSON tables (default :func:`bench.hardware.lut_tables.lut_dir_from_env`).
        task: the task whose inputs and backbone table family to use.

    Raises:
        UnknownNameError: an unknown board.
        DataError: a task without a LUT family, or missing or corrupt tables.
    """

    def __init__(self, board: str, lut_dir: str | Path | None = None, task: str = DEFAULT_TASK) -> None:
        self.name = device_spec(f"lut:{board}").name
        self.board = board
        self.task = get_task(task)
        if self.task.lut_family is None:
            raise DataError(f"task {task!r} has no look-up table family: its inputs are not the tables' shapes")
        self.tables = LutTables(self.name, board, self.task.lut_family, lut_dir)
        self.lut_dir = self.tables.lut_dir
        self._backbone_cost = lru_cache(maxsize=None)(self._uncached_backbone_cost)

    def backbone_cost(self, genotype: BackboneGenotype, modality: str) -> Cost:
        """Cost of one backbone run in full at batch 1."""
        return self._backbone_cost(genotype, modality)

    def price_backbone(self, model: Backbone, modality: str) -> Cost:
        """Cost of an already-built backbone module (batch-1 input of ``modality``)."""
        keys = model_layer_keys(model, [torch.zeros(1, *self.task.input_shape(modality))])
        return self.tables.backbone_cost(keys)

    def fusion_cost(self, config: Config) -> Cost:
        """Cost of the fusion network of ``config`` (one entry per fusion node)."""
        fusion = build_fusion(config)
        return self.price_fusion_part(fusion, [[torch.zeros(1, c, skeleton.FUSION_LENGTH) for c in fusion.feature_channels]])

    def price_fusion_part(self, module: nn.Module, inputs: list) -> Cost:
        """Cost of the fusion operators that run in ``module(*inputs)`` (a fusion network or one operator)."""
        return self.tables.fusion_cost(model_layer_keys(module, inputs))

    def cost(self, config: Config) -> ModelCost:
        """Whole-model and per-component cost (the whole is the sum of the components)."""
        components = {
            "image": self.backbone_cost(config.image, "image"),
            "audio": self.backbone_cost(config.audio, "audio"),
            "fusion": self.fusion_cost(config),
        }
        total = Cost(
            latency_ms=sum(c.latency_ms for c in components.values()),
            energy_mj=sum(c.energy_mj for c in components.values()),
            provenance=self.name,
        )
        return ModelCost(total=total, components=components)

    def _uncached_backbone_cost(self, genotype: BackboneGenotype, modality: str) -> Cost:
        return self.price_backbone(Backbone(genotype), modality)

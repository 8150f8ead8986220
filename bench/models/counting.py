"""Parameter and multiply-accumulate counts of real models.

MACs are counted by torch's ``FlopCounterMode`` on a batch-1 forward (convolutions,
linear layers and matrix products; element-wise ops, norms and pooling excluded), so
the figure follows the layers that actually run. One MAC = two FLOPs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

if TYPE_CHECKING:
    from bench.space import Config


def count_params(model: nn.Module) -> int:
    """Number of trainable and frozen parameters (buffers excluded)."""
    return sum(p.numel() for p in model.parameters())


@torch.no_grad()
def count_macs(model: nn.Module, inputs: Sequence[torch.Tensor]) -> int:
    """MACs of ``model(*inputs)`` (inputs of batch size 1) in eval mode."""
    was_training = model.training
    model.eval()
    try:
        with FlopCounterMode(display=False) as counter:
            model(*inputs)
    finally:
        model.train(was_training)
    return int(counter.get_total_flops()) // 2


def component_stats(config: Config) -> dict[str, dict[str, int]]:
    """Parameters and batch-1 MACs of each component and of the whole model."""
    from bench.models import skeleton
    from bench.models.backbone import Backbone
    from bench.models.multimodal import MultimodalNet, build_fusion
    from bench.tasks import get_task

    task = get_task(config.task)
    image, audio, fusion = Backbone(config.image), Backbone(config.audio), build_fusion(config)
    image_x = torch.zeros(1, *task.input_shape("image"))
    audio_x = torch.zeros(1, *task.input_shape("audio"))
    pooled = [torch.zeros(1, c, skeleton.FUSION_LENGTH) for c in fusion.feature_channels]
    whole = MultimodalNet(image, audio, fusion)
    return {
        "image": {"params": count_params(image), "macs": count_macs(image, [image_x])},
        "audio": {"params": count_params(audio), "macs": count_macs(audio, [audio_x])},
        "fusion": {"params": count_params(fusion), "macs": count_macs(fusion, [pooled])},
        "total": {"params": count_params(whole), "macs": count_macs(whole, [image_x, audio_x])},
    }


@torch.no_grad()
def visit_layers(
    model: nn.Module,
    inputs: Sequence[torch.Tensor],
    select: Callable[[nn.Module], bool],
    visit: Callable[[nn.Module, torch.Tensor, torch.Tensor], None],
) -> None:
    """Run ``model(*inputs)`` in eval mode, calling ``visit(module, input, output)`` for
    every selected module that runs, in execution order of completion."""
    handles = [
        m.register_forward_hook(lambda module, args, output: visit(module, args[0], output))
        for m in model.modules()
        if select(m)
    ]
    try:
        model.eval()(*inputs)
    finally:
        for handle in handles:
            handle.remove()

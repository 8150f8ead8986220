"""Export of a config's model to TorchScript and ONNX, for timing on other runtimes and devices.

The models are built exactly as the sweep times them (:func:`build_model`).
:func:`export_onnx_int8` adds a statically quantised ONNX model (QDQ, per-channel
symmetric int8 weights, uint8 activations calibrated on training inputs) for ONNX
Runtime's int8 kernels: a real int8 runtime, not a simulation. ONNX has no
adaptive max-pooling whose bins do not divide the input, which the fusion network's
inputs need (e.g. 7x7 -> 4x4); during ONNX export that pooling is replaced by
:func:`exportable_adaptive_max_pool2d`, the same bins as explicit slices (identical
outputs, checked by the tests).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from bench.space import Config


def build_model(config: Config) -> tuple[torch.nn.Module, tuple[torch.Tensor, torch.Tensor]]:
    """The eval-mode multimodal model of ``config`` and a batch-1 input pair (image, audio)."""
    from bench.models import Backbone, MultimodalNet, build_fusion, skeleton

    torch.manual_seed(0)
    model = MultimodalNet(Backbone(config.image).eval(), Backbone(config.audio).eval(), build_fusion(config).eval()).eval()
    inputs = tuple(torch.randn(1, *skeleton.INPUT_SHAPES[m]) for m in ("image", "audio"))
    return model, inputs


def exportable_adaptive_max_pool2d(x: torch.Tensor, output_size: int | tuple[int, int], *args: Any, **kwargs: Any) -> torch.Tensor:
    """``F.adaptive_max_pool2d`` as slices and maxima (bins ``[floor(i*H/o), ceil((i+1)*H/o))``), exportable to ONNX."""
    if args or kwargs.get("return_indices"):
        raise ValueError("exportable_adaptive_max_pool2d does not return indices")
    out_h, out_w = (output_size, output_size) if isinstance(output_size, int) else output_size
    height, width = x.shape[-2:]
    rows = [x[..., (i * height) // out_h : -(-(i + 1) * height // out_h), :].amax(dim=-2, keepdim=True) for i in range(out_h)]
    x = torch.cat(rows, dim=-2)
    columns = [x[..., (j * width) // out_w : -(-(j + 1) * width // out_w)].amax(dim=-1, keepdim=True) for j in range(out_w)]
    return torch.cat(columns, dim=-1)


@contextlib.contextmanager
def _onnx_friendly_pooling() -> Iterator[None]:
    original = F.adaptive_max_pool2d
    F.adaptive_max_pool2d = exportable_adaptive_max_pool2d
    try:
        yield
    finally:
        F.adaptive_max_pool2d = original


def export_torchscript(config: Config, path: Path) -> Path:
    """Trace the model to TorchScript at ``path``."""
    model, inputs = build_model(config)
    with torch.inference_mode():
        traced = torch.jit.trace(model, inputs)
    traced.save(str(path))
    return path


def export_onnx(config: Config, path: Path) -> Path:
    """Export the model to ONNX at ``path`` (inputs ``image``, ``audio``; output ``logits``)."""
    model, inputs = build_model(config)
    with _onnx_friendly_pooling():
        program = torch.onnx.export(model, inputs, input_names=["image", "audio"], output_names=["logits"], dynamo=True, verbose=False)
    program.save(str(path))
    return path


def export_onnx_int8(config: Config, path: Path, calibration: list[tuple[np.ndarray, np.ndarray]]) -> Path:
    """The ONNX model of ``config`` statically quantised to int8 at ``path``.

    ``calibration`` holds batch-1 (image, audio) pairs from the training split; only the
    convolution and matrix-product nodes are quantised (as :mod:`bench.models.quantize` does).
    """
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

    if not calibration:
        raise ValueError("int8 export needs calibration inputs from the training split")

    class _Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self._pairs = iter(calibration)

        def get_next(self) -> dict[str, np.ndarray] | None:
            pair = next(self._pairs, None)
            return None if pair is None else {"image": pair[0], "audio": pair[1]}

    fp32 = export_onnx(config, path.with_suffix(".fp32.onnx"))
    quantize_static(
        str(fp32), str(path), _Reader(), quant_format=QuantFormat.QDQ, per_channel=True, weight_type=QuantType.QInt8,
        activation_type=QuantType.QUInt8, op_types_to_quantize=["Conv", "MatMul", "Gemm"],
        # ORT 1.2x's bias-scale adjustment fails on per-channel weights; int32 biases need no such adjustment here.
        extra_options={"QDQDisableWeightAdjustForInt32Bias": True},
    )
    return path

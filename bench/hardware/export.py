"""Export of a config's model to TorchScript and ONNX, for timing on other runtimes and devices.

The models are built exactly as the sweep times them (:func:`build_model`).
:func:`export_onnx` exports a config as its precision says: fp32 components in float,
int8 components statically quantised (QDQ: per-channel symmetric int8 weights, uint8
activations calibrated on training inputs, as :mod:`bench.models.quantize` simulates)
for ONNX Runtime's int8 kernels, a real int8 runtime. An int4 component cannot be
exported: ONNX Runtime has int4 weights only for weight-only MatMul (``MatMulNBits``),
no int4 convolution, so its latency is missing (:data:`NO_INT4_KERNEL`).

ONNX export uses torch's TorchScript-based exporter (``dynamo=False``): about 0.5 s per
model against 7 s for the dynamo exporter, which matters for the sweep's thousands of
models (torch is pinned, and the tests check ONNX Runtime's outputs against torch's).
ONNX has no adaptive max-pooling whose bins do not divide the input, which the fusion
network's inputs need (e.g. 7x7 -> 4x4); during export that pooling is replaced by
:func:`exportable_adaptive_max_pool2d`, the same bins as explicit slices (identical
outputs, checked by the tests).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from bench.errors import NoKernelError
from bench.space import COMPONENTS, MODALITIES, Config

QUANTISED_OPS = ("Conv", "MatMul", "Gemm")  # the layers bench.models.quantize quantises
NO_INT4_KERNEL = "ONNX Runtime has no int4 convolution kernel (int4 weights only in weight-only MatMulNBits)"


def build_model(config: Config) -> tuple[torch.nn.Module, tuple[torch.Tensor, torch.Tensor]]:
    """The eval-mode multimodal model of ``config`` and a batch-1 input pair (image, audio)."""
    from bench.models import Backbone, MultimodalNet, build_fusion
    from bench.tasks import get_task

    torch.manual_seed(0)
    model = MultimodalNet(Backbone(config.image).eval(), Backbone(config.audio).eval(), build_fusion(config).eval()).eval()
    inputs = tuple(torch.randn(1, *get_task(config.task).input_shape(m)) for m in MODALITIES)
    return model, inputs


def exportable_adaptive_max_pool2d(x: torch.Tensor, output_size: int | tuple[int, int], *args: Any, **kwargs: Any) -> torch.Tensor:
    """``F.adaptive_max_pool2d`` as slices and maxima (bins ``[floor(i*H/o), ceil((i+1)*H/o))``), exportable to ONNX."""
    if args or kwargs.get("return_indices"):
        raise ValueError("exportable_adaptive_max_pool2d does not return indices")
    out_h, out_w = (output_size, output_size) if isinstance(output_size, int) else output_size
    height, width = x.shape[-2:]
    # ceil((i + 1) * H / o) with non-negative operands: traced shapes floor-divide like C (towards zero) in ONNX
    rows = [x[..., (i * height) // out_h : ((i + 1) * height + out_h - 1) // out_h, :].amax(dim=-2, keepdim=True) for i in range(out_h)]
    x = torch.cat(rows, dim=-2)
    columns = [x[..., (j * width) // out_w : ((j + 1) * width + out_w - 1) // out_w].amax(dim=-1, keepdim=True) for j in range(out_w)]
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


def export_onnx(config: Config, path: Path, calibration: list[tuple[np.ndarray, np.ndarray]] | None = None) -> Path:
    """Export ``config``'s model to ONNX at ``path`` (inputs ``image``, ``audio``; output ``logits``), as its precision says.

    ``calibration`` (batch-1 (image, audio) pairs from the training split) is needed when a
    component is int8: its convolution and matrix-product nodes, and no others, are
    quantised (QDQ).

    Raises:
        NoKernelError: a component is int4 (:data:`NO_INT4_KERNEL`).
        ValueError: an int8 component without calibration inputs.
    """
    precision = config.precision.to_dict()
    if "int4" in precision.values():
        raise NoKernelError(f"config {config.id} has an int4 component: {NO_INT4_KERNEL}")
    int8 = [component for component, p in precision.items() if p == "int8"]
    if int8 and not calibration:
        raise ValueError("an int8 component needs calibration inputs from the training split")
    model, inputs = build_model(config)
    float_path = path.with_suffix(".fp32.onnx") if int8 else path
    with _onnx_friendly_pooling(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*legacy TorchScript-based ONNX export", category=DeprecationWarning)
        torch.onnx.export(model, inputs, str(float_path), input_names=["image", "audio"], output_names=["logits"], dynamo=False)
    _unshare_initializers(float_path)
    if int8:
        _quantise_components(float_path, path, int8, calibration or [])
        float_path.unlink()
    return path


def _unshare_initializers(path: Path) -> None:
    """Give every ``Identity`` of an initializer its own copy of it, in place.

    The exporter shares equal tensors (e.g. the zero biases of untrained, BN-folded
    convolutions) through ``Identity`` nodes; ONNX Runtime's quantiser then cannot
    quantise those biases and leaves their convolutions in float.
    """
    import onnx

    model = onnx.load(str(path))
    initializers = {tensor.name: tensor for tensor in model.graph.initializer}
    kept = []
    for node in model.graph.node:
        if node.op_type == "Identity" and node.input[0] in initializers:
            copy = model.graph.initializer.add()
            copy.CopyFrom(initializers[node.input[0]])
            copy.name = node.output[0]
        else:
            kept.append(node)
    del model.graph.node[:]
    model.graph.node.extend(kept)
    onnx.save(model, str(path))


def _quantise_components(source: Path, path: Path, components: list[str], calibration: list[tuple[np.ndarray, np.ndarray]]) -> None:
    """Statically quantise the Conv / MatMul / Gemm nodes of ``components`` of ONNX model ``source`` to ``path``.

    Nodes are told apart by the exporter's scope names (``/image/...``, ``/audio/...``,
    ``/fusion/...``); a quantisable node outside every component is an error, never guessed.
    """
    import onnx
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

    graph = onnx.load(str(source)).graph
    wanted = {i.name for i in graph.input}  # the exporter drops a backbone whose features no output uses
    nodes = [node for node in graph.node if node.op_type in QUANTISED_OPS]
    stray = [node.name for node in nodes if not node.name.startswith(tuple(f"/{c}/" for c in COMPONENTS))]
    if stray:
        raise ValueError(f"ONNX nodes outside every component, cannot assign a precision: {stray[:3]}")
    selected = [node.name for node in nodes if node.name.startswith(tuple(f"/{c}/" for c in components))]

    class _Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self._pairs = iter(calibration)

        def get_next(self) -> dict[str, np.ndarray] | None:
            pair = next(self._pairs, None)
            return None if pair is None else {k: x for k, x in zip(("image", "audio"), pair) if k in wanted}

    quantize_static(
        str(source), str(path), _Reader(), quant_format=QuantFormat.QDQ, per_channel=True, weight_type=QuantType.QInt8,
        activation_type=QuantType.QUInt8, op_types_to_quantize=list(QUANTISED_OPS), nodes_to_quantize=selected,
        # ORT 1.2x's bias-scale adjustment fails on per-channel weights; int32 biases need no such adjustment here.
        extra_options={"QDQDisableWeightAdjustForInt32Bias": True},
    )

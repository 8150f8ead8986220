"""Forward passes in bfloat16 on the CPU: ``torch.autocast``, with the convolutions emulated where the CPU has no bfloat16 kernels.

On a CPU with oneDNN's bfloat16 kernels (AVX512_BF16 / AMX; :data:`NATIVE_BFLOAT16`) autocast runs convolutions on bfloat16
operands with float32 accumulation and a bfloat16 result. Without them (an AVX2-only CPU) PyTorch falls back to
``aten::_slow_conv2d``, 13x slower per fusion-training epoch than float32 on an AMD EPYC with AVX2
(``scripts/bench_fusion.py``). There :class:`Float32Convolutions` computes the same thing with float32 kernels: the operands
rounded to bfloat16 as autocast rounds them, the convolution in float32 on those values (a product of two bfloat16 numbers is
exact in float32), the result rounded to bfloat16. Only the order of the float32 sums differs from a native kernel, as it
differs between native kernels of different CPUs, so results reproduce per CPU either way (:func:`bfloat16_kernels` is
recorded with every joint training).
"""

from __future__ import annotations

from contextlib import AbstractContextManager, ExitStack, nullcontext
from typing import Any

import torch
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode

AUTOCAST_DTYPES: dict[str, torch.dtype] = {"bfloat16": torch.bfloat16}
NATIVE_BFLOAT16: bool = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
_CONVOLUTIONS = (F.conv1d, F.conv2d)


class Float32Convolutions(TorchFunctionMode):
    """Inside ``torch.autocast``: every ``conv1d`` / ``conv2d`` as a float32 convolution of operands rounded to ``dtype``,
    its result rounded to ``dtype`` (gradients flow through the roundings as through autocast's casts)."""

    def __init__(self, dtype: torch.dtype) -> None:
        super().__init__()
        self.dtype = dtype

    def __torch_function__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        kwargs = kwargs or {}
        if func not in _CONVOLUTIONS or not torch.is_autocast_enabled("cpu"):
            return func(*args, **kwargs)
        operands = list(args[:3])
        if len(operands) < 3:
            operands.append(kwargs.pop("bias", None))
        rounded = [None if t is None else t.to(self.dtype).float() for t in operands]
        with torch.autocast("cpu", enabled=False):
            out = func(*rounded, *args[3:], **kwargs)
        return out.to(self.dtype)


def lower_precision(name: str, emulate_convolutions: bool = not NATIVE_BFLOAT16) -> AbstractContextManager:
    """The context of a forward pass under autocast to ``name`` (a key of :data:`AUTOCAST_DTYPES`), its convolutions
    emulated in float32 where this CPU lacks native kernels (or where ``emulate_convolutions`` says so)."""
    dtype = AUTOCAST_DTYPES[name]
    stack = ExitStack()
    stack.enter_context(torch.autocast("cpu", dtype=dtype))
    stack.enter_context(Float32Convolutions(dtype) if emulate_convolutions else nullcontext())
    return stack


def bfloat16_kernels() -> str:
    """How this CPU runs bfloat16 convolutions: ``"native"`` (oneDNN) or ``"float32-emulated"`` (:class:`Float32Convolutions`)."""
    return "native" if NATIVE_BFLOAT16 else "float32-emulated"

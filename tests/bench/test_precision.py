"""bfloat16 forward passes: the float32 emulation of convolutions on CPUs without bfloat16 kernels."""

import pytest
import torch
import torch.nn.functional as F

from bench.train.precision import NATIVE_BFLOAT16, bfloat16_kernels, lower_precision


def _operands(shape: tuple[int, ...]) -> list[torch.Tensor]:
    torch.manual_seed(0)
    channels = shape[1]
    return [
        torch.randn(*shape, requires_grad=True),
        torch.randn(24, channels, *([3] * (len(shape) - 2)), requires_grad=True),
        torch.randn(24, requires_grad=True),
    ]


def _run(conv, operands: list[torch.Tensor], emulate: bool) -> list[torch.Tensor]:
    with lower_precision("bfloat16", emulate_convolutions=emulate):
        out = conv(*operands, padding=1)
    out.float().square().sum().backward()
    grads = [t.grad.clone() for t in operands]
    for t in operands:
        t.grad = None
    return [out.detach(), *grads]


@pytest.mark.parametrize(("conv", "shape"), [(F.conv1d, (16, 32, 12)), (F.conv2d, (8, 32, 6, 6))])
def test_emulated_convolution_is_float32_on_bfloat16_operands_rounded_to_bfloat16(conv, shape):
    operands = _operands(shape)
    out, *grads = _run(conv, operands, emulate=True)
    assert out.dtype == torch.bfloat16
    rounded = [t.detach().to(torch.bfloat16).float() for t in operands]
    assert torch.equal(out, conv(*rounded, padding=1).to(torch.bfloat16))
    assert not torch.equal(out, conv(*(t.detach() for t in operands), padding=1).to(torch.bfloat16))  # operands were rounded
    native_out, *native_grads = _run(conv, operands, emulate=False)
    ulp = 2.0**-7  # relative spacing of bfloat16
    assert (out.float() - native_out.float()).abs().max() <= 2 * ulp * native_out.float().abs().max()
    for grad, native in zip(grads, native_grads):
        assert grad.dtype == torch.float32 and (grad - native).abs().max() <= 4 * ulp * native.abs().max()


def test_emulation_leaves_other_ops_and_float32_passes_alone():
    x, w, b = (t.detach() for t in _operands((4, 32, 12)))
    float32 = F.conv1d(x, w, b, padding=1)
    with lower_precision("bfloat16", emulate_convolutions=True):
        assert F.linear(x.transpose(1, 2), w[:, :, 0]).dtype == torch.bfloat16  # autocast's own kernel
        with torch.autocast("cpu", enabled=False):
            assert torch.equal(F.conv1d(x, w, b, padding=1), float32)  # autocast off: float32, operands not rounded


def test_recorded_kernels_name_this_cpu():
    assert bfloat16_kernels() == ("native" if NATIVE_BFLOAT16 else "float32-emulated")

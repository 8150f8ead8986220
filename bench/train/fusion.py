"""Joint evaluation: train the fusion network on frozen backbone features (DESIGN.md section 4).

The reshape layers, fusion cells and head are trained from scratch for a fixed schedule
(Adam, cosine learning rate) on the train split; validation and test accuracy are
recorded after every epoch with the cumulative wall seconds (the learning curve, the
benchmark's fidelity axis; the test figures are reported, never used). Reported per
seed: final val / test accuracy, the epoch of best validation accuracy and the test
accuracy there, the curve, and wall seconds. A config whose
fusion network is int8 / int4 is trained in float on its (possibly quantised) backbone
features, then quantised (:mod:`bench.models.quantize`, calibrated on training batches);
its val / test accuracy are the quantised network's, the float ones are kept beside them.
A schedule with ``autocast="bfloat16"`` runs the forward passes of training and evaluation
under ``torch.autocast`` (matmuls and convolutions in bfloat16, parameters, optimiser and
quantisation in float32): 2.3x faster per epoch on CPUs with AVX512_BF16 (scripts/bench_fusion.py); on CPUs without
bfloat16 kernels its convolutions are emulated in float32 (:mod:`bench.train.precision`).
"""

from __future__ import annotations

import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from bench.models import build_fusion
from bench.models.quantize import CALIBRATION_BATCHES, quantise_component
from bench.space import Config
from bench.train.correctness import pack_correct
from bench.train.features import PooledFeatures
from bench.train.precision import AUTOCAST_DTYPES, lower_precision

EVAL_BATCH = 512  # pairs per evaluation forward; an avmnist epoch ran 1.4-1.8x faster than with one 4,800-pair forward


@dataclass(frozen=True)
class FusionSettings:
    """Fixed schedule of fusion training (recorded with every result)."""

    epochs: int = 5  # measured: validation accuracy peaks within epochs 1-4 on soundmnist
    batch_size: int = 64
    lr: float = 2e-3
    weight_decay: float = 1e-4
    autocast: str | None = None  # None: float32; "bfloat16": forward passes under torch.autocast

    def __post_init__(self) -> None:
        if self.autocast is not None and self.autocast not in AUTOCAST_DTYPES:
            raise ValueError(f"fusion autocast {self.autocast!r} is neither None (float32) nor one of {sorted(AUTOCAST_DTYPES)}")

    def compute_precision(self) -> AbstractContextManager:
        """The context of a forward pass: autocast to the schedule's dtype (:func:`bench.train.precision.lower_precision`), or
        float32 throughout."""
        if self.autocast is None:
            return nullcontext()
        return lower_precision(self.autocast)



def train_fusion(
    config: Config, image: PooledFeatures, audio: PooledFeatures, labels: dict[str, np.ndarray], seed: int, settings: FusionSettings
) -> dict[str, float | int]:
    """Train one fusion network with ``seed``; returns the per-seed record."""
    return trained_fusion(config, image, audio, labels, seed, settings)[0]


def trained_fusion(
    config: Config, image: PooledFeatures, audio: PooledFeatures, labels: dict[str, np.ndarray], seed: int, settings: FusionSettings
) -> tuple[dict[str, float | int], torch.nn.Module]:
    """:func:`train_fusion`'s record, and the network it scored (quantised to the config's fusion precision)."""
    start = time.perf_counter()
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)  # initialisation and dropout
    net = build_fusion(config)
    optimiser = torch.optim.Adam(net.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=settings.epochs)
    inputs = {split: image.splits[split] + audio.splits[split] for split in labels}
    targets = {split: torch.from_numpy(y) for split, y in labels.items()}
    n_train = len(targets["train"])
    best_val, best_epoch, test_at_best = -1.0, 0, float("nan")
    curve = []
    for epoch in range(settings.epochs):
        net.train()
        order = torch.randperm(n_train, generator=generator)
        for begin in range(0, n_train, settings.batch_size):
            idx = order[begin : begin + settings.batch_size]
            if len(idx) < 2:  # BatchNorm needs two samples
                continue
            optimiser.zero_grad()
            with settings.compute_precision():
                loss = F.cross_entropy(net([f[idx] for f in inputs["train"]]), targets["train"][idx])
            loss.backward()
            optimiser.step()
        schedule.step()
        with settings.compute_precision():
            correct = {split: _correct(net, inputs[split], targets[split]) for split in ("val", "test")}
        val_acc, test_acc = _percent(correct["val"]), _percent(correct["test"])
        if val_acc > best_val:
            best_val, best_epoch, test_at_best = val_acc, epoch + 1, test_acc
        curve.append({"epoch": epoch + 1, "val_acc": val_acc, "test_acc": test_acc, "seconds": time.perf_counter() - start})
    record = {
        "seed": seed,
        "val_acc": val_acc,
        "test_acc": test_acc,
        "best_val_epoch": best_epoch,
        "best_val_acc": best_val,
        "test_acc_at_best_val": test_at_best,
        "curve": curve,
    }
    if config.precision.fusion != "fp32":  # the trained network quantised to its precision is what the config is
        batches = torch.split(torch.arange(n_train), settings.batch_size)[:CALIBRATION_BATCHES]
        net = quantise_component(net.eval(), config.precision.fusion, [([f[idx] for f in inputs["train"]],) for idx in batches])
        correct = {split: _correct(net, inputs[split], targets[split]) for split in ("val", "test")}
        record.update(
            val_acc_before_quantisation=val_acc, test_acc_before_quantisation=test_acc,
            val_acc=_percent(correct["val"]), test_acc=_percent(correct["test"]),
        )
    packed = {f"{split}_correct": pack_correct(c.numpy()) for split, c in correct.items()}
    return {**record, "train_seconds": time.perf_counter() - start, **packed}, net


@torch.no_grad()
def logits(net: torch.nn.Module, inputs: list[torch.Tensor]) -> torch.Tensor:
    """Eval-mode logits of ``net`` over one split's 8 pooled inputs, ``EVAL_BATCH`` pairs at a time."""
    net.eval()
    n = len(inputs[0])
    return torch.cat([net([f[i : i + EVAL_BATCH] for f in inputs]) for i in range(0, n, EVAL_BATCH)])


@torch.no_grad()
def _correct(net: torch.nn.Module, inputs: list[torch.Tensor], target: torch.Tensor) -> torch.Tensor:
    """Which pairs the eval-mode top-1 prediction gets right, ``EVAL_BATCH`` pairs at a time (no layer mixes pairs in eval
    mode, so the predictions do not depend on the chunking; splits up to that size are one forward, as the soundmnist tables were)."""
    return logits(net, inputs).argmax(dim=1) == target


def _percent(correct: torch.Tensor) -> float:
    """Top-1 accuracy (%) of a boolean correctness vector."""
    return 100.0 * float(correct.float().mean())

"""Supernet training with the sandwich rule and in-place distillation (DESIGN.md section 4).

Each step trains the largest subnet on the labels and the smallest plus ``n_random``
random subnets on the largest subnet's soft predictions; gradients are summed and one
optimiser step taken. Training uses the train split only; per-epoch validation accuracy
of the largest and smallest subnets (BN recalibrated) is recorded. A checkpoint after
every epoch makes the run resumable.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import logging
import pickle
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch.torch_version import TorchVersion

from bench.data import TaskData
from bench.errors import DataError
from bench.models import ElasticBackbone
from bench.space import DEPTHS, EXPANDS, KERNELS, N_UNIT_BLOCKS, BackboneGenotype, sample_backbone
from bench.space.validate import canonical_backbone
from bench.train.evaluate import accuracy, batches, recalibrate_bn

logger = logging.getLogger(__name__)

LARGEST = canonical_backbone([max(KERNELS)] * N_UNIT_BLOCKS, [max(EXPANDS)] * N_UNIT_BLOCKS, max(DEPTHS))
SMALLEST = canonical_backbone([min(KERNELS)] * N_UNIT_BLOCKS, [min(EXPANDS)] * N_UNIT_BLOCKS, min(DEPTHS))


@dataclass(frozen=True)
class SupernetSettings:
    """Hyper-parameters of supernet training (recorded with the checkpoint)."""

    epochs: int = 100
    batch_size: int = 64
    lr: float = 0.05
    momentum: float = 0.9
    weight_decay: float = 3e-5
    n_random: int = 2
    distill_temperature: float = 1.0
    image_shift_px: int = 2  # random translation of training images; audio (MFCC rows are coefficients) is not shifted
    bn_batches: int = 8
    seed: int = 0


def subnet_accuracy(
    net: ElasticBackbone, genotype: BackboneGenotype, data: TaskData, modality: str, split: str, settings: SupernetSettings
) -> float:
    """Accuracy (%) of one subnet on ``split`` after BN recalibration on train batches."""
    train = data.train
    x_train = getattr(train, modality)
    calib = [xb for i, (xb, _) in enumerate(batches(x_train, train.label, settings.batch_size)) if i < settings.bn_batches]
    recalibrate_bn(lambda x: net(x, genotype), net, calib)
    target = data.split(split)
    return accuracy(lambda x: net(x, genotype)[1], getattr(target, modality), target.label)


def load_weights(path: Path, sha256: str | None = None) -> dict[str, Any]:
    """A saved supernet or checkpoint, read once, checked against ``sha256`` (when given) and unpickled with
    ``weights_only=True``: tensors, containers and numbers only, so a crafted file cannot run code.

    The committed soundmnist supernets record torch's version as a ``TorchVersion`` (a ``str`` subclass), the one
    class allowed beyond the defaults.

    Raises:
        DataError: the file is missing, does not match ``sha256``, or holds anything but weights.
    """
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise DataError(f"{path}: cannot be read ({err.strerror or err})") from None
    if sha256 is not None and hashlib.sha256(raw).hexdigest() != sha256:
        raise DataError(f"{path}: sha256 {hashlib.sha256(raw).hexdigest()[:12]}... is not the recorded {sha256[:12]}...: corrupt or replaced")
    try:
        with torch.serialization.safe_globals([TorchVersion]):
            return torch.load(io.BytesIO(raw), weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError) as err:
        reason = str(err).splitlines()[0][:160] if str(err) else type(err).__name__
        raise DataError(f"{path}: not a plain weights file, refused unloaded ({reason})") from None


def train_supernet(
    modality: str, data: TaskData, settings: SupernetSettings, checkpoint: Path | None = None
) -> tuple[ElasticBackbone, list[dict]]:
    """Train (or resume) the supernet of ``modality``; returns the net and per-epoch history."""
    torch.manual_seed(settings.seed)
    net = ElasticBackbone()
    optimiser = torch.optim.SGD(
        net.parameters(), lr=settings.lr, momentum=settings.momentum, weight_decay=settings.weight_decay, nesterov=True
    )
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=settings.epochs)
    rng = np.random.default_rng(settings.seed)
    history: list[dict] = []
    if checkpoint is not None and checkpoint.is_file():
        state = load_weights(checkpoint)
        if state["settings"] != dataclasses.asdict(settings) or state["data_key"] != data.key:
            raise ValueError(f"{checkpoint}: saved for other settings or data; remove it to start afresh")
        net.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        schedule.load_state_dict(state["schedule"])
        rng.bit_generator.state = state["rng"]
        torch.set_rng_state(state["torch_rng"])
        history = state["history"]
        logger.info("%s: resumed at epoch %d", modality, len(history))
    x_train, y_train = getattr(data.train, modality), data.train.label
    for epoch in range(len(history), settings.epochs):
        start = time.perf_counter()
        net.train()
        total = 0.0
        for xb, yb in batches(x_train, y_train, settings.batch_size, rng):
            if modality == "image":
                xb = _shift(xb, settings.image_shift_px, rng)
            optimiser.zero_grad()
            teacher = net(xb, LARGEST)[1]
            loss = F.cross_entropy(teacher, yb)
            loss.backward()
            soft = F.softmax(teacher.detach() / settings.distill_temperature, dim=1)
            for g in [SMALLEST] + [sample_backbone(rng) for _ in range(settings.n_random)]:
                student = net(xb, g)[1] / settings.distill_temperature
                F.kl_div(F.log_softmax(student, dim=1), soft, reduction="batchmean").backward()
            optimiser.step()
            total += loss.item()
        schedule.step()
        record = {
            "epoch": epoch + 1,
            "train_loss_largest": total / -(-len(y_train) // settings.batch_size),
            "val_acc_largest": subnet_accuracy(net, LARGEST, data, modality, "val", settings),
            "val_acc_smallest": subnet_accuracy(net, SMALLEST, data, modality, "val", settings),
            "seconds": time.perf_counter() - start,
        }
        history.append(record)
        logger.info("%s epoch %d: %s", modality, epoch + 1, record)
        if checkpoint is not None:
            _save_resumable(checkpoint, net, optimiser, schedule, rng, history, settings, data.key)
    return net, history


def _shift(x: torch.Tensor, max_px: int, rng: np.random.Generator) -> torch.Tensor:
    if max_px == 0:
        return x
    dy, dx = (int(v) for v in rng.integers(-max_px, max_px + 1, size=2))
    padded = F.pad(x, (max_px, max_px, max_px, max_px), value=float(x.min()))
    h, w = x.shape[-2:]
    return padded[..., max_px + dy : max_px + dy + h, max_px + dx : max_px + dx + w]


def _save_resumable(path: Path, net, optimiser, schedule, rng, history, settings, data_key) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save(
        {
            "model": net.state_dict(),
            "optimiser": optimiser.state_dict(),
            "schedule": schedule.state_dict(),
            "rng": rng.bit_generator.state,
            "torch_rng": torch.get_rng_state(),
            "history": history,
            "settings": dataclasses.asdict(settings),
            "data_key": data_key,
        },
        tmp,
    )
    tmp.replace(path)

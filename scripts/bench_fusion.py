"""Fusion-training throughput: samples per second of one seed's training at several batch sizes and compute precisions.

Trains the fusion networks of ``--configs`` sampled configs of ``--task`` for one epoch on
random pooled features of that task's split sizes (speed does not depend on the values),
one thread, and prints per batch size and autocast (float32 and the task's, run side by side)
the median samples per second (training pass plus
the validation and test evaluation of the epoch) and the seconds one config's seeds would
take at ``--epochs`` epochs. A benchmark, not a test: quote its figures with the host and
what else was running.

Usage: python scripts/bench_fusion.py [--task avmnist] [--batch-sizes 64 128 256] [--autocasts none bfloat16] [--configs 8] [--epochs 10]
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import os
import platform
import statistics
import sys
import time

import numpy as np
import torch

from bench.models import skeleton
from bench.space import sample_config
from bench.sweep.kinds import fusion_settings
from bench.sweep.plan import JOINT_SEEDS
from bench.tasks import DEFAULT_TASK, get_task
from bench.train.features import PooledFeatures
from bench.train.fusion import AUTOCAST_DTYPES, FusionSettings, train_fusion


def random_features(config, sizes: dict[str, int]) -> tuple[PooledFeatures, PooledFeatures]:
    """Random pooled features of the config's backbones at the given split sizes."""
    out = []
    for depth in (config.image.d, config.audio.d):
        channels = skeleton.feature_channels(depth)
        out.append(PooledFeatures({s: [torch.randn(n, c, skeleton.FUSION_LENGTH) for c in channels] for s, n in sizes.items()}))
    return out[0], out[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default=DEFAULT_TASK)
    parser.add_argument("--sizes", type=int, nargs=3, default=None, metavar=("TRAIN", "VAL", "TEST"),
                        help="split sizes (default: the task's, read from its data)")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[64, 128, 256])
    parser.add_argument("--autocasts", nargs="+", default=["none", *AUTOCAST_DTYPES], help="'none' is float32")
    parser.add_argument("--configs", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=None, help="epochs of the per-config estimate (default: the task's)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    base = FusionSettings(**fusion_settings(args.task))
    sizes = dict(zip(("train", "val", "test"), args.sizes)) if args.sizes else {
        s: len(get_task(args.task).load().split(s)) for s in ("train", "val", "test")
    }
    epochs = args.epochs or base.epochs
    configs = [sample_config(np.random.default_rng(i), args.task) for i in range(args.configs)]
    print(f"{args.task}: splits {sizes}, {len(configs)} configs, 1 thread, {platform.processor() or platform.machine()}, "
          f"load average {os.getloadavg()[0]:.2f}")
    print("| batch size | autocast | train pairs / s (an epoch with its val + test evaluation) | median s per epoch | est. s per config (3 seeds) |")
    print("|---|---|---|---|---|")
    for batch, autocast in itertools.product(args.batch_sizes, args.autocasts):
        settings = dataclasses.replace(base, epochs=1, batch_size=batch, autocast=None if autocast == "none" else autocast)
        per_epoch = []
        for config in configs:
            image, audio = random_features(config, sizes)
            labels = {s: np.random.default_rng(0).integers(10, size=n) for s, n in sizes.items()}
            start = time.perf_counter()
            train_fusion(config, image, audio, labels, 0, settings)
            per_epoch.append(time.perf_counter() - start)
        median = statistics.median(per_epoch)
        print(f"| {batch} | {autocast} | {sizes['train'] / median:,.0f} | {median:.2f} | {median * epochs * len(JOINT_SEEDS):.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

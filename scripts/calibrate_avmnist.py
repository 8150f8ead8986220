"""Calibrate the avmnist degradation on train / validation only: short supernet runs per candidate setting.

For each candidate number of PCA components (images) and SNR (audio), the task's splits
are built with that setting and the modality's supernet is trained for ``--epochs``
epochs with the release's supernet settings otherwise (sandwich rule, in-place
distillation); the largest and smallest subnets' validation accuracy per epoch is
printed. The test split is built (the splits are built together) but never read. The
chosen setting is then frozen in ``bench/tasks/avmnist.py``'s protocol.

Usage: python scripts/calibrate_avmnist.py [--components 4 6 8 11] [--snr-db -5 0 5 10] [--epochs 8] [--workers 2]
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from bench.data import TaskData, resolve_data_dir
from bench.parallel import one_thread
from bench.tasks import avmnist
from bench.train.supernet import SupernetSettings, train_supernet


def probe(modality: str, setting: dict[str, Any], epochs: int, data_dir: str) -> dict[str, Any]:
    """Validation accuracy per epoch of a short supernet run on the splits built with ``setting``."""
    one_thread()
    protocol = copy.deepcopy(avmnist.PROTOCOL)
    protocol[modality].update(setting)
    splits = avmnist.degraded_splits(resolve_data_dir(data_dir), protocol)
    data = TaskData(name="avmnist-calibration", key=json.dumps(protocol, sort_keys=True), **splits)
    _, history = train_supernet(modality, data, dataclasses.replace(SupernetSettings(), epochs=epochs))
    return {
        "modality": modality, **setting,
        "val_acc_largest": [round(h["val_acc_largest"], 2) for h in history],
        "val_acc_smallest": [round(h["val_acc_smallest"], 2) for h in history],
        "seconds": round(sum(h["seconds"] for h in history), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--components", type=int, nargs="*", default=[4, 6, 8, 11])
    parser.add_argument("--snr-db", type=float, nargs="*", default=[-5.0, 0.0, 5.0, 10.0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    jobs = [("image", {"pca_components": k}) for k in args.components] + [("audio", {"snr_db": s}) for s in args.snr_db]
    with ProcessPoolExecutor(args.workers) as pool:
        futures = [pool.submit(probe, modality, setting, args.epochs, args.data_dir) for modality, setting in jobs]
        for future in futures:
            print(json.dumps(future.result()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

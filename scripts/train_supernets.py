"""Train the per-modality supernets of a task and write them under ``tables/<task>/supernets/``.

Resumable: a per-epoch checkpoint lives in ``--work-dir``; rerunning continues it.
The final file holds the weights, settings, per-epoch history and the val / test
accuracy of the largest and smallest subnets (test is reported, never used to select).

Usage: python scripts/train_supernets.py --modality image [--epochs 100] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import io
import json
import logging
import platform
import sys
from pathlib import Path

import torch

from bench.tasks import DEFAULT_TASK, load_task
from bench.train.supernet import LARGEST, SMALLEST, SupernetSettings, subnet_accuracy, train_supernet


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default=DEFAULT_TASK)
    parser.add_argument("--modality", choices=["image", "audio"], required=True)
    parser.add_argument("--epochs", type=int, default=SupernetSettings.epochs)
    parser.add_argument("--seed", type=int, default=SupernetSettings.seed)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--work-dir", type=Path, default=Path("work/supernets"))
    parser.add_argument("--out-dir", type=Path, default=None, help="default: tables/<task>/supernets")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    torch.set_num_threads(args.threads)

    data = load_task(args.task, data_dir=args.data_dir)
    settings = SupernetSettings(epochs=args.epochs, seed=args.seed)
    checkpoint = args.work_dir / f"{args.task}-{args.modality}-resumable.pt"
    net, history = train_supernet(args.modality, data, settings, checkpoint)
    final = {
        name: {split: subnet_accuracy(net, g, data, args.modality, split, settings) for split in ("val", "test")}
        for name, g in (("largest", LARGEST), ("smallest", SMALLEST))
    }
    out_dir = args.out_dir or Path("tables") / args.task / "supernets"
    out_dir.mkdir(parents=True, exist_ok=True)
    net.eval()
    record = {
        "task": args.task,
        "modality": args.modality,
        "settings": dataclasses.asdict(settings),
        "data_key": data.key,
        "history": history,
        "final_accuracy_pct": final,
        "torch_version": str(torch.__version__),
        "host": platform.platform(),
        "train_seconds": sum(h["seconds"] for h in history),
    }
    weights = io.BytesIO()
    torch.save({"model": net.state_dict(), **record}, weights)
    record["sha256"] = hashlib.sha256(weights.getvalue()).hexdigest()  # what the sweep checks the .pt against
    for path, data in ((out_dir / f"{args.modality}.pt", weights.getvalue()),
                       (out_dir / f"{args.modality}.json", (json.dumps(record, indent=1) + "\n").encode())):
        path.with_suffix(path.suffix + ".tmp").write_bytes(data)  # never a half-written file under the final name
        path.with_suffix(path.suffix + ".tmp").replace(path)
    print(json.dumps({"modality": args.modality, "final_accuracy_pct": final}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

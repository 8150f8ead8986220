"""Retrain quantised configs whose per-seed validation accuracies equal their fp32 twin's, and say why they do.

Samples ``--sample`` such configs of ``--task``'s joint table (seeded), retrains each and
its twin with the table's first training seed and the sweep's protocol, and classifies it
(:mod:`bench.tables.quantised_twins`): quantised components that never reach the head,
no validation prediction flipped, flips that cancel, or unexplained. Writes
``<tables>/<task>/quantised_twins.md`` and prints the counts.

Usage: python scripts/explain_quantised_twins.py [--task soundmnist] [--sample 40] [--seed 0]
"""

from __future__ import annotations

import argparse
import collections
import os
from pathlib import Path

import numpy as np

from bench.progress import progress
from bench.reports import write_report
from bench.space import MODALITIES, parse_config
from bench.sweep.jobs import JobContext
from bench.sweep.kinds import fusion_settings, supernet_sha256
from bench.tables import load_table
from bench.tables.quantised_twins import VERDICTS, check_twin, identical_twins
from bench.train.fusion import FusionSettings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="soundmnist")
    parser.add_argument("--tables-dir", default="tables")
    parser.add_argument("--sample", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    task_dir = Path(args.tables_dir) / args.task
    joint = load_table(task_dir, "joint")
    pairs = identical_twins(joint)
    n_quantised = sum(not parse_config(t).precision.all_fp32 for t in joint["config_json"])
    rng = np.random.default_rng(args.seed)
    sample = sorted(rng.choice(len(pairs), size=min(args.sample, len(pairs)), replace=False).tolist())
    context = JobContext(data_dir=os.environ.get("MMNAS_DATA"), tables_dir=args.tables_dir)
    shas = {m: supernet_sha256(args.tables_dir, args.task, m) for m in MODALITIES}
    settings = FusionSettings(**fusion_settings(args.task))
    checks = []
    for k in progress(sample, desc="twins", unit="config"):
        row, twin = pairs[k]
        seed = int(joint["seeds"].iloc[row][0])
        stored = (float(joint["val_acc_seeds"].iloc[row][0]), float(joint["val_acc_seeds"].iloc[twin][0]))
        checks.append(check_twin(parse_config(joint["config_json"].iloc[row]), parse_config(joint["config_json"].iloc[twin]),
                                 stored, seed, settings, shas, context))
    counts = collections.Counter(c.verdict for c in checks)
    lines = [
        f"# Quantised configs with their fp32 twin's validation accuracies: {args.task}", "",
        f"{len(pairs)} of {n_quantised} quantised configs have per-seed validation accuracies identical to their fp32 twin's. "
        f"{len(checks)} of them (seeded sample, seed {args.seed}) were retrained beside their twin with the table's first seed "
        "and the sweep's protocol (`python scripts/explain_quantised_twins.py`):", "",
        "| verdict | configs |", "|---|---|", *[f"| {v} | {counts.get(v, 0)} |" for v in VERDICTS], "",
        "| config | image/audio/fusion | seed | reproduced | val flips | of them to right | max logit change | verdict |",
        "|---|---|---|---|---|---|---|---|",
        *[f"| {c.config_id} | {c.precision} | {c.seed} | {c.reproduced} | {c.val_flips} | {c.val_flips_to_right} | "
          f"{c.max_logit_change:.3g} | {c.verdict} |" for c in checks],
    ]
    write_report(task_dir / "quantised_twins.md", "\n".join(lines) + "\n")
    print(f"{len(pairs)} identical twins of {n_quantised} quantised configs; retrained {len(checks)}: "
          + ", ".join(f"{v} {counts.get(v, 0)}" for v in VERDICTS))


if __name__ == "__main__":
    main()

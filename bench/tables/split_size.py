"""How well seed-mean validation accuracy ranks configs like test does, as a function of the validation split's size.

Joint trainings record which validation pairs their scored network got right
(:mod:`bench.train.correctness`). Re-scoring every config on random subsets of ``m`` of
the ``N`` validation pairs (the same subset for every config and seed, as a smaller
split would be) shows how the validation-vs-test Kendall tau grows with the split:
soundmnist's 150 pairs against avmnist's 2,400, on one task's models. Test stays whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bench.space import MODALITIES
from bench.sweep.logs import read_log, results_dir
from bench.tables.manifest import load_table, read_manifest
from bench.tables.seed_records import protocol_seed_records
from bench.train.correctness import is_sized, unpack_correct

SIZES = (150, 300, 600, 1200)  # validation pairs; 150 is soundmnist's split; the whole split is added
REPEATS = 200  # random subsets per size


@dataclass(frozen=True)
class ExampleRecords:
    """The per-example validation record of every config trained with the task's protocol and seeds."""

    config_ids: list[str]
    val_correct: np.ndarray  # (configs, seeds, validation pairs) bool
    test_acc: np.ndarray  # (configs,) seed-mean test accuracy (%)
    without_record: int  # configs trained with the protocol whose records carry no (sized) per-example correctness


def example_records(task_dir: Path, task: str) -> ExampleRecords:
    """Read the per-example records from the task's joint training log (``results/joint_train.jsonl``; none when a
    release ships without its logs).

    Only the joint table's configs count (the logs run ahead of it while a sweep goes on), trained with the release's
    protocol (its manifest's fusion schedule, seeds and supernets); a config is left out (counted in ``without_record``)
    unless every seed carries a sized record.
    """
    log = results_dir(task_dir.parent, task) / "joint_train.jsonl"
    if not log.is_file():
        return ExampleRecords([], np.zeros((0, 0, 0), dtype=bool), np.zeros(0), 0)
    protocol = read_manifest(task_dir)["protocol"]
    settings, seeds = protocol["joint"]["fusion_training"], protocol["joint"]["seeds"]
    shas = {m: protocol["supernets"][m]["sha256"] for m in MODALITIES}
    in_table = set(load_table(task_dir, "joint")["config_id"])
    _, per_config = protocol_seed_records((row for _, row in read_log(log)), task, settings, shas)
    ids, val, test, without = [], [], [], 0
    for config_id in sorted(set(per_config) & in_table):
        records = [per_config[config_id].get(s) for s in seeds]
        if any(r is None for r in records):
            continue
        if not all(is_sized(r.get("val_correct")) for r in records):
            without += 1
            continue
        ids.append(config_id)
        val.append([unpack_correct(r["val_correct"]) for r in records])
        test.append(np.mean([r["test_acc"] for r in records]))
    empty = np.zeros((0, len(seeds), 0), dtype=bool)
    return ExampleRecords(ids, np.array(val, dtype=bool) if val else empty, np.array(test, dtype=float), without)


def split_size_taus(records: ExampleRecords, sizes: Sequence[int] = SIZES, repeats: int = REPEATS, seed: int = 0) -> pd.DataFrame:
    """Per validation size ``m`` (those below the split's size, then the whole split): the Kendall tau between the
    seed-mean accuracy on ``repeats`` seeded random subsets of ``m`` validation pairs and the whole test split's
    (mean and 10th / 90th percentiles over subsets), and the mean number of distinct seed-mean accuracies."""
    from scipy import stats

    n = records.val_correct.shape[2]
    rng = np.random.default_rng(seed)
    rows = []
    for m in [m for m in sizes if m < n] + [n]:
        taus, distinct = [], []
        for _ in range(repeats if m < n else 1):
            subset = rng.choice(n, size=m, replace=False) if m < n else np.arange(n)
            val = 100.0 * records.val_correct[:, :, subset].mean(axis=2).mean(axis=1)
            taus.append(stats.kendalltau(val, records.test_acc).statistic)
            distinct.append(len(np.unique(np.round(val, 9))))
        rows.append({"val_pairs": m, "subsets": len(taus), "kendall_tau": float(np.mean(taus)),
                     "tau_p10": float(np.percentile(taus, 10)), "tau_p90": float(np.percentile(taus, 90)),
                     "distinct_val_acc": float(np.mean(distinct))})
    return pd.DataFrame(rows)


def split_size_markdown(records: ExampleRecords, taus: pd.DataFrame) -> list[str]:
    """The validity report's section on the validation split size."""
    lines = [
        "## Validation split size", "",
        f"Seed-mean validation vs test accuracy, Kendall tau, with validation cut to a random subset of its pairs (the same "
        f"subset for every config and seed; {int(taus['subsets'].max())} seeded subsets per size; test stays whole), over the "
        f"{len(records.config_ids)} configs whose joint trainings recorded per-example correctness "
        f"({records.without_record} configs of the table were trained before it was recorded and are left out). "
        "150 pairs is soundmnist's validation split.", "",
        "| validation pairs | subsets | Kendall tau (mean) | tau 10-90 % of subsets | distinct seed-mean accuracies |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {r.val_pairs} | {r.subsets} | {r.kendall_tau:.3f} | {r.tau_p10:.3f}-{r.tau_p90:.3f} | {r.distinct_val_acc:.0f} |"
              for r in taus.itertuples()]
    return lines

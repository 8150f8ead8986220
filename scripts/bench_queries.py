"""Query speed of the benchmark: single-query latency and batched throughput.

Prints the single-query p50 / p99 in microseconds and the throughput in configs per
second at batch sizes 1, 100 and 10,000 of:

* ``Benchmark`` in table mode (table rows, as parsed configs and as dicts) and in surrogate mode with the release's
  fitted XGBoost and GP surrogates (new configs; three objectives per query, encoding
  included: accuracy and training seconds from the surrogates, latency and energy
  computed exactly);
* the bare accuracy surrogates on pre-encoded rows (one objective).

A benchmark, not a test: run it on an idle machine and quote the figures with the host.

Usage: python scripts/bench_queries.py [--tables-dir tables] [--repeats 2000] [--out FILE.md]
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # one thread, BLAS included
    os.environ[_variable] = "1"

import argparse  # noqa: E402 (after the thread settings, which must precede numpy's import)
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch

from bench.benchmark import Benchmark
from bench.hardware.host import conditions, describe_host
from bench.reports import write_report
from bench.space import Config, encode_ordinal, parse_config, sample_config
from bench.space.features import encode_for_surrogate
from bench.tables import load_table
from bench.tasks import DEFAULT_TASK
from surrogates.fitted import load_fitted, read_index


def _single(query: Callable[[Sequence], object], items: Sequence, repeats: int) -> tuple[float, float]:
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        query([items[i % len(items)]])
        times.append(time.perf_counter() - start)
    p50, p99 = np.percentile(times, [50, 99]) * 1e6
    return float(p50), float(p99)


def _throughput(query: Callable[[Sequence], object], items: Sequence, batch: int) -> float:
    batch_items = [items[i % len(items)] for i in range(batch)]
    n_calls = max(1, 2000 // batch)
    start = time.perf_counter()
    for _ in range(n_calls):
        query(batch_items)
    return n_calls * batch / (time.perf_counter() - start)


def _ratios(figures: dict[str, tuple[float, float]]) -> list[str]:
    """The ratios the speed targets are stated in, measured side by side in this run."""
    surrogate_p50, surrogate_rate = figures["Benchmark surrogate xgboost-quantile (3 objectives)"]
    model_p50, model_rate = figures["xgboost-quantile model (1 objective, encoded rows)"]
    table_rate = figures["Benchmark table (3 objectives)"][1]
    dict_rate = figures["Benchmark table from dicts (3 objectives, parsed in the query)"][1]
    id_rate = figures["Benchmark table by id (3 objectives, arrays)"][1]
    share = surrogate_rate / model_rate
    slower = surrogate_p50 / model_p50
    models_p50, models_rate = figures["xgboost-quantile models of a query (accuracy and seconds, encoded rows)"]
    encoded_p50, encoded_rate = figures["Benchmark surrogate xgboost-quantile from ordinal rows (3 objectives, arrays)"]
    return [
        f"- (context) a surrogate query predicts two models, accuracy and training seconds; those two alone on encoded rows: "
        f"{models_rate:,.0f} rows/s at 10,000, single {models_p50:.1f} us; surrogate mode reaches {100 * surrogate_rate / models_rate:.0f} % "
        f"of that rate at {surrogate_p50 / models_p50:.1f}x its single-query time",
        f"- surrogate mode from ordinal rows (evaluate_encoded) at 10,000 / bare model rows/s: {100 * encoded_rate / model_rate:.0f} % "
        f"(target >= 50 %: {'met' if encoded_rate >= 0.5 * model_rate else 'not met'}); "
        f"{100 * encoded_rate / models_rate:.0f} % of its two models' rate",
        f"- surrogate-mode configs/s at 10,000 / bare model rows/s: {100 * share:.0f} % (target >= 50 %: {'met' if share >= 0.5 else 'not met'})",
        f"- surrogate-mode single query / bare model single query: {slower:.1f}x (target <= 2x: {'met' if slower <= 2 else 'not met'})",
        f"- table mode from dicts: {dict_rate:,.0f} configs/s at 10,000 (target >= 300,000: {'met' if dict_rate >= 3e5 else 'not met'}); "
        f"from configs already parsed: {table_rate:,.0f}",
        f"- table mode by id: {id_rate:,.0f} ids/s at 10,000 (target >= 1,000,000: {'met' if id_rate >= 1e6 else 'not met'})",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables-dir", default="tables")
    parser.add_argument("--task", default=DEFAULT_TASK)
    parser.add_argument("--repeats", type=int, default=2000)
    parser.add_argument("--out", default=None, help="also write the table to this Markdown file")
    args = parser.parse_args()

    joint = load_table(Path(args.tables_dir) / args.task, "joint")
    configs: list[Config] = [parse_config(text) for text in joint["config_json"]]
    new = [sample_config(np.random.default_rng(i), args.task) for i in range(2000)]
    X = encode_for_surrogate(new, read_index(Path(args.tables_dir) / args.task)["encoding"])  # what the fitted models take
    objectives = ("acc", "lat", "energy")
    table = Benchmark(args.task, "lut:tx2", objectives, tables_dir=args.tables_dir)
    xgb = Benchmark(args.task, "lut:tx2", objectives, mode="surrogate", tables_dir=args.tables_dir)
    gp = Benchmark(args.task, "lut:tx2", objectives, mode="surrogate", surrogate="exact-gp", tables_dir=args.tables_dir)
    task_dir = Path(args.tables_dir) / args.task
    xgb_model, gp_model = (load_fitted(task_dir, "val_acc", name) for name in ("xgboost-quantile", "exact-gp"))
    query_models = [xgb_model, load_fitted(task_dir, "train_seconds", "xgboost-quantile")]  # what one surrogate query predicts
    modes: dict[str, tuple[Callable[[Sequence], object], Sequence]] = {
        "Benchmark table (3 objectives)": (table.evaluate_many, configs),
        "Benchmark table from dicts (3 objectives, parsed in the query)": (table.evaluate_many, [c.to_dict() for c in configs]),
        "Benchmark table by id (3 objectives, arrays)": (table.evaluate_ids, [c.id for c in configs]),
        "Benchmark surrogate xgboost-quantile (3 objectives)": (xgb.evaluate_many, new),
        "Benchmark surrogate xgboost-quantile from ordinal rows (3 objectives, arrays)": (
            lambda rows: xgb.evaluate_encoded(np.asarray(rows)), list(encode_ordinal(new))),
        "Benchmark surrogate exact-gp (3 objectives)": (gp.evaluate_many, new),
        "xgboost-quantile model (1 objective, encoded rows)": (lambda rows: xgb_model.predict(np.asarray(rows), return_std=True), list(X)),
        "xgboost-quantile models of a query (accuracy and seconds, encoded rows)": (
            lambda rows: [m.predict(np.asarray(rows)) for m in query_models], list(X)),
        "exact-gp model (1 objective, encoded rows)": (lambda rows: gp_model.predict(np.asarray(rows), return_std=True), list(X)),
    }
    torch.set_num_threads(1)
    host = describe_host()
    lines = [
        f"host: {host['cpu']} ({host['logical_cpus']} CPUs), python {platform.python_version()}, one thread, {len(configs)} table rows",
        "", "| mode | single p50 us | single p99 us | configs/s @1 | @100 | @10,000 | conditions while measured |",
        "|---|---|---|---|---|---|---|",
    ]
    print("\n".join(lines), flush=True)
    figures = {}
    for name, (query, items) in modes.items():
        with conditions() as during:
            p50, p99 = _single(query, items, args.repeats)
            rates = [_throughput(query, items, b) for b in (1, 100, 10_000)]
        figures[name] = (p50, rates[-1])
        lines.append(f"| {name} | {p50:.1f} | {p99:.1f} | " + " | ".join(f"{r:,.0f}" for r in rates) + f" | {during} |")
        print(lines[-1], flush=True)
    lines += ["", *_ratios(figures)]
    print("\n".join(lines[-7:]), flush=True)
    if args.out:
        write_report(args.out, "# Query speed (scripts/bench_queries.py)\n\n" + "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

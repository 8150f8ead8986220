"""Validate the benchmark on the device at hand: export, time, compare, write a result file.

Configs come from example names, JSON files (a config, a list of configs, or objects
holding one under "config"), leaderboard run logs (``*.jsonl``: their non-dominated
configs) or ``table:N`` (N configs of the joint table, seeded). Each is exported to
TorchScript and ONNX and timed on this host in a fresh pinned process per model
(``--runs`` timed runs after ``--warmup``); energy comes from the meters this host has.
The result file keeps the host, runtime versions and raw timings; the comparison with
the tables is printed for each ``--reference`` device and written beside it (.md), and
``mmnas tables merge RESULT`` adds the host to the tables.

Usage: python scripts/validate_device.py (or mmnas validate-device) harmonic_avmnist_1 table:20 \\
           --out result.json [--reference measured:amd-epyc-2cpu lut:tx2] [--runs 30] [--threads 1]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.errors import ConfigError
from bench.extras import require
from bench.hardware.measure import TimingSettings
from bench.hardware.validate import DEFAULT_RUNTIMES, RUNTIMES, validate_configs, write_result
from bench.locations import TABLES_HELP, tables_root
from bench.reports import write_report
from bench.space import Config
from bench.tasks import DEFAULT_TASK, get_task


def read_configs(sources: list[str], tables_dir: str, task: str = DEFAULT_TASK) -> list[Config]:
    """The configs named by ``sources`` (see the module docstring; ``table:N`` reads ``task``'s table), duplicates once,
    in order."""
    import json

    import numpy as np

    from bench.columns import PRECISION_COLUMNS
    from bench.examples import config_from_document, example_names, load_example
    from bench.leaderboard.runner import read_log
    from bench.problems import load_problem, pareto_mask
    from bench.space import parse_config
    from bench.tables import load_table

    configs: list[Config] = []
    for source in sources:
        if source in example_names():
            configs.append(load_example(source))
        elif source.startswith("table:"):
            joint = load_table(Path(tables_dir) / task, "joint")
            if "fusion_precision" in joint:  # float runtimes time fp32 configs
                joint = joint[(joint[list(PRECISION_COLUMNS)] == "fp32").all(axis=1)]
            rows = np.random.default_rng(0).choice(len(joint), size=min(int(source[6:]), len(joint)), replace=False)
            configs += [parse_config(joint["config_json"].iloc[i]) for i in sorted(rows)]
        elif source.endswith(".jsonl"):
            spec, records = read_log(source)
            values = load_problem(spec.problem, tables_dir).normalise([r["objectives"] for r in records])
            configs += [parse_config(r["config"]) for r, keep in zip(records, pareto_mask(values)) if keep]
        elif Path(source).is_file():
            doc = json.loads(Path(source).read_text())
            for entry in doc if isinstance(doc, list) else [doc]:
                configs.append(config_from_document(entry))
        else:
            raise ConfigError(f"config source {source!r}: not an example name, table:N, a run log (.jsonl) or a JSON file")
    return list({c.id: c for c in configs}.values())


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv``, validate, print and write; returns the exit code."""
    parser = argparse.ArgumentParser(prog="validate_device", description=__doc__.splitlines()[0])
    parser.add_argument("configs", nargs="+", help="example names, JSON files, leaderboard logs (.jsonl) or table:N")
    parser.add_argument("--out", required=True, help="result file (JSON)")
    parser.add_argument("--reference", nargs="*", default=[], help="devices to compare with, e.g. measured:amd-epyc-2cpu lut:tx2")
    parser.add_argument("--runtimes", nargs="+", default=list(DEFAULT_RUNTIMES), choices=RUNTIMES,
                        help="onnxruntime-int8 calibrates on training inputs: it needs the data (--data-dir or MMNAS_DATA)")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--cpu", type=int, default=0, help="CPU the timing process is pinned to")
    parser.add_argument("--tables-dir", default=None, help=TABLES_HELP)
    parser.add_argument("--task", default=DEFAULT_TASK, help="the task whose table table:N samples")
    args = parser.parse_args(argv)
    args.tables_dir = str(tables_root(args.tables_dir))
    for runtime in args.runtimes:  # before any export: one line naming the extra, not an exporter's traceback
        for module in ("torch", *(("onnx", "onnxscript", "onnxruntime") if runtime.startswith("onnxruntime") else ())):
            require(module, f"validate_device --runtimes {runtime}")
    if args.runs < 30:
        print("note: fewer than 30 timed runs; the benchmark's own measurements use 30", file=sys.stderr)
    configs = read_configs(args.configs, args.tables_dir, args.task)
    settings = TimingSettings(warmup=args.warmup, runs=args.runs, threads=args.threads, cpu=args.cpu)
    calibration = get_task(configs[0].task).calibration_inputs(args.data_dir) if "onnxruntime-int8" in args.runtimes else None
    result = validate_configs(configs, settings, tuple(args.runtimes), calibration)
    out = write_result(result, Path(args.out))
    print(f"{len(configs)} configs timed on {result['host']['slug']} ({', '.join(args.runtimes)}); meters: {result['meters']}")
    print(f"result: {out}")
    if args.reference:
        from bench.validation.compare import compare, markdown

        text = [f"# Validation on {result['host']['slug']} ({result['host']['cpu']}), {settings.runs} runs, {settings.threads} thread(s)", ""]
        for device in args.reference:
            for runtime in args.runtimes:
                rows, summary = compare(result, device, runtime, args.tables_dir)
                text.append(markdown(rows, summary, f"{runtime} on this host vs {device}"))
        report = "\n".join(text)
        write_report(out.with_suffix(".md"), report)
        print(report)
    return 0

"""The ``mmnas`` command line: parse, call one library function, print."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.errors import ConfigError, DataError, LutKeyError, MissingExtraError, NotMeasuredError, UnknownNameError
from bench.extras import EXTRA_OF, missing_extra
from bench.files import atomic_path
from bench.locations import TABLES_HELP, locate_tables, tables_root
from bench.reports import read_report, write_report
from bench.tasks import DEFAULT_TASK

_USER_ERRORS = (ConfigError, DataError, UnknownNameError, LutKeyError, NotMeasuredError, MissingExtraError, OSError, ValueError)


def _figure(value: float | None, unit: str) -> str:
    return "n/a" if value is None else f"{value:.3f} {unit}"


def _cmd_cost(args: argparse.Namespace) -> int:
    from bench.devices import device_spec, get_device
    from bench.examples import read_config
    from bench.models import component_stats

    spec = device_spec(args.device)
    devices: dict[str, Any] = {}  # per task
    for ref in args.configs:
        name, config = ref, read_config(ref)
        if config.task not in devices:  # a measured device answers from its table; the others price any config
            options = {} if spec.kind.prices_any_config else {"tables_dir": args.tables_dir}
            devices[config.task] = get_device(spec.name, task=config.task, **options)
        cost = devices[config.task].cost(config)
        record = {"config": name, "id": config.id, "device": spec.name, **cost.to_dict()}
        record["model"] = component_stats(config)
        if args.json:
            print(json.dumps(record))
        else:
            parts = "  ".join(f"{k} {_figure(v.latency_ms, 'ms')} / {_figure(v.energy_mj, 'mJ')}" for k, v in cost.components.items())
            print(
                f"{name} [{config.id}] on {spec.name}: {_figure(cost.total.latency_ms, 'ms')}, "
                f"{_figure(cost.total.energy_mj, 'mJ')} ({parts or 'no per-component figures'}); "
                f"{record['model']['total']['params']:,} params, {record['model']['total']['macs']:,} MACs"
            )
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from bench.examples import read_config

    for ref in args.configs:
        config = read_config(ref)
        print(json.dumps({"id": config.id, "config": config.to_dict()}))
    return 0


def _cmd_data(args: argparse.Namespace) -> int:
    from bench.tasks import load_task

    data = load_task(args.task, data_dir=args.data_dir, cache_dir=args.cache_dir)
    for split in ("train", "val", "test"):
        arrays = data.split(split)
        print(
            f"{args.task} {split}: {len(arrays)} pairs, image {tuple(arrays.image.shape[1:])}, "
            f"audio {tuple(arrays.audio.shape[1:])}, classes {sorted(set(arrays.label.tolist()))}"
        )
    print(f"inputs verified; cache key {data.key[:16]}")
    return 0


def _cmd_sweep_run(args: argparse.Namespace) -> int:
    from bench.sweep.driver import default_store_path, make_executor, run_plan
    from bench.sweep.jobs import JobContext

    summary = run_plan(
        args.plan,
        args.task,
        Path(args.store) if args.store else default_store_path(args.task),
        make_executor(args.executor, args.workers, args.scheduler),
        JobContext(data_dir=args.data_dir, tables_dir=args.tables_dir),
        limit=args.limit,
        n_joint=args.n_joint,
        chunk=args.chunk,
        write_results=not args.no_write,
    )
    if args.json:
        print(json.dumps({
            "plan": args.plan, "task": args.task, "requested": summary.n_requested, "already_done": summary.n_already_done,
            "finished": summary.n_finished, "failed": summary.n_failed, "held_by_others": summary.n_skipped_claimed,
            "wall_seconds": summary.wall_seconds, "throughput": summary.throughput(), "failures": summary.failures,
        }, indent=1))
        return 1 if summary.n_failed else 0
    print(
        f"{args.plan}: {summary.n_requested} jobs, {summary.n_already_done} already done, "
        f"{summary.n_finished} finished, {summary.n_failed} failed, {summary.n_skipped_claimed} held by other workers"
    )
    print(f"throughput: {summary.throughput()}")
    for failure in summary.failures[:10]:
        print(f"failed: {failure}")
    return 1 if summary.n_failed else 0


def _cmd_sweep_merge(args: argparse.Namespace) -> int:
    from bench.sweep.driver import default_store_path
    from bench.sweep.store import ResultStore

    store = ResultStore(Path(args.store) if args.store else default_store_path(args.task))
    for shard in args.shards:
        print(f"{shard}: {store.merge(shard)} new rows")
    store.close()
    return 0


def _import_and_export(args: argparse.Namespace, change: Callable[[Any], None] | None = None) -> dict[str, int]:
    """Import the committed result logs into the store, apply ``change`` to it, rewrite the logs, export the tables."""
    from bench.sweep.driver import default_store_path
    from bench.sweep.logs import import_logs, results_dir, write_logs
    from bench.sweep.store import ResultStore
    from bench.tables.export import export_tables

    store = ResultStore(Path(args.store) if args.store else default_store_path(args.task))
    try:
        logs = results_dir(args.tables_dir, args.task)
        import_logs(store, logs)
        if change is not None:
            change(store)
        write_logs(store, logs)
        return export_tables(store, args.task, args.tables_dir, dict(getattr(args, "accept_row_loss", [])))
    finally:
        store.close()


def _cmd_tables_export(args: argparse.Namespace) -> int:
    counts = _import_and_export(args)
    if args.json:
        print(json.dumps({"tables_dir": args.tables_dir, "task": args.task, "rows": counts}, indent=1))
        return 0
    for name, n in counts.items():
        print(f"{args.tables_dir}/{args.task}/{name}.parquet: {n} rows")
    return 0


def _cmd_tables_merge(args: argparse.Namespace) -> int:
    from bench.hardware.validate import read_result
    from bench.tables.merge import merge_result

    result = read_result(Path(args.result))
    added: list[str] = []
    counts = _import_and_export(args, lambda store: added.extend(merge_result(store, result, args.task, args.replace)))
    print(f"added {added}" if added else f"{args.result} was already merged: nothing added")
    print(f"joint table: {counts.get('joint', 0)} rows; run mmnas problems build to publish problems for new devices")
    return 0


def _print_report(args: argparse.Namespace, text: str, document: Callable[[], Any]) -> None:
    """A command's Markdown report, or with ``--json`` its JSON ``document()``."""
    print(json.dumps(document(), indent=1) if args.json else text, end="\n" if args.json else "")


def _cmd_tables_report(args: argparse.Namespace) -> int:
    from bench.markdown_json import report_json

    if args.precision:
        from bench.tables.precision_report import precision_report as report
    elif args.latency_rounds:
        from bench.tables.latency_rounds import latency_rounds_report as report
    else:
        from bench.tables.report import tables_report as report

    text = report(Path(args.tables_dir) / args.task)
    if args.out:
        write_report(args.out, text)
    _print_report(args, text, lambda: report_json(text))
    return 0


def _cmd_tables_path(args: argparse.Namespace) -> int:
    from bench.tables.manifest import read_manifest

    reason, root = locate_tables(args.tables_dir)
    tasks = {
        task_dir.name: {name: entry["rows"] for name, entry in sorted(read_manifest(task_dir)["files"].items()) if "rows" in entry}
        for task_dir in sorted(d for d in root.iterdir() if (d / "manifest.json").is_file())
    }
    if args.json:
        print(json.dumps({"path": str(root.resolve()), "chosen_by": reason, "tasks": tasks}, indent=1))
        return 0
    print(f"{root.resolve()} ({reason})")
    for task, tables in tasks.items():
        print(f"  {task}: " + ", ".join(f"{name} {rows:,} rows" for name, rows in tables.items()))
    return 0


def _cmd_tables_pack(args: argparse.Namespace) -> int:
    from bench.tables.release import pack_release

    path = pack_release(Path(args.tables_dir), Path(args.out), args.release)
    print(f"{path} ({path.stat().st_size / 2**20:.1f} MiB)")
    return 0


def _cmd_tables_install(args: argparse.Namespace) -> int:
    from bench.locations import INSTALLED_TABLES
    from bench.tables.release import install_release

    dest = Path(args.to) if args.to else INSTALLED_TABLES
    document = install_release(Path(args.archive), dest)
    tasks = ", ".join(f"{task} of {release}" for task, release in document["tasks"].items())
    print(f"release {document['release']} ({tasks}; {len(document['files'])} files) verified and installed at {dest}")
    return 0


def _cmd_tables_schema(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from bench.columns import families, schema_markdown

    if args.json:
        for family in families():
            print(json.dumps(asdict(family)))
    else:
        print(schema_markdown(), end="")
    return 0


def _cmd_surrogates_report(args: argparse.Namespace) -> int:
    from bench.columns import total_column
    from bench.space import parse_config
    from bench.tables import load_table
    from bench.tables.static_costs import StaticCosts
    from surrogates.candidates import report_candidates
    from surrogates.quality import markdown, quality_table
    from surrogates.selection import model_choice

    task_dir = Path(args.tables_dir) / args.task
    joint = load_table(task_dir, "joint")
    static = StaticCosts(task_dir, args.task)
    exact = {total_column(c): v for c, v in static.totals([parse_config(t) for t in joint["config_json"]]).items() if c in static.columns}
    candidates = report_candidates(args.models)
    table = quality_table(joint, candidates, seed=args.seed, exact=exact, workers=args.workers)
    choice = model_choice(joint, candidates, seed=args.seed)
    with atomic_path(task_dir / "surrogate_report.csv") as temporary:
        table.to_csv(temporary, index=False)
    from surrogates.fitted import joint_sha256

    title = (f"Surrogate quality: {args.task} ({len(joint)} joint configs, joint table {joint_sha256(task_dir)[:12]}, "
             f"split seed {args.seed}; every model fitted and scored by mmnas surrogates report)")
    text = markdown(table, title, sections=choice.markdown())
    write_report(task_dir / "surrogate_report.md", text)
    _print_report(args, text, lambda: {
        "title": title, "rows": json.loads(table.to_json(orient="records")),
        "model_choice": {"target": choice.target, "chosen": choice.chosen, "folds": json.loads(choice.scores.to_json(orient="records")),
                         "learning_curve": json.loads(choice.curve.to_json(orient="records"))},
    })
    return 0


def _cmd_surrogates_fit(args: argparse.Namespace) -> int:
    from bench.tables import load_table
    from surrogates import SURROGATES
    from surrogates.fitted import fit_release

    task_dir = Path(args.tables_dir) / args.task
    joint = load_table(task_dir, "joint")
    index = fit_release(task_dir, joint, {name: SURROGATES[name] for name in args.models})
    targets = json.loads(index.read_text())["targets"]
    print(f"fitted {len(targets)} targets x {args.models} on {len(joint)} joint configs -> {index.parent}")
    return 0


def _cmd_leaderboard(args: argparse.Namespace) -> int:
    from bench.leaderboard.board import run_leaderboard

    if args.budget < args.n_init:
        raise ValueError(f"--budget {args.budget} is below the initial design (--n-init {args.n_init}): every run would end in it")

    report = run_leaderboard(
        Path(args.out), args.problems, args.searchers, args.seeds, args.budget, args.n_init, args.workers, args.tables_dir,
        args.budget_seconds, args.searcher_cost,
    )
    if args.json:
        import pandas as pd

        summary = json.loads(pd.read_csv(report.parent / "summary.csv").to_json(orient="records"))
        print(json.dumps({"report": str(report), "summary": summary}, indent=1))
        return 0
    print(read_report(report), end="")
    print(f"report: {report} (plots, CSV and run logs beside it)")
    return 0


def _cmd_validity(args: argparse.Namespace) -> int:
    from bench.leaderboard.validity import run_validity, validity_markdown

    if args.folds < 2:
        raise ValueError(f"--folds {args.folds}: cross-fitting needs at least 2 folds")
    runs = run_validity(args.problem, args.searchers, args.seeds, args.budget, args.folds, args.workers, args.tables_dir)
    out = Path(args.out) if args.out else tables_root(args.tables_dir) / args.problem.split("/", 1)[0] / "validity_report.md"
    text = validity_markdown(args.problem, runs, args.folds, args.tables_dir)
    write_report(out, text)
    print(text, end="")
    print(f"report: {out}")
    return 0


def _task_problems(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """Name -> entry of the problems published in the tables of ``--task`` (every task with tables when not given)."""
    from bench.problems import published_problems

    root = Path(args.tables_dir)
    tasks = [args.task] if args.task else sorted(d.name for d in root.iterdir() if (d / "problems.json").is_file())
    return {name: entry for task in tasks for name, entry in published_problems(root / task).items()}


def _cmd_problems_list(args: argparse.Namespace) -> int:
    from bench.problems import problem_summary

    summaries = [problem_summary(name, entry) for name, entry in _task_problems(args).items()]
    if args.json:
        print(json.dumps(summaries, indent=1))
        return 0
    print("| problem | variants | objectives | precisions | table rows | table front | full front |")
    print("|---|---|---|---|---|---|---|")
    for p in summaries:
        objectives = ", ".join(f"{o} ({d})" for o, d in p["objectives"].items())
        variants = ", ".join(f"@{v}" for v in p["variants"])
        print(f"| {p['name']} | {variants} | {objectives} | {'/'.join(p['precisions'])} | {p['n_table_rows']} | "
              f"{p['table_front']} | {p['full_front'] or 'not built'} |")
    return 0


def _cmd_problems_show(args: argparse.Namespace) -> int:
    from bench.errors import UnknownNameError
    from bench.problems import problem_summary

    name = args.name.split("@", 1)[0]
    args.task = name.split("/", 1)[0]
    problems = _task_problems(args)
    if name not in problems:
        raise UnknownNameError(f"unknown problem {name!r}, expected one of {sorted(problems)}")
    entry = problems[name]
    document = {**problem_summary(name, entry), "bounds": dict(zip(entry["objectives"], entry["bounds"])), "ref_point": entry["ref_point"],
                "table_front_ids": [i for i, _ in entry["table_front"]], "full_front_ids": [i for i, _ in entry.get("full_front", [])],
                "full_front_search": entry.get("full_front_search")}
    if args.json:
        print(json.dumps(document, indent=1))
        return 0
    for key, value in document.items():
        print(f"{key}: {', '.join(map(str, value)) if isinstance(value, list) else value}")
    return 0


def _cmd_problems_build(args: argparse.Namespace) -> int:
    from bench.leaderboard.reference import fill_full_fronts
    from bench.problems import problems_document, write_problems_document
    from bench.tables import load_table

    task_dir = Path(args.tables_dir) / args.task
    doc = problems_document(task_dir, load_table(task_dir, "joint"), args.task)
    if not args.table_only:
        fill_full_fronts(doc, task_dir.parent)
    write_problems_document(task_dir, doc)  # once, at the end: an interrupted build leaves the previous file
    for name, entry in doc["problems"].items():
        full = f", best-known full-space front of {len(entry['full_front'])}" if "full_front" in entry else ""
        print(f"{name}: {entry['n_table_rows']} table rows, exact table front of {len(entry['table_front'])} configs{full}")
    return 0


def _location_args(parser: argparse.ArgumentParser, store: bool = False) -> None:
    """``--task`` and ``--tables-dir`` (and ``--store``, the sweep store) of a command reading the tables."""
    parser.add_argument("--task", default=DEFAULT_TASK)
    if store:
        parser.add_argument("--store", default=None, help="SQLite store (default: work/<task>/sweep.db)")
    parser.add_argument("--tables-dir", default=None, help=TABLES_HELP)


def _row_loss(text: str) -> tuple[str, int]:
    """An argparse type: ``TABLE=N``, a table name and a whole number of rows of at least 1."""
    table, _, number = text.partition("=")
    if not table or not number.isdigit() or int(number) < 1:
        raise argparse.ArgumentTypeError(f"expected TABLE=N with N >= 1 (e.g. joint=3), got {text[:40]!r}")
    return table, int(number)


def _count(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive whole number (at least 1)")
    return value


def _seconds(text: str) -> float:
    """An argparse type: a finite number of seconds above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{value} is not a finite number of seconds above 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``mmnas``."""
    parser = argparse.ArgumentParser(prog="mmnas", description="Hardware-aware multimodal NAS benchmark.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)

    cost = sub.add_parser("cost", help="latency / energy of configs on a device")
    cost.add_argument("--device", default="lut:tx2", help="device id: lut:tx2, lut:agx, model:horowitz45 or measured:<host>")
    cost.add_argument("--tables-dir", default=None, help="tables a measured:<host> device answers from; " + TABLES_HELP)
    cost.add_argument("--json", action="store_true", help="one JSON object per config")
    cost.add_argument("configs", nargs="+", help="config JSON files or example names")
    cost.set_defaults(func=_cmd_cost)

    validate = sub.add_parser("validate", help="validate configs; print canonical JSON and id")
    validate.add_argument("configs", nargs="+", help="config JSON files or example names")
    validate.set_defaults(func=_cmd_validate)

    # Its own parser (bench.validation.cli), shared with scripts/validate_device.py; listed here for -h.
    sub.add_parser("validate-device", help="export, time and compare configs on this host (see its --help)", add_help=False)

    data = sub.add_parser("data", help="verify the raw data and build the cached task arrays")
    data.add_argument("--task", default=DEFAULT_TASK)
    data.add_argument("--data-dir", default=None, help="raw data folder (default: $MMNAS_DATA)")
    data.add_argument("--cache-dir", default=None, help="array cache (default: $MMNAS_CACHE or ~/.cache)")
    data.set_defaults(func=_cmd_data)

    sweep = sub.add_parser("sweep", help="run the benchmark sweep (resumable)").add_subparsers(dest="action", required=True)
    run = sweep.add_parser("run", help="run a plan's missing jobs")
    run.add_argument("--plan", required=True, help="backbones, joint-static, ...")
    run.add_argument("--task", default=DEFAULT_TASK)
    run.add_argument("--store", default=None, help="SQLite store (default: work/<task>/sweep.db)")
    run.add_argument("--executor", default="local", choices=["local", "inprocess", "dask"])
    run.add_argument("--workers", type=_count, default=2, help="processes of the local executor")
    run.add_argument("--scheduler", default=None, help="Dask scheduler address (executor dask)")
    run.add_argument("--limit", type=_count, default=None, help="only the first N jobs of the plan")
    run.add_argument("--n-joint", type=_count, default=2000, help="sampled joint configs")
    run.add_argument("--chunk", type=_count, default=500, help="write result logs after every CHUNK jobs")
    run.add_argument("--data-dir", default=None)
    run.add_argument("--tables-dir", default=None, help=TABLES_HELP)
    run.add_argument("--no-write", action="store_true", help="do not write result logs under tables/")
    run.add_argument("--json", action="store_true", help="the run's summary as JSON")
    run.set_defaults(func=_cmd_sweep_run)
    merge = sweep.add_parser("merge", help="merge shard stores from other machines (idempotent)")
    merge.add_argument("shards", nargs="+")
    merge.add_argument("--task", default=DEFAULT_TASK)
    merge.add_argument("--store", default=None)
    merge.set_defaults(func=_cmd_sweep_merge)

    tables = sub.add_parser("tables", help="the committed tables").add_subparsers(dest="action", required=True)
    export = tables.add_parser("export", help="write result logs, parquet tables and manifest.json from the sweep store")
    _location_args(export, store=True)
    export.add_argument("--accept-row-loss", action="append", default=[], metavar="TABLE=N", type=_row_loss,
                        help="publish TABLE with exactly N rows fewer than the release it replaces (refused otherwise)")
    export.add_argument("--json", action="store_true", help="row counts as JSON")
    export.set_defaults(func=_cmd_tables_export)
    merge_result = tables.add_parser("merge", help="add a device validation result as measured:<host>-<runtime> devices")
    merge_result.add_argument("result", help="result file of scripts/validate_device.py")
    merge_result.add_argument("--replace", action="store_true",
                              help="allow a host the sweep measured: the result's timings replace the sweep's for its configs")
    _location_args(merge_result, store=True)
    merge_result.set_defaults(func=_cmd_tables_merge)
    report = tables.add_parser("report", help="summary of the committed tables")
    _location_args(report)
    which = report.add_mutually_exclusive_group()
    which.add_argument("--precision", action="store_true", help="best multimodal vs best unimodal per precision mix and per byte budget")
    which.add_argument("--latency-rounds", action="store_true",
                       help="a repeat measuring round against the first: the noise ceiling of measured latency")
    report.add_argument("--json", action="store_true", help="the report's sections, items and tables as JSON")
    report.add_argument("--out", default=None, help="also write the report there (ending in its checksum line)")
    report.set_defaults(func=_cmd_tables_report)
    where = tables.add_parser("path", help="the tables folder read (and what chose it), with each task's tables")
    where.add_argument("--tables-dir", default=None, help=TABLES_HELP)
    where.add_argument("--json", action="store_true")
    where.set_defaults(func=_cmd_tables_path, resolve_tables=False)
    pack = tables.add_parser("pack", help="write the tables as a data release archive with checksums")
    pack.add_argument("--release", default=None, help="a release named in tables/releases.json (default: its newest)")
    pack.add_argument("--out", default="dist", help="folder of the archive")
    pack.add_argument("--tables-dir", default=None, help=TABLES_HELP)
    pack.set_defaults(func=_cmd_tables_pack)
    install = tables.add_parser("install", help="verify a data release archive and install it where a non-editable install reads")
    install.add_argument("archive")
    install.add_argument("--to", default=None, help="install folder (default: <prefix>/share/mmnas-bench/tables)")
    install.set_defaults(func=_cmd_tables_install)
    schema = tables.add_parser("schema", help="every table column: name pattern, unit, dtype, provenance")
    schema.add_argument("--json", action="store_true", help="one JSON object per column family")
    schema.set_defaults(func=_cmd_tables_schema)

    models = ["xgboost-quantile", "xgboost-ensemble", "exact-gp", "mlp-ensemble"]
    surrogates = sub.add_parser("surrogates", help="surrogate models").add_subparsers(dest="action", required=True)
    quality = surrogates.add_parser("report", help="held-out quality of the surrogates, next to the noise ceiling")
    _location_args(quality)
    quality.add_argument("--seed", type=int, default=0)
    quality.add_argument("--workers", type=_count, default=2, help="parallel processes (one thread each), one target at a time")
    quality.add_argument("--models", nargs="+", default=models, choices=models)
    quality.add_argument("--json", action="store_true", help="the quality rows as JSON (the Markdown report is written all the same)")
    quality.set_defaults(func=_cmd_surrogates_report)
    fit = surrogates.add_parser("fit", help="fit the release's surrogates on the whole joint table; save them beside it")
    _location_args(fit)
    fit.add_argument("--models", nargs="+", default=["xgboost-quantile", "exact-gp"], choices=models,
                     help="formats to fit (an mlp-ensemble file is about 3 MB per target, so it is not fitted by default)")
    fit.set_defaults(func=_cmd_surrogates_fit)

    from bench.leaderboard import DEFAULT_BUDGET, DEFAULT_PROBLEMS, DEFAULT_SEARCHERS
    from bench.optimize import SEARCHER_COSTS

    board = sub.add_parser("leaderboard", help="compare searchers on problems; write the report")
    board.add_argument("--problems", nargs="+", default=list(DEFAULT_PROBLEMS), help="labels name@table or name@full")
    board.add_argument("--searchers", nargs="+", default=list(DEFAULT_SEARCHERS))
    board.add_argument("--seeds", type=_count, default=10)
    board.add_argument("--budget", type=_count, default=DEFAULT_BUDGET, help="evaluations per run")
    board.add_argument("--budget-seconds", type=_seconds, default=None, help="also stop a run after this many simulated seconds")
    board.add_argument("--searcher-cost", choices=SEARCHER_COSTS, default=None,
                       help="what the searcher's own time adds to the simulated seconds: measured, modelled (deterministic, "
                            "Searcher.modelled_seconds) or none (default: none with --budget-seconds, measured otherwise)")
    board.add_argument("--n-init", type=_count, default=10, help="initial design size (the same for every searcher)")
    board.add_argument("--workers", type=_count, default=2, help="parallel processes, one thread each")
    board.add_argument("--tables-dir", default=None, help=TABLES_HELP)
    board.add_argument("--out", default=f"tables/{DEFAULT_TASK}/leaderboard")
    board.add_argument("--json", action="store_true", help="the summary table as JSON (the report is written all the same)")
    board.set_defaults(func=_cmd_leaderboard)

    validity = sub.add_parser("validity", help="run searchers on a table problem exactly and on cross-fitted surrogates; "
                              "write validity_report.md (do the rankings agree?)")
    validity.add_argument("--problem", default=DEFAULT_PROBLEMS[0], help="a label name@table")
    validity.add_argument("--searchers", nargs="+", default=list(DEFAULT_SEARCHERS))
    validity.add_argument("--seeds", type=_count, default=10)
    validity.add_argument("--budget", type=_count, default=DEFAULT_BUDGET, help="evaluations per run")
    validity.add_argument("--folds", type=_count, default=5, help="architecture-grouped folds of the cross-fitting")
    validity.add_argument("--workers", type=_count, default=2, help="parallel processes, one thread each")
    validity.add_argument("--tables-dir", default=None, help=TABLES_HELP)
    validity.add_argument("--out", default=None, help="report path (default: tables/<task>/validity_report.md)")
    validity.set_defaults(func=_cmd_validity)

    problems = sub.add_parser("problems", help="named problems").add_subparsers(dest="action", required=True)
    listing = problems.add_parser("list", help="the published problems: variants, objectives, sizes of the fronts")
    listing.add_argument("--task", default=None, help="one task (default: every task with problems)")
    listing.add_argument("--tables-dir", default=None, help=TABLES_HELP)
    listing.add_argument("--json", action="store_true", help="a JSON list instead of the table")
    listing.set_defaults(func=_cmd_problems_list)
    show = problems.add_parser("show", help="one problem in full: bounds, reference point, front configs")
    show.add_argument("name", help="e.g. soundmnist/lut:tx2/acc-lat-energy (a variant suffix is ignored)")
    show.add_argument("--tables-dir", default=None, help=TABLES_HELP)
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=_cmd_problems_show)
    build = problems.add_parser("build", help="write tables/<task>/problems.json from the joint table")
    _location_args(build)
    build.add_argument("--table-only", action="store_true", help="skip the best-known full-space fronts (they need fitted surrogates)")
    build.set_defaults(func=_cmd_problems_build)
    return parser


def _with_tables_root(args: argparse.Namespace) -> argparse.Namespace:
    """``args`` with ``--tables-dir`` resolved once (:func:`bench.locations.tables_root`), where the command has it."""
    if getattr(args, "resolve_tables", True) and hasattr(args, "tables_dir"):
        args.tables_dir = str(tables_root(args.tables_dir))
    return args


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mmnas`` console script; returns the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["validate-device"]:  # its options belong to bench.validation.cli
        from bench.validation.cli import main as validate_device

        command, debug = (lambda: validate_device(argv[1:])), False
    else:
        args = build_parser().parse_args(argv)
        logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr)
        command, debug = (lambda: args.func(_with_tables_root(args))), args.debug
    try:
        try:
            return command()
        except ModuleNotFoundError as err:  # an optional package the installed extras leave out
            if err.name is None or err.name.split(".")[0] not in EXTRA_OF:
                raise
            raise missing_extra(err.name, f"mmnas {' '.join(argv[:2])}") from err
    except _USER_ERRORS as err:
        if debug:
            raise
        print(f"mmnas: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

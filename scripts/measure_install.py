"""Install layers: a fresh venv per extra, with its size, install time and (base) start-up times, against the targets.

For each of ``--extras`` (``base`` is the install without extras) creates a venv in a
temporary folder, times ``pip install -e <repo>[extra]`` (torch pinned by
``--torch`` where an extra pulls it, so a CPU build is taken), measures the venv's size,
and for the base install times, in fresh interpreters run from a folder outside the
repository, ``import`` + the first table query and the start of surrogate mode (import,
loading the surrogates, the first query). Install times depend on the pip cache (warm
here: the wheels are local). A benchmark, not a test: quote its figures with the host
and what else was running.

Usage: python scripts/measure_install.py [--extras base surrogates leaderboard] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGETS = {"base_mb": 400, "base_install_s": 60, "table_query_s": 1.0, "surrogate_start_s": 1.5}
NEEDS_TORCH = {"models", "sweep", "dask", "gp", "bo", "leaderboard", "device", "test"}
FIRST_TABLE_QUERY = (
    "import time; t = time.perf_counter(); from bench.benchmark import Benchmark; from bench.examples import load_example; "
    "Benchmark().evaluate(load_example('harmonic_avmnist_1')); print(time.perf_counter() - t)"
)
SURROGATE_START = (
    "import time; t = time.perf_counter(); from bench.benchmark import Benchmark; from bench.space import sample_config; "
    "import numpy as np; Benchmark(mode='surrogate').evaluate(sample_config(np.random.default_rng(0))); print(time.perf_counter() - t)"
)


def folder_mb(path: Path) -> float:
    """Size of everything under ``path`` in MiB."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 2**20


def install(extra: str, where: Path, torch_spec: str) -> tuple[float, float]:
    """Create a venv at ``where`` with ``extra``; returns (install seconds, size MiB)."""
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
    target = str(REPO) if extra == "base" else f"{REPO}[{extra}]"
    packages = ([torch_spec] if extra in NEEDS_TORCH else []) + ["-e", target]
    start = time.perf_counter()
    subprocess.run([str(where / "bin" / "pip"), "install", "-q", *packages], check=True, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, folder_mb(where)


def timed_start(python: Path, code: str, runs: int = 3) -> float:
    """Median seconds that ``code`` reports, each run in a fresh interpreter outside the repository."""
    outside = Path(tempfile.mkdtemp())
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MMNAS_TABLES")}
    values = sorted(
        float(subprocess.run([str(python), "-c", code], cwd=outside, env=env, capture_output=True, text=True, check=True).stdout)
        for _ in range(runs)
    )
    shutil.rmtree(outside)
    return values[len(values) // 2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extras", nargs="+", default=["base", "surrogates", "search", "analysis", "plots", "models", "leaderboard", "device"])
    parser.add_argument("--torch", default="torch==2.13.0", help="torch requirement for extras that pull it")
    parser.add_argument("--keep", default=None, help="keep the venvs under this folder")
    args = parser.parse_args()
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="mmnas-venvs-"))
    print(f"host load average {os.getloadavg()[0]:.2f} at start; venvs under {root}")
    print("| install | pip install s | venv MiB | target |")
    print("|---|---|---|---|")
    for extra in args.extras:
        seconds, size = install(extra, root / extra, args.torch)
        target = f"<= {TARGETS['base_mb']} MiB, <= {TARGETS['base_install_s']} s" if extra == "base" else ""
        print(f"| {extra} | {seconds:.0f} | {size:.0f} | {target} |", flush=True)
        if extra == "base":
            python = root / extra / "bin" / "python"
            query, surrogate = timed_start(python, FIRST_TABLE_QUERY), timed_start(python, SURROGATE_START)
            print(f"| base: import + first table query | {query:.2f} s | | <= {TARGETS['table_query_s']} s |")
            print(f"| base: surrogate-mode start + first query | {surrogate:.2f} s | | <= {TARGETS['surrogate_start_s']} s |", flush=True)
    print(f"host load average {os.getloadavg()[0]:.2f} at end")
    if not args.keep:
        shutil.rmtree(root)
    return 0


if __name__ == "__main__":
    sys.exit(main())

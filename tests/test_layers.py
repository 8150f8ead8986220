"""The subpackages form layers: every import (inside functions too) goes down the order the README's layout section
gives, so there is no import cycle between subpackages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("bench", "surrogates", "searchers")
LAYERS = (  # lowest first: a unit may import only units listed before it (README, Layout)
    "bench.errors", "bench.extras", "bench.parallel", "bench.files", "bench.checksum_lines", "bench.jsonio", "bench.locations", "bench.markdown_json", "bench.reports", "bench.progress", "bench.data", "bench.tasks", "bench.space", "bench.examples", "bench.devices",
    "bench.columns", "bench.models", "bench.train", "bench.hardware", "bench.sweep", "bench.tables", "surrogates", "bench.live",
    "bench.benchmark", "bench.problems", "bench.testing", "searchers", "bench.optimize", "bench.leaderboard", "bench.validation", "bench.cli",
)


def unit(module: str) -> str:
    """The unit a module belongs to: ``bench.<subpackage or module>``, or a top-level package."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "bench" and len(parts) > 1 else parts[0]


def import_graph(root: Path, packages: tuple[str, ...] = PACKAGES) -> dict[str, dict[str, str]]:
    """Unit -> {imported unit: the module and line that imports it}, from every import statement of every module."""
    graph: dict[str, dict[str, str]] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            module = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names if node.module in packages]
                else:
                    continue
                for name in names:
                    if name.split(".")[0] in packages and unit(name) != unit(module):
                        graph.setdefault(unit(module), {}).setdefault(unit(name), f"{module}:{node.lineno}")
    return graph


def find_cycle(graph: dict[str, dict[str, str]]) -> list[str] | None:
    """One cycle of units (first unit repeated at the end), or None."""
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = "open"
        for target in graph.get(node, {}):
            if state.get(target) == "open":
                return path[path.index(target):] + [target]
            if target not in state and (cycle := visit(target, path + [target])):
                return cycle
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start, [start])):
            return cycle
    return None


def test_no_import_cycle_between_subpackages():
    cycle = find_cycle(import_graph(REPO))
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_every_import_goes_down_the_layers():
    graph = import_graph(REPO)
    rank = {name: i for i, name in enumerate(LAYERS)}
    assert set(graph) | {t for targets in graph.values() for t in targets} <= set(rank), "a unit missing from LAYERS"
    upward = [f"{a} -> {b} ({where})" for a, targets in graph.items() for b, where in targets.items() if rank[b] > rank[a]]
    assert not upward, "imports up the layers: " + "; ".join(upward)


def test_a_planted_cycle_is_found(tmp_path):
    for name, text in {"low/__init__.py": "", "low/a.py": "def f():\n    from high.b import g\n",
                       "high/__init__.py": "", "high/b.py": "from low.a import f\n"}.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    graph = import_graph(tmp_path, ("low", "high"))
    assert graph == {"low": {"high": "low.a:2"}, "high": {"low": "high.b:1"}}
    assert find_cycle(graph) in (["high", "low", "high"], ["low", "high", "low"])


@pytest.mark.parametrize("module, expected", [("bench.hardware.lut", "bench.hardware"), ("bench.cli", "bench.cli"),
                                              ("searchers.mobo", "searchers"), ("bench", "bench")])
def test_units(module, expected):
    assert unit(module) == expected

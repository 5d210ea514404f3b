"""The layout rules of issue 10, checked on the source tree (run this file alone to see them):

* no import cycle among mkdeck's modules, counting imports inside functions; no ``importlib``;
* no module over 600 lines except pure data, no function over 120 lines except those defended
  in a comment in :data:`LONG_FUNCTIONS`;
* ``model.py`` and ``scan.py`` import nothing of mkdeck; only ``export/`` imports genanki;
* only ``cli/`` prints, exits or writes to ``sys.stdout``/``sys.stderr`` (the verifier's probe
  programs and their runner, processes of their own that answer on stdout, excepted).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "mkdeck"

MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 120

# Modules that are pure data (tables), allowed over MAX_MODULE_LINES.
DATA_MODULES: frozenset[str] = frozenset()

# Functions allowed over MAX_FUNCTION_LINES, each with the reason.
LONG_FUNCTIONS: dict[str, str] = {}

# Processes of their own that answer on stdout (see the module docstring).
MAY_PRINT = ("mkdeck.cli", "mkdeck.verify.probes", "mkdeck.verify.runner")


def module_name(path: Path) -> str:
    """``src/mkdeck/a/b.py`` → ``mkdeck.a.b`` (``__init__.py`` → its package)."""
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(SRC.rglob("*.py"))}
TREES = {name: ast.parse(path.read_text(encoding="utf-8"), str(path))
         for name, path in MODULES.items()}


def imported(name: str, tree: ast.Module) -> set[str]:
    """Every module ``name`` imports anywhere in its file (top level, functions, TYPE_CHECKING
    blocks), resolved to a module of mkdeck or to the outside module's full name."""
    out: set[str] = set()
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.add(mod)
            out.update(f"{mod}.{a.name}" for a in node.names if f"{mod}.{a.name}" in MODULES)
    return out


GRAPH = {name: {m for m in imported(name, tree) if m in MODULES and m != name}
         for name, tree in TREES.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def oversized() -> list[str]:
    """Modules and functions over the limits, as ``"module NAME"``/``"function NAME:FUNC"``."""
    out = []
    for name, path in MODULES.items():
        if name not in DATA_MODULES and len(path.read_text().splitlines()) > MAX_MODULE_LINES:
            out.append(f"module {name}")
        for node in ast.walk(TREES[name]):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                key = f"{name}:{node.name}"
                size = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                if size > MAX_FUNCTION_LINES and key not in LONG_FUNCTIONS:
                    out.append(f"function {key}")
    return sorted(out)


def test_no_import_cycle() -> None:
    assert cycles(GRAPH) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_importlib() -> None:
    users = sorted(n for n, t in TREES.items() if {"importlib"} & {m.split(".")[0]
                                                                 for m in imported(n, t)})
    assert users == []


def test_sizes() -> None:
    assert oversized() == []
    assert len(LONG_FUNCTIONS) <= 2


@pytest.mark.parametrize("name", ["mkdeck.model", "mkdeck.scan", "mkdeck.codes"])
def test_bottom_modules_import_no_stage(name: str) -> None:
    allowed = {"mkdeck.model"} if name != "mkdeck.model" else set()
    assert GRAPH[name] - allowed == set()


def test_only_export_imports_genanki() -> None:
    users = sorted(n for n, t in TREES.items()
                   if any(m.split(".")[0] == "genanki" for m in imported(n, t)))
    assert users and all(u.startswith("mkdeck.export.") for u in users), users


def test_only_cli_prints_or_exits() -> None:
    found = []
    for name, tree in TREES.items():
        if name.startswith(MAY_PRINT):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id == "print":
                found.append(f"{name}:{node.lineno} print")
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id == "sys" and node.attr in ("exit", "stdout", "stderr"):
                found.append(f"{name}:{node.lineno} sys.{node.attr}")
    assert found == []


def test_stages_import_only_downward() -> None:
    """A stage package never imports ``app`` or ``cli``; ``app`` never imports ``cli``."""
    upward = []
    for name, deps in GRAPH.items():
        layer = name.split(".")[1] if "." in name else ""
        if layer == "__main__":  # python -m mkdeck: the command line itself
            layer = "cli"
        for dep in deps:
            dep_layer = dep.split(".")[1] if "." in dep else ""
            if dep_layer == "cli" and layer != "cli" or dep_layer == "app" and layer not in (
                    "app", "cli"):
                upward.append(f"{name} -> {dep}")
    assert upward == []


if __name__ == "__main__":  # a report: python tests/test_layout.py
    print(f"modules: {len(MODULES)}; import cycles: {len(cycles(GRAPH))}")
    for c in cycles(GRAPH):
        print("  cycle:", " ".join(c))
    for x in oversized():
        print("  over the limit:", x)

"""The goals app's modules import each other in one direction, at the top of the module:
a function-level import that dodges a circle would hide one."""

from __future__ import annotations

import ast
from pathlib import Path

import accord.goals

APP = Path(accord.goals.__file__).parent
# The command line imports lazily so that `accord --help` starts fast: not to dodge a circle.
LAZY_ON_PURPOSE = {"cli"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in APP.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(APP).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _goals_imports(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("accord.goals"):
            module = node.module.removeprefix("accord.goals").lstrip(".")
            names |= {module} if module else {alias.name for alias in node.names}
    return names


def test_no_module_imports_goals_code_inside_a_function() -> None:
    inside = []
    for name, path in _modules().items():
        if name in LAZY_ON_PURPOSE:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith(
                        "accord."
                    ):
                        inside.append(f"{name}: {inner.module} in {node.name}()")
    assert inside == []


def test_goals_modules_import_each_other_without_a_circle() -> None:
    modules = _modules()
    graph = {
        name: {
            dep
            for dep in _goals_imports(ast.parse(path.read_text()))
            if dep in modules and dep != name and not dep.startswith(f"{name}.")
        }
        for name, path in modules.items()
    }

    def cycle_from(start: str, path: list[str]) -> list[str] | None:
        for dep in graph[start]:
            if dep in path:
                return [*path[path.index(dep) :], dep]
            found = cycle_from(dep, [*path, dep])
            if found:
                return found
        return None

    cycles = [c for name in graph if (c := cycle_from(name, [name]))]
    assert cycles == []

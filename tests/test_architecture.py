"""A rule of the code's that no linter holds for us: no module reaches into another module's
private names (dependencies between apps are held by import-linter in `make lint`)."""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src" / "accord"


def private_imports(source: str, module: str, *, is_package: bool) -> list[str]:
    """``from accord.x import _name`` in ``module``; a package's ``__init__`` may gather its
    own submodules' names."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("accord"):
            continue
        gathering = is_package and (node.module or "").startswith(module + ".")
        for alias in node.names:
            if alias.name.startswith("_") and not alias.name.startswith("__") and not gathering:
                found.append(f"{module} imports {node.module}.{alias.name} (line {node.lineno})")
    return found


def test_no_module_imports_another_modules_private_names() -> None:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(SOURCE.parent).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        module = ".".join(parts[:-1] if is_package else parts)
        found += private_imports(path.read_text(encoding="utf-8"), module, is_package=is_package)
    assert found == []


def test_a_private_import_is_found_and_a_package_may_gather_its_own() -> None:
    source = "from accord.insights.engine import _GroupTable, Report\n"
    assert private_imports(source, "accord.insights.snapshot", is_package=False) == [
        "accord.insights.snapshot imports accord.insights.engine._GroupTable (line 1)"
    ]
    gathering = "from accord.goals.services.links import _notify_peer\n"
    assert private_imports(gathering, "accord.goals.services", is_package=True) == []

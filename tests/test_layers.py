"""The data path flows one way: a test over the package's import graph (read with ast, so a
function-level import counts the same as a top-level one)."""

from __future__ import annotations

import ast
from pathlib import Path

import scanner

PACKAGE = Path(scanner.__file__).parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _package_imports(folder: str) -> dict[str, set[str]]:
    return {
        str(p.relative_to(PACKAGE)): _imports(p) for p in sorted((PACKAGE / folder).rglob("*.py"))
    }


def test_history_never_imports_reports() -> None:
    # History stores model values through scanner.serialize; reports read history, not the
    # other way round.
    offenders = {
        module: sorted(
            n for n in names if n == "scanner.reports" or n.startswith("scanner.reports.")
        )
        for module, names in _package_imports("history").items()
    }
    assert {m: n for m, n in offenders.items() if n} == {}

"""The data path flows one way: a test over the package's import graph, read with ast so a
function-level import counts the same as a top-level one. The layer order is the one written
in docs/architecture.md; this test reads it from there, so the doc and the code cannot part."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import scanner

PACKAGE = Path(scanner.__file__).parent
ARCHITECTURE = PACKAGE.parent / "docs" / "architecture.md"

# Function-level imports are allowed only where they are not dodging a cycle: the CLI loads a
# command's module when the command runs (start-up time), and TYPE_CHECKING blocks are types only.
LAZY_IMPORTS_ALLOWED = ("cli/",)


def _layers() -> list[tuple[str, ...]]:
    """The layers, low to high, from the ``Layers`` list in docs/architecture.md."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    block = text.split("<!-- layers -->")[1].split("<!-- /layers -->")[0]
    layers = []
    for line in block.strip().splitlines():
        # "3. platforms: `platforms` (what it holds)": the names before the parenthesis.
        names = re.findall(r"`([a-z_]+)`", line.split(":", 1)[1].split("(", 1)[0])
        assert names, f"no module names in layer line {line!r}"
        layers.append(tuple(names))
    return layers


def _unit(module: str) -> str:
    """``scanner.runs.audit`` → ``runs``; ``scanner.errors`` → ``errors``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(module, line, at top level) for every absolute import of a scanner module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    type_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    found: list[tuple[str, int, bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        for name in names:
            if name == "scanner" or name.startswith("scanner."):
                found.append((name, node.lineno, id(node) in top or id(node) in type_only))
    return found


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py"))


def test_every_module_is_in_a_layer() -> None:
    placed = {name for layer in _layers() for name in layer}
    units = {p.relative_to(PACKAGE).parts[0].removesuffix(".py") for p in _modules()}
    assert units - placed - {"__init__", "__main__"} == set()


def test_no_module_imports_from_a_layer_above_it() -> None:
    rank = {name: i for i, layer in enumerate(_layers()) for name in layer}
    upward = []
    for path in _modules():
        here = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        if here not in rank:
            continue
        for module, line, _ in _imports(path):
            there = _unit(module)
            if there in rank and rank[there] > rank[here]:
                upward.append(f"{path.relative_to(PACKAGE)}:{line} imports {module}")
    assert upward == []


def test_no_import_hides_in_a_function() -> None:
    hidden = [
        f"{path.relative_to(PACKAGE)}:{line} imports {module}"
        for path in _modules()
        if not str(path.relative_to(PACKAGE)).startswith(LAZY_IMPORTS_ALLOWED)
        for module, line, top in _imports(path)
        if not top
    ]
    assert hidden == []


def test_no_importlib_outside_the_cli() -> None:
    users = [
        str(path.relative_to(PACKAGE))
        for path in _modules()
        if not str(path.relative_to(PACKAGE)).startswith(LAZY_IMPORTS_ALLOWED)
        and re.search(r"\bimport_module\b", path.read_text(encoding="utf-8"))
    ]
    assert users == []


@pytest.mark.parametrize("folder", ["history"])
def test_history_never_imports_reports(folder: str) -> None:
    # History stores model values through scanner.serialize; reports read history, not the
    # other way round (the layer test covers it too; this names the rule the issue set).
    offenders = [
        module
        for path in (PACKAGE / folder).rglob("*.py")
        for module, _, _ in _imports(path)
        if _unit(module) == "reports"
    ]
    assert offenders == []

"""No function in the package grows past MAX_LINES (issue 17): a long function is one a reader
would rather see in named parts. Measured with ast, from ``def`` to the last line of the body;
scanner/sandbox (the platform simulator's page templates) is exempt."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import scanner

PACKAGE = Path(scanner.__file__).parent
MAX_LINES = 70
EXEMPT = ("sandbox",)
"""Top-level folders of the package the limit does not apply to."""


def _long_functions(source: str, limit: int) -> list[tuple[str, int, int]]:
    """(qualified name, first line, length) of every function in ``source`` over ``limit``
    lines, nested functions and methods included."""
    found: list[tuple[str, int, int]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    length = (child.end_lineno or child.lineno) - child.lineno + 1
                    if length > limit:
                        found.append((name, child.lineno, length))
                visit(child, f"{name}.")
            else:
                visit(child, prefix)

    visit(ast.parse(source), "")
    return found


def _package_files() -> list[Path]:
    return sorted(
        path for path in PACKAGE.rglob("*.py") if path.relative_to(PACKAGE).parts[0] not in EXEMPT
    )


def test_no_function_in_the_package_is_longer_than_the_limit() -> None:
    too_long = [
        f"{path.relative_to(PACKAGE.parent)}:{line} {name} ({length} lines)"
        for path in _package_files()
        for name, line, length in _long_functions(path.read_text(encoding="utf-8"), MAX_LINES)
    ]
    assert not too_long, (
        f"functions over {MAX_LINES} lines; split them into named parts:\n" + "\n".join(too_long)
    )


def test_the_walk_covers_the_package_but_not_the_sandbox() -> None:
    files = {path.relative_to(PACKAGE).as_posix() for path in _package_files()}
    assert {"model.py", "reports/markdown.py", "fetch/client.py", "runs/review.py"} <= files
    assert not any(name.startswith("sandbox/") for name in files)


def test_a_function_one_line_over_the_limit_is_reported_with_its_place() -> None:
    body = "\n".join(f"        x{i} = {i}" for i in range(MAX_LINES - 1))
    source = (
        textwrap.dedent("""\
        class Report:
            def short(self) -> None:
                pass

            def render(self) -> None:
        """)
        + body
        + "\n        return None\n"
    )
    # render: its ``def`` line, MAX_LINES - 1 assignments and the return.
    assert _long_functions(source, MAX_LINES) == [("Report.render", 5, MAX_LINES + 1)]
    assert _long_functions(source, MAX_LINES + 1) == []


def test_nested_functions_are_measured_on_their_own() -> None:
    inner = "\n".join(f"        y{i} = {i}" for i in range(3))
    source = f"async def outer() -> None:\n    def inner() -> None:\n{inner}\n    inner()\n"
    assert _long_functions(source, 3) == [("outer", 1, 6), ("outer.inner", 2, 4)]

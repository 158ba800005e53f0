"""A click group whose commands are imported on first use, so ``rollcall --version`` and
``rollcall --help`` start without loading the audit stack (httpx, numpy, rapidfuzz, ...)."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from importlib import import_module

import click

__all__ = ["LazyGroup"]

_DECORATORS = ("command", "group")


class LazyGroup(click.Group):
    """Commands named after modules of ``package``, each defining one click command or group
    named ``command``. A module is imported when its command runs or its help is shown; the
    command list reads each command's help from its module's source instead."""

    def __init__(self, *args: object, package: str, modules: Sequence[str], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.package = package
        self.modules = modules

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.modules, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in self.modules:
            return self.commands.get(cmd_name)
        command = import_module(f"{self.package}.{cmd_name}").command
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.package}.{cmd_name}.command is not a click command")
        self.add_command(command, cmd_name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, self._outline(ctx, name).get_short_help_str(limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def _outline(self, ctx: click.Context, name: str) -> click.Command:
        """The command if it is loaded, else a stand-in carrying its help from the source (a
        module without source, as in a zip, is imported after all)."""
        if name in self.commands:
            return self.commands[name]
        help_text = _help_from_source(f"{self.package}.{name}", name)
        if help_text is None:
            command = self.get_command(ctx, name)
            assert command is not None
            return command
        return click.Command(name, help=help_text)


def _help_from_source(module: str, name: str) -> str | None:
    """The docstring of the function decorated ``@click.command(name)`` or
    ``@click.group(name)`` in ``module``'s source, read without importing it."""
    import ast  # only for the command list: `rollcall --version` should not pay for it

    def names_it(decorator: ast.expr) -> bool:
        return (
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr in _DECORATORS
            and bool(decorator.args)
            and isinstance(decorator.args[0], ast.Constant)
            and decorator.args[0].value == name
        )

    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None
    with open(spec.origin, encoding="utf-8") as source:
        tree = ast.parse(source.read())
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and any(map(names_it, node.decorator_list)):
            return ast.get_docstring(node)
    return None

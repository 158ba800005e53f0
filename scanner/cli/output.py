"""Every document-producing command's output, one way: ``--output`` pairs checked before any work
is done, then the ``--format`` printed on stdout and each file written by the one atomic writer."""

from __future__ import annotations

import sys
from typing import Any

import click

from scanner.cli.options import parse_outputs
from scanner.reports import (
    Document,
    Renderer,
    check_writable,
    format_names,
    renderer_for,
    write_documents,
)
from scanner.reports.interface import StreamingRenderer
from scanner.reports.layout import output_width

__all__ = ["echo_rendered", "emit", "output_pairs"]


def output_pairs(outputs: tuple[str, ...], document: Document, fmt: str) -> list[tuple[str, str]]:
    """The ``--output`` values as (format, path), every format one ``document`` renders in and
    every folder writable: bad input fails here, before the command spends its requests."""
    pairs = parse_outputs(outputs, format_names(document), fmt)
    for _, path in pairs:
        check_writable(path)
    return pairs


def emit(
    document: Document,
    value: object,
    fmt: str,
    pairs: list[tuple[str, str]],
    *,
    wide: bool,
) -> None:
    """Print ``value`` as ``fmt`` fitted to the terminal, then write every file. Stdout is printed
    even when a file cannot be written (OutputError is raised last), so nothing computed is lost."""
    echo_rendered(renderer_for(document, fmt), value, width=output_width(wide), color=False)
    write_documents(document, value, pairs, wide=wide)


def echo_rendered(
    renderer: Renderer[Any], value: object, *, width: int | None, color: bool | None
) -> None:
    """Print ``value`` on stdout; a streaming renderer writes it as it is made (a franchise
    audit's table of 200,000 findings is never held as one string)."""
    if isinstance(renderer, StreamingRenderer):
        renderer.write(value, sys.stdout, color=color, width=width)
        sys.stdout.flush()
    else:
        click.echo(renderer.render(value, color=color, width=width), nl=False)

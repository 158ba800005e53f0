"""Every document-producing command's output, one way: ``--output`` pairs checked before any work
is done, then the ``--format`` printed on stdout and each file written by the one atomic writer."""

from __future__ import annotations

import click

from scanner.cli.options import parse_outputs
from scanner.reports import Document, check_writable, format_names, render, write_documents
from scanner.reports.layout import output_width

__all__ = ["emit", "output_pairs"]


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
    click.echo(render(document, value, fmt, width=output_width(wide)), nl=False)
    write_documents(document, value, pairs, wide=wide)

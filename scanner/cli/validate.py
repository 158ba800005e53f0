"""`rollcall validate` (being written)."""

import click


@click.command("validate")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("not built yet")

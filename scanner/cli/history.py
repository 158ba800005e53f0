"""`rollcall history` (being written)."""

import click


@click.command("history")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("not built yet")

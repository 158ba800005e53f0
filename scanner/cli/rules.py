"""`rollcall rules` (being written)."""

import click


@click.command("rules")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("not built yet")

"""`rollcall report` (being written)."""

import click


@click.command("report")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("not built yet")

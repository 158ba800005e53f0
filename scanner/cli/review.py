"""`rollcall review` (being written)."""

import click


@click.command("review")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("not built yet")

"""`rollcall platforms` (being written)."""

import click


@click.command("platforms")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("not built yet")

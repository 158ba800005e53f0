"""`rollcall discover` (being written)."""

import click


@click.command("discover")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("not built yet")

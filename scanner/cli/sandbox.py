"""`rollcall sandbox` (being written)."""

import click


@click.command("sandbox")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("not built yet")

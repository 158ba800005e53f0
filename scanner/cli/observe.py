"""`rollcall observe` (being written)."""

import click


@click.command("observe")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("not built yet")

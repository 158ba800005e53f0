"""`rollcall audit` (being written)."""

import click


@click.command("audit")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("not built yet")

"""`rollcall policy` (being written)."""

import click


@click.command("policy")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("not built yet")

"""`rollcall demo` (being written)."""

import click


@click.command("demo")
def command() -> None:
    """Not built yet."""
    raise click.ClickException("not built yet")

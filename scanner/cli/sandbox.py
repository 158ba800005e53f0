"""`rollcall sandbox serve`: run the local platform simulator on its own, until Ctrl-C."""

from __future__ import annotations

import threading

import click

from scanner.sandbox import Sandbox, example_world_path, load_world

__all__ = ["command"]


@click.group("sandbox")
def command() -> None:
    """Run the local platform simulator used by the tests, the demo and the benchmarks."""


@command.command("serve")
@click.argument("world", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port on 127.0.0.1 (0 = any free port).",
)
def serve(world: str | None, port: int) -> int:
    """Serve every platform of WORLD (a world YAML file; default: the example organization's
    world) on 127.0.0.1 until Ctrl-C, and print the --endpoint flags that point Rollcall at it.

    \b
    Mastodon instances and Tumblr blogs are told apart by the X-Forwarded-Host header that
    Rollcall's fetcher adds under an endpoint override.
    """
    loaded = load_world(world or example_world_path())
    stop = threading.Event()
    with Sandbox(loaded, port=port) as sandbox:
        click.echo(
            f"Sandbox for world {loaded.name!r} (as of {loaded.as_of.isoformat()}, "
            f"{len(loaded.accounts)} accounts) at {sandbox.base_url}"
        )
        click.echo("Point Rollcall at it with:")
        flags = " ".join(f"--endpoint {p}={url}" for p, url in sandbox.endpoints().items())
        click.echo(f"  {flags}")
        click.echo(f"(audits: add --as-of {loaded.as_of.isoformat()}, the world's date)")
        present = " ".join(f"--present {p}={h}" for p, h in loaded.healthy_handles().items())
        if present:
            # The specs' own known-present handles are real-world accounts this world lacks.
            click.echo("Self-check the platform specs against it with:")
            click.echo(f"  rollcall platforms check {flags} {present}")
        click.echo("Press Ctrl-C to stop.", err=True)
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            click.echo(f"stopped after {sandbox.requests} requests", err=True)
    return 0

"""`rollcall sandbox serve`: run the local platform simulator on its own, until Ctrl-C;
`rollcall sandbox example-world`: write a commented world file to start from."""

from __future__ import annotations

import threading
from pathlib import Path

import click

from scanner.errors import UsageError
from scanner.reports.interface import atomic_write
from scanner.sandbox import Sandbox, example_world_path, load_world
from scanner.sandbox.example_world import example_world_text

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
    `rollcall sandbox example-world` writes a commented world file to start from.

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
        try:
            # Inside the try: a Ctrl-C sent as soon as this line shows still stops cleanly.
            click.echo("Press Ctrl-C to stop.", err=True)
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            click.echo(f"stopped after {sandbox.requests} requests", err=True)
    return 0


@command.command("example-world")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH when it exists.")
def example_world(path: Path | None, force: bool) -> int:
    """Write a commented example world to PATH (default: print it): every key a world file may
    hold and every fault the sandbox can inject, explained, on a handful of accounts. Serve it
    with `rollcall sandbox serve PATH`.
    """
    text = example_world_text()
    if path is None:
        click.echo(text, nl=False)
        return 0
    if path.exists() and not force:
        raise UsageError(f"{path} exists; pass --force to replace it")
    atomic_write(path, text)
    click.echo(f"wrote {path}; serve it with: rollcall sandbox serve {path}", err=True)
    return 0

"""The ``rollcall`` entry point: the command group and the one place errors become exit codes."""

from __future__ import annotations

import sys

import click

from scanner import __version__
from scanner.cli.exitcodes import ExitCode
from scanner.cli.lazy import LazyGroup
from scanner.errors import IncompleteError, InputError, RunError, ValidationError

__all__ = ["cli", "main"]

# Each module defines one click command or group named ``command``, imported when that command
# runs or its help is shown (LazyGroup); the help lists them in alphabetical order.
COMMAND_MODULES = (
    "validate",
    "audit",
    "demo",
    "observe",
    "discover",
    "check",
    "review",
    "report",
    "history",
    "rules",
    "policy",
    "platforms",
    "sites",
    "sandbox",
    "credentials",
    "access",
)


@click.group(
    cls=LazyGroup,
    package="scanner.cli",
    modules=COMMAND_MODULES,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="rollcall")
def cli() -> None:
    """Rollcall: audit an organization's social media accounts against its inventory, its HR
    roster and its social media policy.

    \b
    Exit codes: 0 clean · 1 findings at or above --fail-on (or review rejected)
                2 bad input · 3 incomplete (too much could not be verified)
                4 storage (the history database could not be read or written)
    """


def main(argv: list[str] | None = None) -> None:
    """Run the CLI and exit with Rollcall's exit code; never shows a traceback for our errors."""
    code = run(argv)
    sys.exit(int(code))


def run(argv: list[str] | None = None) -> int:
    try:
        result = cli.main(args=argv, prog_name="rollcall", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("rollcall: aborted", err=True)
        return int(ExitCode.BAD_INPUT)
    except click.ClickException as exc:
        exc.show()
        return int(ExitCode.BAD_INPUT)
    except ValidationError as exc:
        count = len(exc.problems)
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        click.echo(
            f"rollcall: {count} problem{'s' if count != 1 else ''} found; nothing was run", err=True
        )
        return int(ExitCode.BAD_INPUT)
    except InputError as exc:
        click.echo(f"error: {exc}", err=True)
        return int(ExitCode.BAD_INPUT)
    except IncompleteError as exc:
        click.echo(f"rollcall: incomplete: {exc}", err=True)
        return int(ExitCode.INCOMPLETE)
    except RunError as exc:
        # Running failed although the input was fine: today that is the history database
        # (HistoryError). It is not "incomplete": nothing about the accounts is in doubt.
        click.echo(f"rollcall: storage: {exc}", err=True)
        return int(ExitCode.STORAGE)
    except KeyboardInterrupt:
        click.echo("rollcall: interrupted", err=True)
        return 130
    return int(result) if isinstance(result, int) else int(ExitCode.CLEAN)

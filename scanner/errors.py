"""Rollcall's exception hierarchy: one root, "your input is wrong" kept apart from "running failed".

    RollcallError                      root; the CLI maps every subclass to a message and exit code
    ├── InputError                     bad input the user can fix → exit 2
    │   ├── ValidationError            one or more located problems (file:line:column, field, expected)
    │   ├── UsageError                 flags that do not fit together, unknown names on the command line
    │   ├── SourceError                a path that cannot be read as a file (missing, a folder, a
    │   │                              device or pipe, not readable)
    │   └── OutputError                a report file that cannot be written (the others still are)
    └── RunError                       running failed although the input was fine
        ├── IncompleteError            too much could not be verified → exit 3
        ├── HistoryError               the history database is unusable → exit 4
        └── UserPatternTimeout         a user's regular expression ran out of time (the rule asking
                                       ends `error`; it never escapes an evaluation)

Observation failures (timeouts, WAF pages, 429s) are *values*, never exceptions: an account that
could not be seen is an Observation with status ``blocked`` or ``error``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "HistoryError",
    "IncompleteError",
    "InputError",
    "OutputError",
    "Problem",
    "RollcallError",
    "RunError",
    "SourceError",
    "UsageError",
    "UserPatternTimeout",
    "ValidationError",
    "did_you_mean",
]


class RollcallError(Exception):
    """Root of every error Rollcall raises on purpose."""


class InputError(RollcallError):
    """The user's input is wrong; fixing it makes the run work (exit 2)."""


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem in an input file.

    ``message`` says what is wrong and what was expected, e.g.
    ``accounts[3].created: expected an ISO date (YYYY-MM-DD), got '03/04/2021'``.
    """

    file: str
    line: int | None
    column: int | None
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """``"did you mean 'owner'?"`` when ``word`` is a near miss of one of ``choices`` (difflib's
    ratio of at least 0.6), else None: the hint of every "unknown name" problem and message."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


class ValidationError(InputError):
    """One or more located problems; all of them are reported in one run."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(set(problems), key=_problem_key))
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(
        cls,
        file: str,
        line: int | None,
        message: str,
        *,
        column: int | None = None,
        hint: str | None = None,
    ) -> ValidationError:
        return cls([Problem(file, line, column, message, hint)])


def _problem_key(p: Problem) -> tuple[str, int, int, str]:
    return (p.file, p.line or 0, p.column or 0, p.message)


class UsageError(InputError):
    """Command-line arguments that do not fit together or name unknown things."""


class SourceError(InputError):
    """A path that cannot be read as an input file: missing, a folder, a device or pipe, not
    readable (each kind has its own message, see ``scanner.inputfile``)."""

    def __init__(self, file: str, message: str) -> None:
        self.file = file
        super().__init__(f"{file}: {message}")


class OutputError(InputError):
    """One or more report files could not be written; every other output was written."""

    def __init__(self, failures: Sequence[tuple[str, str]]) -> None:
        self.failures = tuple(failures)
        super().__init__("; ".join(f"{path}: cannot write ({why})" for path, why in self.failures))


class RunError(RollcallError):
    """Running failed although the input was fine."""


class IncompleteError(RunError):
    """Too many accounts could not be verified for the result to be trusted (exit 3)."""


class HistoryError(RunError):
    """The history database cannot be opened, migrated or written."""


class UserPatternTimeout(RunError):
    """A search with a user-written pattern ran out of time (``scanner.userregex``)."""

    def __init__(self, pattern: str, seconds: float) -> None:
        self.pattern = pattern
        super().__init__(f"regular expression {pattern!r} took longer than {seconds} s")


def merge(errors: Sequence[ValidationError]) -> ValidationError:
    """Join several validation errors into one, so every problem is shown in one run."""
    return ValidationError(p for e in errors for p in e.problems)

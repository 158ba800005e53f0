"""The report extension point: the Formatter protocol, the ReportFormat names and their registry,
and atomic writing of several formats in one run."""

from __future__ import annotations

import difflib
import enum
import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol, TypeVar, assert_never

from scanner.errors import OutputError, UsageError
from scanner.model import AuditResult

__all__ = [
    "FORMATTERS",
    "Formatter",
    "ReportFormat",
    "atomic_write",
    "check_writable",
    "file_suffix",
    "formatter_for",
    "register",
    "write_outputs",
    "write_text_atomic",
]


class ReportFormat(enum.StrEnum):
    """Every audit report format; each has exactly one registered formatter."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"
    HTML = "html"
    SARIF = "sarif"
    JUNIT = "junit"


class Formatter(Protocol):
    """Renders an audit result as text. ``color`` matters only to terminal formats: None means
    "decide from the terminal and NO_COLOR", False never colours (files)."""

    name: str

    def render(self, result: AuditResult, *, color: bool | None = None) -> str: ...


FORMATTERS: dict[str, Formatter] = {}

_F = TypeVar("_F", bound=Callable[[], Formatter])


def register(name: str) -> Callable[[_F], _F]:
    """Class decorator: instantiate the formatter and file it under ``name`` (a ReportFormat)."""
    fmt = ReportFormat(name)

    def decorator(factory: _F) -> _F:
        if fmt.value in FORMATTERS:
            raise RuntimeError(f"report format {fmt.value!r} registered twice")
        FORMATTERS[fmt.value] = factory()
        return factory

    return decorator


def formatter_for(name: str) -> Formatter:
    """The formatter called ``name``; an unknown name is a UsageError with a suggestion."""
    try:
        return FORMATTERS[ReportFormat(name).value]
    except (ValueError, KeyError):
        known = [f.value for f in ReportFormat]
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise UsageError(
            f"unknown report format {name!r}; expected one of {', '.join(known)}{hint}"
        ) from None


def file_suffix(fmt: ReportFormat) -> str:
    """The conventional file name ending for a format."""
    match fmt:
        case ReportFormat.TABLE:
            return ".txt"
        case ReportFormat.JSON:
            return ".json"
        case ReportFormat.CSV:
            return ".csv"
        case ReportFormat.MARKDOWN:
            return ".md"
        case ReportFormat.HTML:
            return ".html"
        case ReportFormat.SARIF:
            return ".sarif"
        case ReportFormat.JUNIT:
            return ".junit.xml"
        case _:
            assert_never(fmt)


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write(path: str | Path, text: str) -> Path:
    """Write ``text`` as UTF-8 so that ``path`` holds either its old content or the whole new
    content, never a part: a temporary file in the same directory (same filesystem, so the rename
    is atomic), fsynced, then ``os.replace``; the directory is fsynced too where supported."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OutputError([(str(path), exc.strerror or str(exc))]) from None
    try:
        # mkstemp creates the file 0600; a report replaces its old file's mode, or gets the mode
        # a plain open() would give (0666 less the umask), so a published report stays readable.
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            os.fchmod(handle.fileno(), _mode_for(target))
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError([(str(path), exc.strerror or str(exc))]) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:  # Windows cannot open a directory; the rename is still atomic there
        return target
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
    return target


write_text_atomic = atomic_write
"""Alias of :func:`atomic_write` for callers outside the audit formats."""


def check_writable(path: str | Path) -> None:
    """Fail early (before an audit spends its requests) when ``path`` cannot be written."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError([(str(path), exc.strerror or str(exc))]) from None
    if not os.access(directory, os.W_OK) or target.is_dir():
        why = "is a directory" if target.is_dir() else "directory is not writable"
        raise OutputError([(str(path), why)])


def write_outputs(result: AuditResult, pairs: Iterable[tuple[str, str | Path]]) -> list[Path]:
    """Render each (format, path) pair and write it atomically. Every format name is checked and
    every report rendered before the first file is touched, so a bad name writes nothing; a file
    that cannot be written does not stop the others (OutputError names it afterwards)."""
    jobs = [(formatter_for(name), path) for name, path in pairs]
    rendered = [(fmt.render(result, color=False), path) for fmt, path in jobs]
    written: list[Path] = []
    failures: list[tuple[str, str]] = []
    for text, path in rendered:
        try:
            written.append(atomic_write(path, text))
        except OutputError as exc:
            failures.extend(exc.failures)
    if failures:
        raise OutputError(failures)
    return written

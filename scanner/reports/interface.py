"""The rendering extension point: every Document Rollcall produces, the ReportFormat names, one
registry of renderers keyed by (document, format), and the one atomic writer every command uses."""

from __future__ import annotations

import contextlib
import enum
import os
import re
import secrets
import stat
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol, TextIO, TypeVar, assert_never, runtime_checkable

from scanner.errors import OutputError, UsageError, did_you_mean
from scanner.model import AuditResult
from scanner.reports.layout import DEFAULT_WIDTH

__all__ = [
    "RENDERERS",
    "Document",
    "Formatter",
    "Renderer",
    "ReportFormat",
    "StreamingRenderer",
    "atomic_write",
    "check_writable",
    "file_suffix",
    "format_for_path",
    "formats_for",
    "formatter_for",
    "register",
    "remove_stale_temp_files",
    "render",
    "renderer_for",
    "write_documents",
    "write_outputs",
    "write_text_atomic",
]


class Document(enum.StrEnum):
    """Every document Rollcall produces; each renders in the formats registered for it."""

    AUDIT = "audit"
    OBSERVATIONS = "observations"
    DISCOVERY = "discovery"
    REVIEW = "review"
    ORPHANS = "orphans"
    CREDENTIALS = "credentials"
    ACCESS = "access"


class ReportFormat(enum.StrEnum):
    """Every output format; a document offers the ones that fit it (``formats_for``)."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"
    HTML = "html"
    SARIF = "sarif"
    JUNIT = "junit"


_D = TypeVar("_D", contravariant=True)


class Renderer(Protocol[_D]):
    """Renders one document as text. ``color`` and ``width`` matter only to terminal formats:
    ``color`` None means "decide from the terminal and NO_COLOR", False never colours (files);
    ``width`` is the display columns a line may use, None for no limit (``--wide``). Formats
    that ignore them accept them anyway, so every caller can pass them."""

    def render(
        self, document: _D, /, *, color: bool | None = None, width: int | None = ...
    ) -> str: ...


@runtime_checkable
class StreamingRenderer(Renderer[_D], Protocol[_D]):
    """A renderer that can also write its document to a file piece by piece, for documents too
    big to hold as one string (the JSON audit report of 50,000 accounts)."""

    def write(
        self, document: _D, out: TextIO, /, *, color: bool | None = None, width: int | None = ...
    ) -> None: ...


Formatter = Renderer[AuditResult]
"""A renderer of the audit document."""

RENDERERS: dict[tuple[Document, ReportFormat], Renderer[Any]] = {}
"""The one registry: a renderer per (document, format), filled by :func:`register`."""

_R = TypeVar("_R", bound=Callable[[], Renderer[Any]])


def register(document: Document, fmt: ReportFormat) -> Callable[[_R], _R]:
    """Class decorator: instantiate the renderer and file it under (``document``, ``fmt``)."""

    def decorator(factory: _R) -> _R:
        if (document, fmt) in RENDERERS:
            raise RuntimeError(f"{document.value} {fmt.value} renderer registered twice")
        RENDERERS[(document, fmt)] = factory()
        return factory

    return decorator


def formats_for(document: Document) -> tuple[ReportFormat, ...]:
    """The formats ``document`` renders in, in ReportFormat order."""
    return tuple(f for f in ReportFormat if (document, f) in RENDERERS)


def renderer_for(document: Document, name: str) -> Renderer[Any]:
    """The renderer of ``document`` as ``name``; a format the document does not offer is a
    UsageError naming the ones it does, with a suggestion."""
    known = [f.value for f in formats_for(document)]
    if name in known:
        return RENDERERS[(document, ReportFormat(name))]
    close = did_you_mean(name, known)
    hint = f" ({close})" if close else ""
    raise UsageError(
        f"unknown {document.value} report format {name!r}; expected one of {', '.join(known)}{hint}"
    )


def formatter_for(name: str) -> Formatter:
    """The audit renderer called ``name`` (shorthand for ``renderer_for(Document.AUDIT, name)``)."""
    return renderer_for(Document.AUDIT, name)


def render(
    document: Document,
    value: object,
    name: str,
    *,
    color: bool | None = False,
    width: int | None = DEFAULT_WIDTH,
) -> str:
    """``value`` (the ``document``) rendered as format ``name``."""
    return renderer_for(document, name).render(value, color=color, width=width)


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


def format_for_path(path: str | Path) -> ReportFormat | None:
    """The format a file name's ending names (``audit.sarif`` → sarif), else None."""
    name = Path(path).name.casefold()
    # Longest ending first, so ``.junit.xml`` is not taken for something shorter.
    for fmt in sorted(ReportFormat, key=lambda f: -len(file_suffix(f))):
        if name.endswith(file_suffix(fmt)):
            return fmt
    return None


_TEMP_MARK = "rollcall-tmp"
# `.audit.json.rollcall-tmp-4242-1f2e3d4c.tmp`: the target's name, the writing process's id
# (so a stale one can be told from another run's write in progress) and a random part.
_TEMP_NAME = re.compile(rf"^\.(?P<target>.+)\.{_TEMP_MARK}-(?P<pid>\d+)-[0-9a-f]+\.tmp$")
_STARTED = time.time()
"""When this process started (near enough: this module loads before any report is written)."""


def _temp_path(directory: Path, target: Path) -> Path:
    return directory / f".{target.name}.{_TEMP_MARK}-{os.getpid()}-{secrets.token_hex(4)}.tmp"


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists but belongs to someone else
        return True
    return True


def remove_stale_temp_files(directory: Path) -> list[Path]:
    """Delete temporary files that a killed run left in ``directory``: named like ours, older
    than this process, and written by a process that is gone (a concurrent run's write in
    progress is left alone). Returns what was removed."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMP_NAME.match(entry.name)
        if match is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or info.st_mtime >= _STARTED:
            continue
        if _running(int(match.group("pid"))):
            continue
        with contextlib.suppress(OSError):
            os.unlink(entry.path)
            removed.append(Path(entry.path))
    return removed


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write(path: str | Path, text: str | Callable[[TextIO], None]) -> Path:
    """Write ``text`` (or what the callable writes to the file it is given) as UTF-8 so that ``path`` holds either its old content or the whole new
    content, never a part: a temporary file in the same directory (same filesystem, so the rename
    is atomic), fsynced, then ``os.replace``; the directory is fsynced too where supported. The
    folder must exist. Temporary files a killed run left there are removed first."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    why = _unwritable(target, directory)
    if why is not None:
        raise OutputError([(str(path), why)])
    remove_stale_temp_files(directory)
    tmp = _temp_path(directory, target)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise OutputError([(str(path), exc.strerror or str(exc))]) from None
    try:
        # The temporary file starts 0600; a report replaces its old file's mode, or gets the mode
        # a plain open() would give (0666 less the umask), so a published report stays readable.
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            os.fchmod(handle.fileno(), _mode_for(target))
            if isinstance(text, str):
                handle.write(text)
            else:
                text(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError([(str(path), exc.strerror or str(exc))]) from None
    except BaseException:  # KeyboardInterrupt, SystemExit (a SIGTERM handler): no leftovers
        tmp.unlink(missing_ok=True)
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
    """Fail early (before an audit spends its requests) when ``path`` cannot be written. A
    missing folder is refused, never created: a typo in it would otherwise go unnoticed."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    why = _unwritable(target, directory)
    if why is not None:
        raise OutputError([(str(path), why)])


def _unwritable(target: Path, directory: Path) -> str | None:
    """Why ``target`` in ``directory`` cannot be written as a report, else None."""
    try:
        folder = os.stat(directory).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return f"folder {str(directory)!r} does not exist; create it first"
    except OSError as exc:
        return f"folder {str(directory)!r} cannot be read ({exc.strerror or exc})"
    if not stat.S_ISDIR(folder):
        return f"{str(directory)!r} is not a folder"
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        return exc.strerror or str(exc)
    if mode is not None and not stat.S_ISREG(mode):
        if stat.S_ISDIR(mode):
            return "is a folder; expected a file name"
        if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
            return "is a named pipe or socket; expected a regular file"
        return "is a device; expected a regular file"
    if not os.access(directory, os.W_OK):
        return f"folder {str(directory)!r} is not writable"
    return None


def write_documents(
    document: Document,
    value: object,
    pairs: Iterable[tuple[str, str | Path]],
    *,
    wide: bool = False,
    renderers: Mapping[ReportFormat, Renderer[Any]] | None = None,
) -> list[Path]:
    """Render ``value`` (the ``document``) for each (format, path) pair and write it atomically.
    Every format name is checked and every non-streaming file rendered before the first is
    touched, so a bad name writes nothing; a streaming renderer writes straight into its
    temporary file instead (a whole 50,000-account JSON report is never one string). A file
    that cannot be written does not stop the others (OutputError names it afterwards). A table
    file is laid out at the default width whatever the terminal (``wide``: unlimited).
    ``renderers`` replaces the registered renderer of a format (one configured by a flag)."""
    chosen = renderers or {}
    jobs = [(_renderer(document, name, chosen), path) for name, path in pairs]
    width = None if wide else DEFAULT_WIDTH
    rendered = [(_content(r, value, width), path) for r, path in jobs]
    written: list[Path] = []
    failures: list[tuple[str, str]] = []
    for content, path in rendered:
        try:
            written.append(atomic_write(path, content))
        except OutputError as exc:
            failures.extend(exc.failures)
    if failures:
        raise OutputError(failures)
    return written


def _renderer(
    document: Document, name: str, chosen: Mapping[ReportFormat, Renderer[Any]]
) -> Renderer[Any]:
    """``chosen``'s renderer for format ``name``, else the registered one."""
    registered = renderer_for(document, name)  # a bad name is a UsageError before anything else
    return chosen.get(ReportFormat(name), registered)


def _content(
    renderer: Renderer[Any], value: object, width: int | None
) -> str | Callable[[TextIO], None]:
    """The rendered text, or for a streaming renderer the writer that streams it."""
    if isinstance(renderer, StreamingRenderer):
        stream = renderer

        def write(out: TextIO) -> None:
            stream.write(value, out, color=False, width=width)

        return write
    return renderer.render(value, color=False, width=width)


def write_outputs(
    result: AuditResult,
    pairs: Iterable[tuple[str, str | Path]],
    *,
    wide: bool = False,
    renderers: Mapping[ReportFormat, Formatter] | None = None,
) -> list[Path]:
    """The audit's :func:`write_documents`."""
    return write_documents(Document.AUDIT, result, pairs, wide=wide, renderers=renderers)

"""Reading an input file the user named: say what kind of path it is when it is not a regular
file (each kind its own message), never open a pipe or a device, and read at most a size limit.
"""

from __future__ import annotations

import enum
import os
import stat
from pathlib import Path
from typing import assert_never

from scanner.errors import SourceError, ValidationError

__all__ = [
    "PathKind",
    "kind_message",
    "path_kind",
    "read_input",
    "too_deep_line",
]


class PathKind(enum.Enum):
    """What a path names, as far as reading it as an input file goes."""

    FILE = "file"
    MISSING = "missing"
    DIRECTORY = "directory"
    DEVICE = "device"
    FIFO = "fifo"
    SOCKET = "socket"
    UNREADABLE = "unreadable"


def path_kind(path: str | Path) -> PathKind:
    """The kind of ``path``, from ``os.stat`` only: nothing is opened."""
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return PathKind.MISSING
    except OSError:  # permission denied on a folder above it, a symlink loop, a name too long
        return PathKind.UNREADABLE
    if stat.S_ISREG(mode):
        return PathKind.FILE if os.access(path, os.R_OK) else PathKind.UNREADABLE
    return _special(mode)


def _special(mode: int) -> PathKind:
    if stat.S_ISDIR(mode):
        return PathKind.DIRECTORY
    if stat.S_ISFIFO(mode):
        return PathKind.FIFO
    if stat.S_ISSOCK(mode):
        return PathKind.SOCKET
    return PathKind.DEVICE  # character and block devices (/dev/zero, a disk) and anything odder


def kind_message(kind: PathKind) -> str:
    """Why a path of ``kind`` cannot be read as an input file ("" for a readable file)."""
    match kind:
        case PathKind.FILE:
            return ""
        case PathKind.MISSING:
            return "file not found"
        case PathKind.DIRECTORY:
            return "is a folder; expected a file"
        case PathKind.DEVICE:
            return "is a device, not a file; expected a regular file"
        case PathKind.FIFO:
            return (
                "is a named pipe (FIFO), not a file; expected a regular file (pipes are not read)"
            )
        case PathKind.SOCKET:
            return "is a socket, not a file; expected a regular file"
        case PathKind.UNREADABLE:
            return "cannot be read (permission denied); expected a file this user can read"
        case _:
            assert_never(kind)


def read_input(path: str | Path, *, max_bytes: int) -> bytes:
    """The bytes of the regular file ``path``: SourceError when it is another kind of path or
    cannot be read, a problem at line 1 when it is larger than ``max_bytes``. Never blocks on a
    FIFO swapped in after the check (the open is non-blocking and the opened file is checked
    again), never reads past the limit."""
    name = str(path)
    kind = path_kind(path)
    if kind is not PathKind.FILE:
        raise SourceError(name, kind_message(kind))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except PermissionError:
        raise SourceError(name, kind_message(PathKind.UNREADABLE)) from None
    except OSError as exc:
        raise SourceError(name, f"cannot be read ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SourceError(name, kind_message(_special(info.st_mode)))
        if info.st_size > max_bytes:
            raise _too_large(name, info.st_size, max_bytes)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:  # the file grew while being read
                raise _too_large(name, total, max_bytes)
    except OSError as exc:
        raise SourceError(name, f"cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    return b"".join(chunks)


def _too_large(name: str, size: int, limit: int) -> ValidationError:
    return ValidationError.single(
        name,
        1,
        f"file is {size:,} bytes; expected at most {limit:,} bytes (inputs are hand-kept lists)",
    )


def too_deep_line(text: str, limit: int) -> int | None:
    """The 1-based line where ``[``/``{`` nesting first goes deeper than ``limit`` in TOML or
    JSON text (strings and ``#`` comments skipped), else None. Their parsers recurse once per
    level, so the depth is checked before parsing."""
    depth = 0
    line = 1
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
        elif ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif ch in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else ch
            end = _string_end(text, i + len(quote), quote)
            line += text.count("\n", i, end)
            i = end
            continue
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return line
        elif ch in "]}":
            depth = max(depth - 1, 0)
        i += 1
    return None


def _string_end(text: str, start: int, quote: str) -> int:
    """Index just past the string that opened with ``quote`` before ``start``."""
    escapes = quote[0] == '"'
    i = start
    while i < len(text):
        if escapes and text[i] == "\\":
            i += 2
            continue
        if text.startswith(quote, i):
            return i + len(quote)
        if len(quote) == 1 and text[i] == "\n":
            return i  # an unterminated one-line string: the parser will say so
        i += 1
    return len(text)

"""Reading an input file once: its text (UTF-8, BOM dropped) and its bytes (for the sha256)."""

from __future__ import annotations

from pathlib import Path

from scanner.inputfile import read_input
from scanner.yamlsource import decode_text, max_file_bytes

__all__ = ["read_source"]


def read_source(path: str | Path, *, max_bytes: int | None = None) -> tuple[str, bytes]:
    """Return (text, raw bytes), read once. A path that is not a readable regular file is a
    SourceError naming its kind; a file over the size limit (default
    :func:`~scanner.yamlsource.max_file_bytes`) is a located problem (line 1)."""
    raw = read_input(path, max_bytes=max_file_bytes() if max_bytes is None else max_bytes)
    return decode_text(raw, str(path)), raw

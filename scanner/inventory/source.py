"""Reading an input file once: its text (UTF-8, BOM dropped) and its bytes (for the sha256)."""

from __future__ import annotations

from pathlib import Path

from scanner.errors import SourceError, ValidationError
from scanner.yamlsource import MAX_FILE_BYTES, read_text

__all__ = ["read_source"]


def read_source(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES) -> tuple[str, bytes]:
    """Return (text, raw bytes). A file over the size limit is a located problem (line 1), so
    the message names the file and a line like every other input problem."""
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise SourceError(name, "file not found")
    if p.is_file() and p.stat().st_size > max_bytes:
        raise ValidationError.single(
            name,
            1,
            f"file is {p.stat().st_size:,} bytes; expected at most {max_bytes:,} bytes "
            "(an inventory or roster is a hand-kept list)",
        )
    text = read_text(p, max_bytes=max_bytes)
    return text, p.read_bytes()

"""Reading a site list the user supplies: detect its format (WhatsMyName or Sherlock), validate
every definition completely, and return the normalized sites or every problem at once."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.errors import Problem, ValidationError
from scanner.inputfile import read_input
from scanner.platforms.sites.model import Site, SiteFormat
from scanner.platforms.sites.sherlock import read_sherlock
from scanner.platforms.sites.wmn import read_wmn

__all__ = ["MAX_SITE_FILE_BYTES", "ReadSites", "detect_format", "read_site_file"]

MAX_SITE_FILE_BYTES = 32 * 1024 * 1024
"""WhatsMyName's list is about 0.5 MB and Sherlock's about 0.2 MB; this leaves room for growth."""


@dataclass(frozen=True)
class ReadSites:
    format: SiteFormat
    sites: tuple[Site, ...]
    sha256: str


def detect_format(data: Any) -> SiteFormat | None:
    """WhatsMyName: an object with a ``sites`` array. Sherlock: an object whose values (past
    ``$schema``) are objects naming ``errorType`` or ``urlMain``."""
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("sites"), list):
        return SiteFormat.WHATSMYNAME
    entries = [v for k, v in data.items() if not k.startswith("$")]
    if entries and any(
        isinstance(v, dict) and ("errorType" in v or "urlMain" in v) for v in entries
    ):
        return SiteFormat.SHERLOCK
    return None


def read_site_file(path: str | Path) -> ReadSites:
    """The sites of ``path``; ValidationError listing every problem (file, site, key)."""
    name = str(path)
    raw = read_input(path, max_bytes=MAX_SITE_FILE_BYTES)
    try:
        data = json.loads(raw)
    except UnicodeDecodeError as exc:
        raise ValidationError.single(name, None, f"not UTF-8 text ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise ValidationError.single(
            name, exc.lineno, f"not valid JSON: {exc.msg}", column=exc.colno
        ) from None
    except RecursionError:
        raise ValidationError.single(name, None, "not valid JSON: nested too deeply") from None
    fmt = detect_format(data)
    if fmt is None:
        raise ValidationError.single(
            name,
            None,
            'expected a WhatsMyName wmn-data.json (an object with a "sites" array) or a '
            'Sherlock data.json (an object of site objects with "url" and "errorType")',
        )
    problems: list[Problem] = []
    reader = read_wmn if fmt is SiteFormat.WHATSMYNAME else read_sherlock
    sites = reader(name, data, problems)
    if problems:
        raise ValidationError(problems)
    if not sites:
        raise ValidationError.single(name, None, "no site definitions found")
    return ReadSites(fmt, tuple(sites), hashlib.sha256(raw).hexdigest())

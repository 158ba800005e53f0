"""Typed reads of one site definition's keys, each failure a problem naming the file, the site
and the key (JSON has no line numbers worth trusting once parsed: ``wmn-data.json: sites[41]
"Foo": e_code: expected an integer``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from scanner.errors import Problem, did_you_mean

__all__ = ["Fields"]

_MISSING = object()


class Fields:
    """Reads keys of ``raw`` (one site definition) and records what is wrong in ``problems``."""

    def __init__(
        self, file: str, where: str, raw: Mapping[str, Any], problems: list[Problem]
    ) -> None:
        self.file = file
        self.where = where
        self.raw = raw
        self.problems = problems
        self.failed = False

    def problem(self, key: str | None, message: str, hint: str | None = None) -> None:
        self.failed = True
        at = f"{self.where}: {key}: " if key else f"{self.where}: "
        self.problems.append(Problem(self.file, None, None, at + message, hint))

    def unknown_keys(self, known: Iterable[str]) -> None:
        """A key close to a known one is a typo (``e_strng``); other extra keys are ignored, so
        a newer list with keys of its own still imports."""
        names = list(known)
        for key in self.raw:
            if key not in names:
                hint = did_you_mean(key, names)
                if hint is not None:
                    self.problem(key, "unknown key", hint)

    def _get(self, key: str, required: bool) -> Any:
        value = self.raw.get(key, _MISSING)
        if value is _MISSING and required:
            self.problem(key, "missing (required)")
        return value

    def string(self, key: str, *, required: bool = True, nonempty: bool = False) -> str | None:
        value = self._get(key, required)
        if value is _MISSING:
            return None
        if not isinstance(value, str):
            self.problem(key, f"expected a string, got {_kind(value)}")
            return None
        if nonempty and not value.strip():
            self.problem(key, "expected a non-empty string")
            return None
        return value

    def integer(self, key: str, *, required: bool = True) -> int | None:
        value = self._get(key, required)
        if value is _MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(key, f"expected an integer, got {_kind(value)}")
            return None
        if not 100 <= value <= 599:
            self.problem(key, f"expected an HTTP status code (100-599), got {value}")
            return None
        return value

    def boolean(self, key: str) -> bool | None:
        value = self._get(key, False)
        if value is _MISSING:
            return None
        if not isinstance(value, bool):
            self.problem(key, f"expected true or false, got {_kind(value)}")
            return None
        return value

    def strings(self, key: str, *, required: bool = True, single: bool = False) -> tuple[str, ...]:
        """A list of non-empty strings (or, with ``single``, one string standing for a list)."""
        value = self._get(key, required)
        if value is _MISSING:
            return ()
        if single and isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            what = "a string or a list of strings" if single else "a list of strings"
            self.problem(key, f"expected {what} (none empty), got {_kind(value)}")
            return ()
        return tuple(value)

    def integers(self, key: str) -> tuple[int, ...]:
        """One status code or a list of them (Sherlock ``errorCode``)."""
        value = self._get(key, False)
        if value is _MISSING:
            return ()
        items = value if isinstance(value, list) else [value]
        ok = all(isinstance(v, int) and not isinstance(v, bool) and 100 <= v <= 599 for v in items)
        if not ok or not items:
            self.problem(key, f"expected an HTTP status code or a list of them, got {value!r}")
            return ()
        return tuple(items)

    def headers(self, key: str) -> tuple[tuple[str, str], ...]:
        value = self._get(key, False)
        if value is _MISSING:
            return ()
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            self.problem(key, f"expected an object of header names to strings, got {_kind(value)}")
            return ()
        bad = [k for k, v in value.items() if not k or any(c in k + v for c in "\r\n\x00")]
        if bad:
            self.problem(key, f"header {bad[0]!r}: line breaks or empty names are not allowed")
            return ()
        return tuple(value.items())

    def template(self, key: str, placeholder: str, *, required: bool = True) -> str | None:
        """An http(s) URL template that contains ``placeholder``."""
        value = self.string(key, required=required)
        if value is None:
            return None
        if placeholder not in value:
            self.problem(key, f"expected a URL containing {placeholder}, got {value!r}")
            return None
        parts = urlsplit(value.replace(placeholder, "x"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            self.problem(key, f"expected an http:// or https:// URL, got {value!r}")
            return None
        return value


def _kind(value: Any) -> str:
    if value is _MISSING:
        return "nothing"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, str):
        return f"a string ({value[:40]!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__

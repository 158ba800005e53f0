"""Markers: the small language specs use to say what a response must contain, and
:class:`Response`, the lazily parsed view of a fetched body that markers are tested against.

Bodies are decoded strictly (a body that does not decode in its declared charset is no
evidence), XML with entity declarations is refused, and parsing failures make markers false
rather than raising.
"""

from __future__ import annotations

import dataclasses
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import Any

from scanner.fetch.interface import Fetched
from scanner.platforms.htmlpage import HtmlPage, parse_html
from scanner.platforms.interface import ContentKind, Marker, MarkerOp

__all__ = ["MARKER_KINDS", "Response", "json_path", "parse_marker"]

_KEYED = frozenset({"json", "xml", "meta", "link", "jsonld", "header", "rehydration"})
_KEYLESS = frozenset({"title", "final_url"})
MARKER_KINDS = tuple(sorted(_KEYED | _KEYLESS | {"body"}))

_XML_TYPES = frozenset({"text/xml", "application/xml"})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def parse_marker(text: str) -> Marker:
    """Parse ``kind:key``, ``kind:key=value``, ``kind:key~regex``, ``title=…``, ``body:…``.

    Raises ValueError with a message saying what was expected.
    """
    if not isinstance(text, str) or not text:
        raise ValueError("expected a marker string such as 'json:id' or 'meta:og:type=profile'")
    if text.startswith("!"):
        inner = parse_marker(text[1:])
        if inner.negate:
            raise ValueError(f"marker {text!r}: expected at most one leading '!'")
        return dataclasses.replace(inner, text=text, negate=True)
    cut = min((i for i in (text.find(":"), text.find("="), text.find("~")) if i >= 0), default=-1)
    if cut <= 0:
        raise ValueError(
            f"marker {text!r} has no kind; expected KIND:KEY, KIND=VALUE or KIND~REGEX"
        )
    kind, sep, rest = text[:cut], text[cut], text[cut + 1 :]
    if kind not in MARKER_KINDS:
        raise ValueError(f"unknown marker kind {kind!r}; expected one of {', '.join(MARKER_KINDS)}")
    if kind == "body":
        if sep == ":" and rest:
            return Marker(kind, rest, MarkerOp.PRESENT, None, text)
        if sep == "~" and rest:
            return Marker(kind, "", MarkerOp.MATCHES, rest, text, _compile(rest))
        raise ValueError(f"marker {text!r}: expected 'body:SUBSTRING' or 'body~REGEX'")
    if kind in _KEYLESS:
        if sep == "=":
            return Marker(kind, "", MarkerOp.EQUALS, rest, text)
        if sep == "~" and rest:
            return Marker(kind, "", MarkerOp.MATCHES, rest, text, _compile(rest))
        raise ValueError(f"marker {text!r}: expected '{kind}=VALUE' or '{kind}~REGEX'")
    if sep != ":" or not rest:
        raise ValueError(f"marker {text!r}: expected '{kind}:KEY' (optionally =VALUE or ~REGEX)")
    cut = min((i for i in (rest.find("="), rest.find("~")) if i >= 0), default=-1)
    if cut < 0:
        return Marker(kind, rest, MarkerOp.PRESENT, None, text)
    key, op, value = rest[:cut], rest[cut], rest[cut + 1 :]
    if not key:
        raise ValueError(f"marker {text!r}: the key before {op!r} is empty")
    if op == "=":
        return Marker(kind, key, MarkerOp.EQUALS, value, text)
    if not value:
        raise ValueError(f"marker {text!r}: the regular expression after '~' is empty")
    return Marker(kind, key, MarkerOp.MATCHES, value, text, _compile(value))


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"bad regular expression {pattern!r}: {exc}") from None


def json_path(value: Any, path: str) -> tuple[bool, Any]:
    """Follow a dotted path (list indexes as numbers); (found, value)."""
    current = value
    for part in path.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return False, None
    return True, current


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)


class Response:
    """A fetched response with lazily parsed views (text, JSON, XML root, HTML page)."""

    def __init__(self, fetched: Fetched) -> None:
        self.fetched = fetched

    @property
    def status(self) -> int:
        return self.fetched.status

    @cached_property
    def text(self) -> str | None:
        """The body decoded strictly in its declared charset (UTF-8 by default); None if the
        bytes do not decode (a wrong-encoding answer is no evidence)."""
        charset = "utf-8"
        for part in self.fetched.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.strip().lower() == "charset" and value.strip():
                charset = value.strip().strip('"').lower()
        try:
            return self.fetched.body.decode(charset).removeprefix("\ufeff")
        except (LookupError, UnicodeDecodeError):
            return None

    @cached_property
    def body_kind(self) -> ContentKind | None:
        """The body's kind by its Content-Type header (None for anything else)."""
        ct = self.fetched.content_type
        if self.fetched.is_json:
            return ContentKind.JSON
        if ct in _XML_TYPES or ct.endswith("+xml"):
            return ContentKind.XML
        if ct in _HTML_TYPES:
            return ContentKind.HTML
        return None

    @cached_property
    def _json(self) -> tuple[bool, Any]:
        if self.text is None:
            return False, None
        try:
            return True, json.loads(self.text)
        except (ValueError, RecursionError):
            return False, None

    @property
    def json_ok(self) -> bool:
        return self._json[0]

    @property
    def json(self) -> Any:
        return self._json[1]

    @cached_property
    def xml(self) -> ET.Element | None:
        body = self.fetched.body
        # Entity declarations have no business in a feed and are how XML bombs work.
        if re.search(rb"<!ENTITY", body, re.IGNORECASE):
            return None
        try:
            return ET.fromstring(body)
        except (ET.ParseError, ValueError, RecursionError):
            return None

    @cached_property
    def page(self) -> HtmlPage:
        return parse_html(self.text or "")

    def content_ok(self, kind: ContentKind) -> bool:
        """True when the body is of ``kind`` by header and parses as such."""
        if kind is ContentKind.ANY:
            return True
        if self.body_kind is not kind:
            return False
        if kind is ContentKind.JSON:
            return self.json_ok
        if kind is ContentKind.XML:
            return self.xml is not None
        return self.text is not None

    def matches(self, marker: Marker) -> bool:
        return self._test(marker) != marker.negate

    def _test(self, marker: Marker) -> bool:
        values = self._values(marker)
        if values is None:
            return False
        if marker.op is MarkerOp.PRESENT:
            return any(v != "" for v in values)
        if marker.op is MarkerOp.EQUALS:
            return any(v.strip() == (marker.value or "").strip() for v in values)
        pattern = marker.pattern
        assert pattern is not None
        return any(pattern.search(v) for v in values)

    def all_match(self, markers: Iterable[Marker]) -> bool:
        return all(self.matches(m) for m in markers)

    def _values(self, marker: Marker) -> list[str] | None:
        getter = _GETTERS[marker.kind]
        return getter(self, marker)


def _json_values(r: Response, m: Marker) -> list[str] | None:
    if not r.json_ok:
        return None
    found, value = json_path(r.json, m.key)
    if not found or value is None:
        return None
    return [_scalar(value)]


def _xml_values(r: Response, m: Marker) -> list[str] | None:
    root = r.xml
    if root is None:
        return None
    local = root.tag.rsplit("}", 1)[-1]
    return [local] if local == m.key else None


def _meta_values(r: Response, m: Marker) -> list[str] | None:
    return r.page.meta.get(m.key.lower()) if r.text is not None else None


def _link_values(r: Response, m: Marker) -> list[str] | None:
    return r.page.links.get(m.key.lower()) if r.text is not None else None


def _title_values(r: Response, m: Marker) -> list[str] | None:
    title = r.page.title if r.text is not None else None
    return [title] if title is not None else None


def _jsonld_values(r: Response, m: Marker) -> list[str] | None:
    if r.text is None:
        return None
    return [m.key] if r.page.jsonld_of_type(m.key) else None


def _body_values(r: Response, m: Marker) -> list[str] | None:
    text = r.text
    if text is None:
        return None
    if m.op is MarkerOp.PRESENT:
        return [m.key] if m.key in text else None
    return [text]


def _header_values(r: Response, m: Marker) -> list[str] | None:
    value = r.fetched.headers.get(m.key.lower())
    return [value] if value is not None else None


def _final_url_values(r: Response, m: Marker) -> list[str] | None:
    return [r.fetched.final_url]


def _rehydration_values(r: Response, m: Marker) -> list[str] | None:
    if r.text is None:
        return None
    detail = r.page.rehydration()
    if detail is None:
        return None
    found, value = json_path(detail, m.key)
    return [_scalar(value)] if found and value is not None else None


_GETTERS: dict[str, Callable[[Response, Marker], list[str] | None]] = {
    "json": _json_values,
    "xml": _xml_values,
    "meta": _meta_values,
    "link": _link_values,
    "title": _title_values,
    "jsonld": _jsonld_values,
    "body": _body_values,
    "header": _header_values,
    "final_url": _final_url_values,
    "rehydration": _rehydration_values,
}

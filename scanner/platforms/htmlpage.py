"""A small, forgiving reader for profile pages: title, meta tags, link rels, JSON-LD blocks and
TikTok's rehydration JSON, plus HTML-to-text for bios that platforms deliver as HTML.

Built on the standard library's tokenizer: pages are hostile input, so nothing is executed, no
entity is resolved beyond HTML's own, and every collection is capped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

__all__ = ["HtmlPage", "html_to_text", "parse_html"]

_MAX_ITEMS = 500
"""Cap on meta/link/script entries kept from one page (a hostile page could send millions)."""

_REHYDRATION_IDS = ("__UNIVERSAL_DATA_FOR_REHYDRATION__", "SIGI_STATE", "__NEXT_DATA__")


@dataclass
class HtmlPage:
    """What a profile page's markup says about itself."""

    title: str | None = None
    meta: dict[str, list[str]] = field(default_factory=dict)
    """Lower-cased ``property``/``name``/``itemprop`` → contents, in page order."""
    links: dict[str, list[str]] = field(default_factory=dict)
    """Lower-cased ``rel`` token → hrefs; ``alternate`` links also under ``alternate:<type>``."""
    jsonld: list[dict[str, Any]] = field(default_factory=list)
    """Every JSON-LD object (``@graph`` and top-level arrays flattened)."""
    scripts: dict[str, str] = field(default_factory=dict)
    """Raw text of ``<script id=...>`` blocks we know (TikTok's rehydration data)."""

    def first_meta(self, *names: str) -> str | None:
        for name in names:
            for value in self.meta.get(name.lower(), ()):
                if value.strip():
                    return value.strip()
        return None

    def first_link(self, rel: str) -> str | None:
        hrefs = self.links.get(rel.lower())
        return hrefs[0] if hrefs else None

    def jsonld_of_type(self, *types: str) -> list[dict[str, Any]]:
        wanted = set(types)
        return [obj for obj in self.jsonld if wanted & _types_of(obj)]

    def rehydration(self) -> dict[str, Any] | None:
        """TikTok's ``webapp.user-detail`` object, when the page carries it."""
        raw = self.scripts.get("__UNIVERSAL_DATA_FOR_REHYDRATION__")
        if raw is None:
            return None
        try:
            data = json.loads(raw)
        except ValueError:
            return None
        scope = data.get("__DEFAULT_SCOPE__") if isinstance(data, dict) else None
        detail = scope.get("webapp.user-detail") if isinstance(scope, dict) else None
        return detail if isinstance(detail, dict) else None


def _types_of(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type")
    if isinstance(t, str):
        return {t.rsplit("/", 1)[-1]}
    if isinstance(t, list):
        return {x.rsplit("/", 1)[-1] for x in t if isinstance(x, str)}
    return set()


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = HtmlPage()
        self._in_title = False
        self._title_parts: list[str] = []
        self._script_kind: str | None = None
        self._script_parts: list[str] = []
        self._count = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "title" and self.page.title is None:
            self._in_title = True
        elif tag == "meta":
            self._meta(a)
        elif tag == "link" or (tag == "a" and "me" in a.get("rel", "").lower().split()):
            # <a rel="me"> is how profile pages mark the owner's own website (IndieWeb rel-me;
            # Mastodon verifies links the same way), so it counts as a profile link.
            self._link(a)
        elif tag == "script":
            if a.get("type", "").lower() == "application/ld+json":
                self._script_kind = "ld+json"
            elif a.get("id") in _REHYDRATION_IDS:
                self._script_kind = a["id"]
            else:
                self._script_kind = None
            self._script_parts = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._in_title = False
            self.page.title = " ".join("".join(self._title_parts).split())
        elif tag == "script" and self._script_kind is not None:
            text = "".join(self._script_parts)
            if self._script_kind == "ld+json":
                self._jsonld(text)
            elif self._count < _MAX_ITEMS:
                self.page.scripts[self._script_kind] = text
            self._script_kind = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title_parts.append(data)
        elif self._script_kind is not None:
            self._script_parts.append(data)

    def _meta(self, a: dict[str, str]) -> None:
        if self._count >= _MAX_ITEMS or "content" not in a:
            return
        for attr in ("property", "name", "itemprop"):
            key = a.get(attr, "").strip().lower()
            if key:
                self.page.meta.setdefault(key, []).append(a["content"])
                self._count += 1

    def _link(self, a: dict[str, str]) -> None:
        if self._count >= _MAX_ITEMS or "href" not in a:
            return
        for rel in a.get("rel", "").lower().split():
            self.page.links.setdefault(rel, []).append(a["href"])
            if rel == "alternate" and a.get("type"):
                self.page.links.setdefault(f"alternate:{a['type'].lower()}", []).append(a["href"])
            self._count += 1

    def _jsonld(self, text: str) -> None:
        try:
            data = json.loads(text)
        except ValueError:
            return  # a broken JSON-LD block is no evidence either way
        stack = [data]
        while stack and len(self.page.jsonld) < _MAX_ITEMS:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                self.page.jsonld.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(reversed(graph))


def parse_html(text: str) -> HtmlPage:
    """Parse a page; never raises (malformed markup yields whatever was readable)."""
    parser = _PageParser()
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, ValueError):  # html.parser's rare hard failures on garbage
        pass
    return parser.page


class _TextParser(HTMLParser):
    _BREAKS = frozenset({"p", "br", "div", "li"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hrefs: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag in self._BREAKS and self.parts:
            self.parts.append("\n")
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(fragment: str) -> tuple[str, tuple[str, ...]]:
    """Plain text of an HTML fragment (Mastodon's ``note``) and the hrefs it links to."""
    parser = _TextParser()
    try:
        parser.feed(fragment)
        parser.close()
    except (AssertionError, ValueError):
        pass
    lines = ("".join(parser.parts)).split("\n")
    text = "\n".join(" ".join(line.split()) for line in lines).strip()
    return text, tuple(parser.hrefs)

"""A small, forgiving reader for profile pages: title, meta tags, link rels, JSON-LD blocks and
TikTok's rehydration JSON, plus HTML-to-text for bios that platforms deliver as HTML.

Built on BeautifulSoup (``html.parser`` backend): it is tolerant of the broken markup real pages
and the sandbox's ``malformed_body`` fault produce (unclosed tags, stray end tags, garbage), where
a hand-driven tokenizer has to guess. Pages are hostile input, so nothing is executed, no entity
is resolved beyond HTML's own, and a filter decides tag by tag what enters the tree: only the few
elements read here, capped in number, so a page of millions of tags never becomes millions of
objects.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bs4 import (
    BeautifulSoup,
    MarkupResemblesLocatorWarning,
    ParserRejectedMarkup,
    Tag,
    XMLParsedAsHTMLWarning,
)
from bs4.builder import HTMLTreeBuilder
from bs4.element import NavigableString, PageElement, PreformattedString
from bs4.filter import SoupStrainer

__all__ = ["HtmlPage", "html_to_text", "parse_html"]

_MAX_ITEMS = 500
"""Cap on meta/link/script entries kept from one page (a hostile page could send millions)."""

_MAX_FRAGMENT_CHARS = 64 * 1024
"""Longest HTML fragment :func:`html_to_text` reads; a bio is a few hundred characters of HTML,
and a full tree of a hostile megabyte of tags would cost hundreds of megabytes."""

# Python 3.11's html.parser, run with convert_charrefs=False as bs4 runs it, mishandles two kinds
# of malformed reference: a "&#" that starts no numeric reference makes it stop tokenizing and
# hand back the rest of the page as one string (every later tag lost), and an "&name" at the very
# end of the input loses its "&" (CPython gh-140875). Spelling such a "&" as "&amp;" reads the
# same in text and attribute values; only the raw text of a script keeps the "&amp;#" spelling.
_BARE_CHARREF = re.compile(r"&#(?!(?:[0-9]+|[xX][0-9a-fA-F]+)[^0-9a-fA-F])")

_REHYDRATION_IDS = ("__UNIVERSAL_DATA_FOR_REHYDRATION__", "SIGI_STATE", "__NEXT_DATA__")
_META_KEYS = ("property", "name", "itemprop")
_JSONLD_TYPE = "application/ld+json"


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
        except (ValueError, RecursionError):
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


# ------------------------------------------------------------------ what a tag contributes
# Shared by the admission filter (raw attributes, before a Tag exists) and the reader (Tag.attrs),
# so both agree on which tags yield items.


def _rels(attrs: Mapping[str, Any]) -> list[str]:
    rel = attrs.get("rel")
    return rel.lower().split() if isinstance(rel, str) else []


def _is_profile_link(name: str, attrs: Mapping[str, Any]) -> bool:
    # <a rel="me"> is how profile pages mark the owner's own website (IndieWeb rel-me;
    # Mastodon verifies links the same way), so it counts as a profile link.
    return name == "link" or (name == "a" and "me" in _rels(attrs))


def _meta_keys(attrs: Mapping[str, Any]) -> list[str]:
    if not isinstance(attrs.get("content"), str):
        return []
    keys = (attrs.get(attr) for attr in _META_KEYS)
    return [k.strip().lower() for k in keys if isinstance(k, str) and k.strip()]


def _script_kind(attrs: Mapping[str, Any]) -> str | None:
    kind = attrs.get("type")
    if isinstance(kind, str) and kind.lower() == _JSONLD_TYPE:
        return _JSONLD_TYPE
    ident = attrs.get("id")
    return ident if ident in _REHYDRATION_IDS else None


class _Admit(SoupStrainer):
    """Lets into the tree only what :func:`parse_html` reads: the first ``<title>`` and its text,
    meta/link/``<a rel=me>`` tags that yield an item (until the item cap is certainly reached)
    and the known script blocks (capped in number). Everything else is never built."""

    def __init__(self) -> None:
        super().__init__()
        self.items = 0
        self.scripts = 0
        self._title_seen = False
        self._in_title = False

    def allow_tag_creation(
        self, nsprefix: str | None, name: str, attrs: Mapping[str, str] | None
    ) -> bool:
        a: Mapping[str, str] = attrs or {}
        self._in_title = False
        if name == "title":
            if self._title_seen:
                return False
            self._title_seen = self._in_title = True
            return True
        if name == "script":
            # A rehydration block also obeys the item cap, as the reader does.
            kind = _script_kind(a)
            ok = kind is not None and self.scripts < _MAX_ITEMS
            ok = ok and (kind == _JSONLD_TYPE or self.items < _MAX_ITEMS)
            self.scripts += ok
            return ok
        # Each admitted tag yields at least one item, so once _MAX_ITEMS are admitted the
        # reader's own cap is reached and nothing later could be kept anyway.
        if name == "meta":
            useful = bool(_meta_keys(a))
        elif _is_profile_link(name, a):
            useful = "href" in a and bool(_rels(a))
        else:
            return False
        ok = useful and self.items < _MAX_ITEMS
        self.items += ok
        return ok

    def allow_string_creation(self, string: str) -> bool:
        # Only the title's text: every other string on the page is of no interest.
        return self._in_title


# Tree-builder options for pages: no attribute splitting (rel stays one string, as written), and
# <title> and <a> are void like <meta>, so an unclosed one cannot swallow the page as children.
_VOID = frozenset(HTMLTreeBuilder.DEFAULT_EMPTY_ELEMENT_TAGS or ()) | {"title", "a"}


def _soup(markup: str, **kwargs: Any) -> BeautifulSoup | None:
    """Parse with bs4; None when html.parser gives up on the markup."""
    markup = _BARE_CHARREF.sub("&amp;#", markup + "\n")  # the newline ends a final "&name"
    with warnings.catch_warnings():
        # Addressed to programmers passing a URL or an XML file by mistake; a bio that is just a
        # URL, or an XML error page, is legitimate input here.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        try:
            return BeautifulSoup(markup, **kwargs)
        except (ParserRejectedMarkup, AssertionError, ValueError):  # rare hard failures on garbage
            return None


def _strings(nodes: Iterable[PageElement]) -> list[str]:
    # Text nodes only: comments, CDATA sections, doctypes and processing instructions are
    # PreformattedString subclasses and are not text.
    return [
        str(n)
        for n in nodes
        if isinstance(n, NavigableString) and not isinstance(n, PreformattedString)
    ]


def _title_text(title: Tag) -> str:
    """The text after the (void) title tag, up to the next tag."""
    run: list[PageElement] = []
    for node in title.next_siblings:
        if isinstance(node, Tag):
            break
        run.append(node)
    return " ".join("".join(_strings(run)).split())


def _add_jsonld(page: HtmlPage, text: str) -> None:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return  # a broken JSON-LD block is no evidence either way
    stack = [data]
    while stack and len(page.jsonld) < _MAX_ITEMS:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            page.jsonld.append(item)
            graph = item.get("@graph")
            if isinstance(graph, list):
                stack.extend(reversed(graph))


def parse_html(text: str) -> HtmlPage:
    """Parse a page; never raises (malformed markup yields whatever was readable)."""
    page = HtmlPage()
    soup = _soup(
        text,
        features="html.parser",
        parse_only=_Admit(),
        multi_valued_attributes=None,
        empty_element_tags=set(_VOID),
    )
    if soup is None:
        return page
    title = soup.find("title")
    if isinstance(title, Tag):
        page.title = _title_text(title)
    count = 0
    for tag in soup.find_all(["meta", "link", "a", "script"]):
        a = tag.attrs
        if tag.name == "script":
            kind = _script_kind(a)
            if kind == _JSONLD_TYPE:
                _add_jsonld(page, tag.get_text())
            elif kind is not None and count < _MAX_ITEMS:
                page.scripts[kind] = tag.get_text()
        elif count >= _MAX_ITEMS:
            continue
        elif tag.name == "meta" and isinstance(content := a.get("content"), str):
            for key in _meta_keys(a):
                page.meta.setdefault(key, []).append(content)
                count += 1
        elif _is_profile_link(tag.name, a) and isinstance(href := a.get("href"), str):
            mime = a.get("type")
            for rel in _rels(a):
                page.links.setdefault(rel, []).append(href)
                if rel == "alternate" and isinstance(mime, str) and mime:
                    page.links.setdefault(f"alternate:{mime.lower()}", []).append(href)
                count += 1
    return page


_BREAKS = frozenset({"p", "br", "div", "li"})


def html_to_text(fragment: str) -> tuple[str, tuple[str, ...]]:
    """Plain text of an HTML fragment (Mastodon's ``note``) and the hrefs it links to."""
    soup = _soup(fragment[:_MAX_FRAGMENT_CHARS], features="html.parser")
    parts: list[str] = []
    hrefs: list[str] = []
    for node in soup.descendants if soup is not None else ():
        if isinstance(node, Tag):
            if node.name in _BREAKS and parts:
                parts.append("\n")
            href = node.get("href") if node.name == "a" else None
            if isinstance(href, str) and href:
                hrefs.append(href)
        else:
            parts.extend(_strings([node]))
    lines = "".join(parts).split("\n")
    text = "\n".join(" ".join(line.split()) for line in lines).strip()
    return text, tuple(hrefs)

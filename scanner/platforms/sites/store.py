"""Where imported sites are kept and their stored form: one JSON file, ``sites.json``, in the
per-user data directory (``--data-dir``, else ``$ROLLCALL_DATA_DIR``, else
``$XDG_DATA_HOME/rollcall``, else ``~/.local/share/rollcall``). The CLI writes it atomically
(``scanner.reports.atomic_write``); this module only turns values into text and back."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from scanner.errors import InputError
from scanner.inputfile import PathKind, path_kind, read_input
from scanner.platforms.sites.model import Method, Site, SiteFormat, SiteList, SiteSignal

__all__ = [
    "DATA_DIR_ENV",
    "SITES_FILE",
    "default_data_dir",
    "dump_sites",
    "load_sites",
    "merge_import",
    "sites_path",
    "with_degraded",
]

DATA_DIR_ENV = "ROLLCALL_DATA_DIR"
SITES_FILE = "sites.json"
STORE_FORMAT = "rollcall-sites"
STORE_VERSION = 1


def default_data_dir(env: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if env is None else env
    if environ.get(DATA_DIR_ENV):
        return Path(environ[DATA_DIR_ENV])
    if environ.get("XDG_DATA_HOME"):
        return Path(environ["XDG_DATA_HOME"]) / "rollcall"
    return Path.home() / ".local" / "share" / "rollcall"


def sites_path(data_dir: str | Path | None = None) -> Path:
    return Path(data_dir if data_dir is not None else default_data_dir()) / SITES_FILE


def load_sites(path: Path) -> SiteList:
    """The stored sites; an empty list when nothing was imported yet."""
    if path_kind(path) is PathKind.MISSING:
        return SiteList()
    raw = read_input(path, max_bytes=64 * 1024 * 1024)
    try:
        data = json.loads(raw)
        if data.get("format") != STORE_FORMAT or data.get("version") != STORE_VERSION:
            raise ValueError(f"not a {STORE_FORMAT} v{STORE_VERSION} file")
        sources = tuple(
            (SiteFormat(s["format"]), str(s["file"]), str(s["sha256"]), str(s["imported_at"]))
            for s in data["sources"]
        )
        return SiteList(tuple(_site(s) for s in data["sites"]), sources)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(
            f"{path}: the stored site list cannot be read ({exc}); import the list again "
            "with `rollcall sites import FILE`"
        ) from None


def dump_sites(sites: SiteList) -> str:
    data = {
        "format": STORE_FORMAT,
        "version": STORE_VERSION,
        "sources": [
            {"format": f.value, "file": file, "sha256": sha, "imported_at": at}
            for f, file, sha, at in sites.sources
        ],
        "sites": [_plain(s) for s in sites.sites],
    }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def merge_import(
    current: SiteList, fmt: SiteFormat, imported: tuple[Site, ...], source: tuple[str, str, str]
) -> SiteList:
    """``current`` with the list of format ``fmt`` replaced by ``imported``; a site that keeps
    its definition keeps its degraded mark (the list changed, the site did not)."""
    old = {s.id: s for s in current.sites if s.format is fmt}
    kept = [s for s in current.sites if s.format is not fmt]
    fresh = []
    for site in imported:
        before = old.get(site.id)
        same = before is not None and _plain(before) | {"degraded": None} == _plain(site)
        fresh.append(site if not same or before is None else before)
    sources = [s for s in current.sources if s[0] is not fmt] + [(fmt, *source)]
    return SiteList((*kept, *fresh), tuple(sources))


def with_degraded(current: SiteList, marks: Mapping[str, str | None]) -> SiteList:
    """``current`` with each site id of ``marks`` degraded (a reason) or restored (None)."""
    sites = tuple(replace(s, degraded=marks[s.id]) if s.id in marks else s for s in current.sites)
    return SiteList(sites, current.sources)


def _signal_plain(sig: SiteSignal) -> dict[str, Any]:
    return {
        "statuses": sorted(sig.statuses),
        "contains": list(sig.contains),
        "lacks": list(sig.lacks),
        "final_url_prefix": sig.final_url_prefix,
        "stay": sig.stay,
    }


def _signal(data: dict[str, Any]) -> SiteSignal:
    return SiteSignal(
        frozenset(int(c) for c in data["statuses"]),
        tuple(str(t) for t in data["contains"]),
        tuple(str(t) for t in data["lacks"]),
        data["final_url_prefix"],
        bool(data["stay"]),
    )


def _plain(site: Site) -> dict[str, Any]:
    return {
        "name": site.name,
        "format": site.format.value,
        "url": site.url,
        "probe_url": site.probe_url,
        "exists": _signal_plain(site.exists),
        "missing": [_signal_plain(m) for m in site.missing],
        "known": list(site.known),
        "categories": list(site.categories),
        "method": site.method.value,
        "body": site.body,
        "headers": [list(h) for h in site.headers],
        "handle_pattern": site.handle_pattern,
        "strip_chars": site.strip_chars,
        "protection": list(site.protection),
        "disabled": site.disabled,
        "degraded": site.degraded,
    }


def _site(data: dict[str, Any]) -> Site:
    return Site(
        name=str(data["name"]),
        format=SiteFormat(data["format"]),
        url=str(data["url"]),
        probe_url=str(data["probe_url"]),
        exists=_signal(data["exists"]),
        missing=tuple(_signal(m) for m in data["missing"]),
        known=tuple(str(k) for k in data["known"]),
        categories=tuple(str(c) for c in data["categories"]),
        method=Method(data["method"]),
        body=data["body"],
        headers=tuple((str(k), str(v)) for k, v in data["headers"]),
        handle_pattern=data["handle_pattern"],
        strip_chars=str(data["strip_chars"]),
        protection=tuple(str(p) for p in data["protection"]),
        disabled=data["disabled"],
        degraded=data["degraded"],
    )

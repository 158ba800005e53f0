"""The WhatsMyName reader (``wmn-data.json``; schema ``wmn-data-schema.json`` of
WebBreacher/WhatsMyName): ``{"license": [...], "authors": [...], "categories": [...],
"sites": [{"name", "uri_check", "e_code", "e_string", "m_code", "m_string", "known", "cat",
...}]}``. ``{account}`` stands for the handle."""

from __future__ import annotations

import json
from typing import Any

from scanner.errors import Problem
from scanner.platforms.sites.fields import Fields
from scanner.platforms.sites.model import ACCOUNT, Method, Site, SiteFormat, SiteSignal

__all__ = ["read_wmn"]

KEYS = (
    "name",
    "uri_check",
    "uri_pretty",
    "post_body",
    "headers",
    "strip_bad_char",
    "e_code",
    "e_string",
    "m_code",
    "m_string",
    "known",
    "cat",
    "valid",
    "protection",
)


def read_wmn(file: str, data: dict[str, Any], problems: list[Problem]) -> list[Site]:
    raw_sites = data.get("sites")
    if not isinstance(raw_sites, list):
        problems.append(Problem(file, None, None, "sites: expected a list of site objects"))
        return []
    sites: list[Site] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_sites):
        label = raw.get("name") if isinstance(raw, dict) else None
        where = f"sites[{i}]" + (f" {json.dumps(label)}" if isinstance(label, str) else "")
        if not isinstance(raw, dict):
            problems.append(Problem(file, None, None, f"{where}: expected an object"))
            continue
        site = _site(Fields(file, where, raw, problems))
        if site is None:
            continue
        if site.name in seen:
            problems.append(Problem(file, None, None, f"{where}: name: a second site named so"))
            continue
        seen.add(site.name)
        sites.append(site)
    return sites


def _site(f: Fields) -> Site | None:
    f.unknown_keys(KEYS)
    name = f.string("name", nonempty=True)
    check = f.template("uri_check", ACCOUNT)
    pretty = f.template("uri_pretty", ACCOUNT, required=False)
    e_code, m_code = f.integer("e_code"), f.integer("m_code")
    e_string, m_string = f.string("e_string"), f.string("m_string")
    known = f.strings("known")
    if "known" in f.raw and not known and not f.failed:
        f.problem("known", "expected at least one known account")
    cat = f.string("cat")
    valid = f.boolean("valid")
    body = f.string("post_body", required=False)
    headers = f.headers("headers")
    strip = f.string("strip_bad_char", required=False) or ""
    protection = f.strings("protection", required=False)
    if (e_code, e_string) == (m_code, m_string) and e_code is not None and not f.failed:
        f.problem("m_string", "the missing signal equals the exists signal (e_code, e_string)")
    if f.failed or None in (name, check, e_code, m_code, e_string, m_string, cat):
        return None
    assert name and check and e_code and m_code and e_string is not None and m_string is not None
    return Site(
        name=name,
        format=SiteFormat.WHATSMYNAME,
        url=pretty or check,
        probe_url=check,
        # An empty string is no marker: the signal then rests on the status alone, which
        # only counts when no redirect took the request elsewhere.
        exists=SiteSignal(frozenset({e_code}), (e_string,) if e_string else (), stay=not e_string),
        missing=(
            SiteSignal(frozenset({m_code}), (m_string,) if m_string else (), stay=not m_string),
        ),
        known=known,
        categories=(cat,) if cat else (),
        method=Method.POST if body is not None else Method.GET,
        body=body,
        headers=headers,
        strip_chars=strip,
        protection=protection,
        disabled="marked valid: false in the WhatsMyName list" if valid is False else None,
    )

"""The Sherlock reader (``sherlock_project/resources/data.json``; schema ``data.schema.json``
of sherlock-project/sherlock): an object of site name → ``{"url", "urlMain", "errorType",
"username_claimed", ...}``; ``{}`` stands for the handle.

Sherlock names only how a *missing* account looks (``errorType``: ``status_code``,
``message``, ``response_url``, or a list of them). Rollcall's exists signal for a Sherlock site,
conservative on purpose (docs: README "Site lists"):

- a 2xx answer (not one of ``errorCode``) that no redirect took to another host or path,
- whose body holds none of ``errorMsg``,
- and that is neither a WAF page (the global fingerprints) nor a login page (see
  :mod:`scanner.platforms.sites.probe`).

Its missing signals: ``message`` — a body holding one of ``errorMsg``; ``status_code`` — a
status in ``errorCode`` (404 or 410 when none is given) with no redirect elsewhere;
``response_url`` — a redirect that ends on ``errorUrl``.
"""

from __future__ import annotations

import json
from typing import Any

from scanner.errors import Problem
from scanner.platforms.sites.fields import Fields
from scanner.platforms.sites.model import ACCOUNT, Method, Site, SiteFormat, SiteSignal
from scanner.userregex import user_pattern_problem

__all__ = ["read_sherlock"]

KEYS = (
    "url",
    "urlMain",
    "urlProbe",
    "username_claimed",
    "regexCheck",
    "isNSFW",
    "headers",
    "request_payload",
    "__comment__",
    "tags",
    "request_method",
    "errorType",
    "errorMsg",
    "errorCode",
    "errorUrl",
    "response_url",
    "aliases",
)
ERROR_TYPES = ("message", "response_url", "status_code")
METHODS = ("GET", "POST", "HEAD", "PUT")
_OK = frozenset(range(200, 300))
_ANY = frozenset(range(100, 600))
_NOT_FOUND = frozenset({404, 410})


def read_sherlock(file: str, data: dict[str, Any], problems: list[Problem]) -> list[Site]:
    sites: list[Site] = []
    for name, raw in data.items():
        if name.startswith("$"):
            continue  # "$schema"
        where = json.dumps(name, ensure_ascii=False)
        if not isinstance(raw, dict):
            problems.append(Problem(file, None, None, f"{where}: expected an object"))
            continue
        site = _site(name, Fields(file, where, raw, problems))
        if site is not None:
            sites.append(site)
    return sites


def _templated(value: str | None) -> str | None:
    return value.replace("{}", ACCOUNT) if value is not None else None


def _site(name: str, f: Fields) -> Site | None:
    f.unknown_keys(KEYS)
    url = f.template("url", "{}")
    probe = f.template("urlProbe", "{}", required=False)
    f.string("urlMain")
    claimed = f.string("username_claimed", nonempty=True)
    kinds = _error_types(f)
    pattern = f.string("regexCheck", required=False)
    if pattern is not None and (why := user_pattern_problem(pattern)) is not None:
        f.problem("regexCheck", why)
    method, body, disabled = _request(f)
    headers = f.headers("headers")
    tags = f.strings("tags", required=False, single=True)
    nsfw = f.boolean("isNSFW")
    exists, missing = _signals(f, kinds)
    if f.failed or url is None or claimed is None or exists is None:
        return None
    if body is not None and not any(k.lower() == "content-type" for k, _ in headers):
        headers = (*headers, ("Content-Type", "application/json"))
    return Site(
        name=name,
        format=SiteFormat.SHERLOCK,
        url=_templated(url) or url,
        probe_url=_templated(probe or url) or url,
        exists=exists,
        missing=missing,
        known=(claimed,),
        categories=(*tags, *(("nsfw",) if nsfw else ())),
        method=method,
        body=body,
        headers=headers,
        handle_pattern=pattern,
        disabled=disabled,
    )


def _error_types(f: Fields) -> tuple[str, ...]:
    kinds = f.strings("errorType", single=True)
    wrong = [k for k in kinds if k not in ERROR_TYPES]
    if wrong:
        f.problem("errorType", f"expected one of {', '.join(ERROR_TYPES)}, got {wrong[0]!r}")
        return ()
    return kinds


def _request(f: Fields) -> tuple[Method, str | None, str | None]:
    """(method, JSON body template, why disabled) from request_method and request_payload."""
    method = f.string("request_method", required=False) or "GET"
    if method not in METHODS:
        f.problem("request_method", f"expected one of {', '.join(METHODS)}, got {method!r}")
    payload = f.raw.get("request_payload")
    if payload is not None and not isinstance(payload, dict):
        f.problem("request_payload", "expected an object")
        payload = None
    body = _templated(json.dumps(payload)) if payload is not None else None
    if method == "PUT":
        return Method.GET, body, "request method PUT is not sent by Rollcall"
    if method == "POST":
        return Method.POST, body or "", None
    return Method.GET, None, None


def _signals(f: Fields, kinds: tuple[str, ...]) -> tuple[SiteSignal | None, tuple[SiteSignal, ...]]:
    messages = f.strings("errorMsg", required="message" in kinds, single=True)
    codes = frozenset(f.integers("errorCode"))
    error_url = f.string("errorUrl", required="response_url" in kinds, nonempty=True)
    if not kinds:
        return None, ()
    missing: list[SiteSignal] = []
    if "message" in kinds:
        missing.append(SiteSignal(_ANY, contains=messages))
    if "status_code" in kinds:
        missing.append(SiteSignal(codes or _NOT_FOUND, stay=True))
    if "response_url" in kinds and error_url:
        missing.append(SiteSignal(_OK, final_url_prefix=_templated(error_url)))
    exists = SiteSignal(_OK - codes, lacks=messages if "message" in kinds else (), stay=True)
    return exists, tuple(missing)

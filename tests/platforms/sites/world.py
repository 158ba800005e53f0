"""Generated site lists in the WhatsMyName and Sherlock formats, and a local server on
127.0.0.1 that plays every site they name: profile pages, each site's own not-found answer,
and, on one site in ten, a WAF challenge (Cloudflare or Incapsula) or a login wall (a login
page, or a redirect to one) instead. ``HEALED`` sites answer honestly whatever their mode;
``SOFT_404`` sites answer a profile page for any name."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from scanner.sandbox.blocks import waf_page
from scanner.sandbox.faults import WafVendor

KNOWN = "steamer"
"""Exists on every site."""
ALICE = "alice"
"""Exists on every third site (index divisible by 3)."""

_PATH = re.compile(r"^/(?P<fmt>[ws])(?P<i>\d+)/(?P<rest>.+)$")


HEALED: set[int] = set()
SOFT_404: set[int] = set()
"""Sites whose pages answer 200 with a profile for any name (a soft 404): nothing is missing."""


def mode(i: int) -> str:
    """What site ``i`` serves: ``waf`` (5% of sites), ``login`` (5%), ``soft404`` (the sites in
    ``SOFT_404``) or ``ok``."""
    if i in HEALED:
        return "ok"
    if i in SOFT_404:
        return "soft404"
    return {0: "waf", 10: "login"}.get(i % 20, "ok")


def exists(i: int, account: str) -> bool:
    return account == KNOWN or (account == ALICE and i % 3 == 0)


def wmn_site(i: int, base: str) -> dict[str, Any]:
    missing_200 = i % 2 == 0
    return {
        "name": f"Site {i}",
        "uri_check": f"{base}/w{i}/{{account}}",
        "uri_pretty": f"{base}/w{i}/{{account}}?pretty",
        "e_code": 200,
        "e_string": f'<div class="profile-{i}">',
        "m_code": 200 if missing_200 else 404,
        "m_string": '<p class="missing">' if missing_200 else "User not found",
        "known": [KNOWN, "another"],
        "cat": "social" if i % 2 else "coding",
    }


def wmn_file(path: Path, count: int, base: str) -> Path:
    data = {
        "license": ["generated for Rollcall's tests"],
        "authors": ["rollcall"],
        "categories": ["social", "coding"],
        "sites": [wmn_site(i, base) for i in range(count)],
    }
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def sherlock_site(i: int, base: str) -> dict[str, Any]:
    kind = ("status_code", "message", "response_url")[i % 3]
    site: dict[str, Any] = {
        "errorType": kind,
        "url": f"{base}/s{i}/{{}}",
        "urlMain": f"{base}/",
        "username_claimed": KNOWN,
    }
    if kind == "message":
        site["errorMsg"] = ["Nobody here by that name", "Account suspended or gone"]
    if kind == "response_url":
        site["errorUrl"] = f"{base}/s{i}/gone"
    return site


def sherlock_file(path: Path, count: int, base: str) -> Path:
    data = {f"Site {i}": sherlock_site(i, base) for i in range(count)}
    path.write_text(json.dumps({"$schema": "data.schema.json", **data}, indent=2), "utf-8")
    return path


@dataclass(frozen=True)
class Page:
    status: int
    body: str
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "text/html; charset=utf-8"),)


LOGIN = Page(
    200,
    '<html><head><title>Sign in</title></head><body><form action="/session">'
    '<input name="user"><input type="password" name="pw"></form></body></html>',
)


def _html(text: str) -> str:
    return f"<!DOCTYPE html><html><head><title>Profile</title></head><body>{text}</body></html>"


def answer(path: str) -> Page:
    """The page at ``path`` (a redirect is a 302 Page with a Location header)."""
    if path == "/login":
        return LOGIN
    found = _PATH.match(path)
    if found is None:
        return Page(404, "<h1>nginx 404</h1>")
    fmt, i, rest = found["fmt"], int(found["i"]), found["rest"]
    if rest == "gone":
        return Page(200, _html("<p>That page is gone.</p>"))
    if mode(i) == "waf":
        vendor = WafVendor.CLOUDFLARE if i % 40 == 0 else WafVendor.INCAPSULA
        waf = waf_page(vendor, str(i))
        return Page(waf.status, waf.body.decode(), tuple(waf.headers))
    if mode(i) == "login":
        return LOGIN if i % 40 == 10 else Page(302, "", (("Location", "/login"),))
    account = rest.split("?")[0]
    if mode(i) == "soft404":
        return Page(200, _html(f'<div class="profile-{i}"><h1>{account}</h1></div>'))
    return _wmn(i, account) if fmt == "w" else _sherlock(i, account)


def _wmn(i: int, account: str) -> Page:
    if exists(i, account):
        return Page(200, _html(f'<div class="profile-{i}">{account}</div>'))
    if i % 2 == 0:
        return Page(200, _html('<p class="missing">no such account</p>'))
    return Page(404, _html("<h1>User not found</h1>"))


def _sherlock(i: int, account: str) -> Page:
    if exists(i, account):
        return Page(200, _html(f"<h1>{account}</h1>"))
    kind = i % 3
    if kind == 0:
        return Page(404, _html("<h1>404</h1>"))
    if kind == 1:
        return Page(200, _html("<p>Nobody here by that name</p>"))
    return Page(302, "", (("Location", f"/s{i}/gone"),))


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        page = answer(self.path)
        body = page.body.encode()
        self.send_response(page.status)
        for name, value in page.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return


@contextmanager
def serve() -> Iterator[str]:
    """The site server on 127.0.0.1; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

"""Platform-independent trouble pages: WAF challenges per vendor, 5xx pages, and the lazily
generated huge and gzip-bomb bodies.

WAF markers are the ones detectors key on: sherlock's ``WAFHitMsgs`` (Cloudflare
``challenge-error-text``, ``AwsWafIntegration.forceRefreshToken``, PerimeterX
``perimeterxIdentifiers``), maigret's ``COMMON_ERRORS`` (Cloudflare "Just a moment",
"Incapsula incident ID", DDoS-Guard) and the vendors' own headers.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import assert_never

from scanner.sandbox.faults import WafVendor
from scanner.sandbox.http import Response
from scanner.sandbox.sites.base import stable_token

__all__ = ["gzip_bomb", "huge_body", "server_error", "waf_page"]

_HEX = "0123456789abcdef"


def waf_page(vendor: WafVendor, seed: str) -> Response:
    """The vendor's challenge/block answer: status, headers and body markers."""
    ray = stable_token("ray", seed, length=16, alphabet=_HEX)
    html = "text/html; charset=UTF-8"
    if vendor is WafVendor.CLOUDFLARE:
        body = f"""<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta name="robots" content="noindex,nofollow"><meta name="viewport" content="width=device-width,initial-scale=1"><style>*{{box-sizing:border-box;margin:0;padding:0}}.loading-spinner{{visibility:hidden}}body.no-js .challenge-running{{display:none}}</style></head><body class="no-js"><div class="main-wrapper" role="main"><div class="main-content"><noscript><div class="h2"><span id="challenge-error-text">Enable JavaScript and cookies to continue</span></div></noscript></div></div><script>(function(){{window._cf_chl_opt={{cvId: '3',cRay: '{ray}',cType: 'managed'}};var cpo=document.createElement('script');cpo.src='/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray={ray}';document.getElementsByTagName('head')[0].appendChild(cpo);}}());</script><div class="footer">Performance &amp; security by Cloudflare · Ray ID: {ray}</div></body></html>"""
        # Managed challenge: 403 with cf-mitigated: challenge (Cloudflare docs).
        headers = [
            ("Content-Type", html),
            ("Server", "cloudflare"),
            ("CF-RAY", f"{ray}-FRA"),
            ("cf-mitigated", "challenge"),
            (
                "Cache-Control",
                "private, max-age=0, no-store, no-cache, must-revalidate, post-check=0, pre-check=0",
            ),
        ]
        return Response(403, headers, body.encode())
    if vendor is WafVendor.INCAPSULA:
        incident = f"{stable_int_text(seed, 'i1')}-{stable_int_text(seed, 'i2')}"
        body = f"""<html style="height:100%"><head><META NAME="ROBOTS" CONTENT="NOINDEX, NOFOLLOW"><meta name="format-detection" content="telephone=no"><meta name="viewport" content="initial-scale=1.0"><meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1"><script src="/_Incapsula_Resource?SWJIYLWA=719d34d31c8e3a6e6fffd425f7e032f3"></script></head><body style="margin:0px;height:100%"><iframe id="main-iframe" src="/_Incapsula_Resource?CWUDNSAI=9&xinfo=0-0-0&incident_id={incident}" frameborder=0 width="100%" height="100%" marginheight="0px" marginwidth="0px">Request unsuccessful. Incapsula incident ID: {incident}</iframe></body></html>"""
        # Incapsula serves its block/challenge page with HTTP 200 (a status check alone passes it).
        headers = [
            ("Content-Type", "text/html"),
            ("X-Iinfo", f"9-{ray[:8]}-0 NNNN CT(0 0 0) RT(0 0) q(0 0 0 -1) r(0 -1)"),
            ("X-CDN", "Imperva"),
        ]
        return Response(200, headers, body.encode())
    if vendor is WafVendor.DDOS_GUARD:
        body = """<!DOCTYPE html><html><head><title>DDoS-Guard</title><meta charset="utf-8"><meta name="robots" content="noindex, nofollow"></head><body><div id="ddg-l"><h1>Checking your browser before accessing</h1><p>This process is automatic. Your browser will redirect to your requested content shortly.</p><p>DDoS protection by <a href="https://ddos-guard.net/">DDoS-Guard</a></p></div><script src="/.well-known/ddos-guard/check?context=free_splash"></script></body></html>"""
        headers = [("Content-Type", html), ("Server", "ddos-guard")]
        return Response(403, headers, body.encode())
    if vendor is WafVendor.AWS_WAF:
        body = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title></title><script>window.awsWafCookieDomainList = [];window.gokuProps = {{"key":"{stable_token("goku", seed, length=40)}","iv":"{stable_token("iv", seed, length=16)}","context":"{stable_token("ctx", seed, length=64)}"}};</script><script src="https://{ray}.edge.sdk.awswaf.com/{ray}/challenge.js"></script></head><body><div id="challenge-container"></div><script>AwsWafIntegration.saveReferrer();AwsWafIntegration.checkForceRefresh().then((forceRefresh) => {{if (forceRefresh) {{AwsWafIntegration.forceRefreshToken().then(() => {{window.location.reload(true);}});}} else {{AwsWafIntegration.getToken().then(() => {{window.location.reload(true);}});}}}});</script><noscript><h1>JavaScript is disabled</h1>In order to continue, we need to verify that you're not a robot. This requires JavaScript. Enable JavaScript and then reload the page.</noscript></body></html>"""
        # AWS WAF's silent challenge answers 202 with x-amzn-waf-action: challenge.
        headers = [
            ("Content-Type", html),
            ("x-amzn-waf-action", "challenge"),
            ("Server", "awselb/2.0"),
        ]
        return Response(202, headers, body.encode())
    if vendor is WafVendor.PERIMETERX:
        app = "PX" + stable_token("px", seed, length=8, alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        body = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Access to this page has been denied</title></head><body><div class="px-captcha-container"><div class="px-captcha-header">Before we continue...</div><div class="px-captcha-message">Press &amp; Hold to confirm you are<br>a human (and not a bot).</div><div id="px-captcha"></div></div><script>window._pxAppId = '{app}';window._pxJsClientSrc = '/{app[2:]}/init.js';window._pxHostUrl = '/{app[2:]}/xhr';</script><script>!function(){{var r={{}};(function(l){{return l}})({{return l.onPageView}}),Object.defineProperty(r,"perimeterxIdentifiers",{{enumerable:!0}})}}();</script><p>Reference ID {ray}</p></body></html>"""
        headers = [("Content-Type", html)]
        return Response(403, headers, body.encode())
    assert_never(vendor)


def stable_int_text(seed: str, salt: str) -> str:
    return str(int(stable_token(salt, seed, length=9, alphabet="0123456789")) % 1_000_000_000)


def server_error(status: int) -> Response:
    """A 5xx from the load balancer in front: HTML, whatever the endpoint's usual type."""
    from http import HTTPStatus

    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Server Error"
    body = (
        f"<html><head><title>{status} {phrase}</title></head><body><center><h1>{status} "
        f"{phrase}</h1></center><hr><center>No server is available to handle this request."
        "</center></body></html>"
    )
    return Response(status, [("Content-Type", "text/html"), ("Retry-After", "1")], body.encode())


_CHUNK = 64 * 1024


def huge_body(prefix: bytes, total: int) -> Callable[[], Iterator[bytes]]:
    """The normal body followed by whitespace up to ``total`` bytes (still valid JSON/HTML/XML)."""

    def stream() -> Iterator[bytes]:
        yield prefix[:total]
        left = total - min(len(prefix), total)
        pad = b" " * _CHUNK
        while left > 0:
            n = min(left, _CHUNK)
            yield pad[:n]
            left -= n

    return stream


_BOMB_BLOCK = 1 << 20


@lru_cache(maxsize=1)
def _bomb_pieces() -> tuple[bytes, bytes]:
    """One MiB of zeros deflated twice with a full flush: the first piece carries the gzip
    header, every later piece is byte-identical, so any size streams from two small buffers."""
    zeros = bytes(_BOMB_BLOCK)
    co = zlib.compressobj(9, zlib.DEFLATED, 31)
    first = co.compress(zeros) + co.flush(zlib.Z_FULL_FLUSH)
    again = co.compress(zeros) + co.flush(zlib.Z_FULL_FLUSH)
    return first, again


def gzip_bomb(expanded_bytes: int) -> tuple[int, Callable[[], Iterator[bytes]]]:
    """(compressed length, stream) of a gzip body that inflates to ``expanded_bytes`` (rounded
    up to whole MiB) of zeros. Nothing large is ever held in memory."""
    blocks = max(1, -(-expanded_bytes // _BOMB_BLOCK))
    first, again = _bomb_pieces()
    # Final empty fixed-Huffman block, then CRC32 and ISIZE (RFC 1952).
    length = len(first) + len(again) * (blocks - 1) + 2 + 8

    def stream() -> Iterator[bytes]:
        yield first
        for _ in range(blocks - 1):
            yield again
        crc = 0
        zeros = bytes(_BOMB_BLOCK)
        for _ in range(blocks):
            crc = zlib.crc32(zeros, crc)
        yield b"\x03\x00" + struct.pack("<II", crc, (blocks * _BOMB_BLOCK) & 0xFFFFFFFF)

    return length, stream

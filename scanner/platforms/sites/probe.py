"""Probing one imported site for one handle, and what its answer means, in the five states.

The order, after the platforms' own (:mod:`scanner.platforms.classify`):

1. no response → ERROR (BLOCKED when the fetcher gave up on a rate-limiting host);
2. a WAF or bot-check page (the global fingerprints) → BLOCKED;
3. 429, or 403 with no rate-limit budget left → BLOCKED; 5xx → ERROR;
4. the site's exists signal and one of its missing signals: both → ERROR, exists alone →
   PRESENT (unless it rests on the status alone and the page is a login page: BLOCKED),
   missing alone → ABSENT;
5. anything else: a login wall or refused access → BLOCKED; a changed page, a redirect
   elsewhere, a bare 404 → ERROR; each with a reason. Nothing but a positively matched missing
   signal is ABSENT.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from scanner.errors import UserPatternTimeout
from scanner.fetch.interface import Fetcher, FetchFailed, FetchOutcome
from scanner.model import ObservationStatus, Reason
from scanner.platforms.classify import GLOBAL_FINGERPRINTS, Verdict, failed, moved, refused
from scanner.platforms.interface import ContentKind
from scanner.platforms.markers import Response, parse_marker
from scanner.platforms.sites.model import ACCOUNT, Method, Site, SiteSignal
from scanner.userregex import UserPatternError, compile_user_pattern

__all__ = [
    "LOGIN_MARKERS",
    "SiteObservation",
    "SiteVerdict",
    "handle_problem",
    "judge",
    "probe_site",
    "profile_url",
]

LOGIN_MARKERS = (
    parse_marker("body~(?i)<input[^>]*type\\s*=\\s*[\"']?password"),
    parse_marker("title~(?i)^\\s*(log ?in|sign ?in)\\b"),
)
"""A login form or a page titled "Log in"/"Sign in": a login wall, not a profile."""
_LOGIN_PATH = parse_marker(
    "final_url~(?i)/(login|log-in|signin|sign-in|sign_in|auth|authwall|session|accounts/login)\\b"
)


@dataclass(frozen=True)
class SiteObservation:
    """What one probe of one site showed: the state and its evidence. ``url`` is the profile
    URL people open, ``probe_url`` the one requested; ``signal`` what decided the state."""

    site: str
    name: str
    handle: str
    status: ObservationStatus
    url: str
    probe_url: str
    fetched_at: datetime
    http_status: int | None = None
    final_url: str | None = None
    signal: str | None = None
    reason: Reason | None = None


@dataclass(frozen=True)
class SiteVerdict:
    status: ObservationStatus
    signal: str
    reason: Reason | None = None


def _filled(template: str, handle: str, site: Site) -> str:
    return template.replace(ACCOUNT, quote(_stripped(site, handle), safe="@"))


def _stripped(site: Site, handle: str) -> str:
    return "".join(c for c in handle if c not in site.strip_chars)


def profile_url(site: Site, handle: str) -> str:
    return _filled(site.url, handle, site)


def handle_problem(site: Site, handle: str) -> str | None:
    """Why ``handle`` cannot exist on ``site`` (nothing is sent then), else None."""
    value = _stripped(site, handle)
    if not value.strip() or any(c.isspace() or ord(c) < 32 for c in value):
        return "empty or contains spaces or control characters"
    if site.handle_pattern is not None:
        try:
            if not compile_user_pattern(site.handle_pattern).search(value):
                return f"does not match the site's pattern {site.handle_pattern}"
        except (UserPatternError, UserPatternTimeout) as exc:
            return f"the site's pattern cannot be used: {exc}"
    return None


async def probe_site(site: Site, handle: str, fetcher: Fetcher) -> SiteObservation:
    """One request (GET, or POST with the site's body) and its verdict; never raises for
    network trouble. Requests carry the site's headers; credentials never come from a list."""
    url = _filled(site.probe_url, handle, site)
    headers = dict(site.headers)
    if site.method is Method.POST:
        value = _stripped(site, handle)
        body = site.body or ""
        # A JSON body takes the handle JSON-escaped (Sherlock's request_payload).
        inner = json.dumps(value)[1:-1] if body.lstrip().startswith(("{", "[")) else value
        outcome = await fetcher.post(url, body.replace(ACCOUNT, inner).encode(), headers=headers)
    else:
        outcome = await fetcher.get(url, headers=headers)
    verdict = judge(site, outcome)
    return SiteObservation(
        site=site.id,
        name=site.name,
        handle=handle,
        status=verdict.status,
        url=profile_url(site, handle),
        probe_url=url,
        fetched_at=outcome.fetched_at,
        http_status=outcome.http_status if isinstance(outcome, FetchFailed) else outcome.status,
        final_url=outcome.final_url,
        signal=verdict.signal,
        reason=verdict.reason,
    )


def judge(site: Site, outcome: FetchOutcome) -> SiteVerdict:
    """What ``outcome`` says about the account (the module docstring's order)."""
    if isinstance(outcome, FetchFailed):
        return _site_verdict(failed(outcome))
    r = Response(outcome)
    return _fingerprinted(site, r) or _refused(site, r) or _signalled(site, r) or _other(site, r)


def _site_verdict(verdict: Verdict) -> SiteVerdict:
    return SiteVerdict(verdict.status, verdict.signal, verdict.reason)


def _fingerprinted(site: Site, r: Response) -> SiteVerdict | None:
    # A well-formed 2xx JSON answer cannot be a block page; its body is a stranger's text.
    structured = 200 <= r.status < 300 and r.content_ok(ContentKind.JSON)
    for fp in GLOBAL_FINGERPRINTS:
        hit = fp.match(r, bodies=not structured)
        if hit is not None:
            return SiteVerdict(
                ObservationStatus.BLOCKED,
                f"fingerprint:{fp.name}:{hit}",
                Reason(fp.code, f"{site.name}: {fp.text} (HTTP {r.status})"),
            )
    return None


def _refused(site: Site, r: Response) -> SiteVerdict | None:
    """Rate limiting is BLOCKED, a 5xx ERROR: the platforms' own step."""
    verdict = refused(site.name, r)
    return _site_verdict(verdict) if verdict is not None else None


def _signalled(site: Site, r: Response) -> SiteVerdict | None:
    exists = _holds(site.exists, r)
    missing = next((m for m in site.missing if _holds(m, r)), None)
    if exists and missing is not None:
        return SiteVerdict(
            ObservationStatus.ERROR,
            f"{_describe(site.exists, r)}|{_describe(missing, r)}",
            Reason("conflicting_signals", f"{site.name}: the answer matches both signals"),
        )
    if exists:
        if site.exists.weak and _login_page(r):
            return _login_wall(site, r)
        return SiteVerdict(ObservationStatus.PRESENT, _describe(site.exists, r))
    if missing is not None:
        return SiteVerdict(
            ObservationStatus.ABSENT,
            _describe(missing, r),
            Reason("not_found", f"{site.name} says this account does not exist (HTTP {r.status})"),
        )
    return None


def _holds(sig: SiteSignal, r: Response) -> bool:
    if r.status not in sig.statuses:
        return False
    if sig.stay and _moved(r):
        return False
    if sig.final_url_prefix is not None:
        prefix = sig.final_url_prefix.replace(ACCOUNT, "")
        if not r.fetched.redirects or not r.fetched.final_url.startswith(prefix):
            return False
    if not (sig.contains or sig.lacks):
        return True
    text = r.text
    if text is None:
        return False  # an undecodable body is no evidence either way
    if sig.contains and not any(t in text for t in sig.contains):
        return False
    return not any(t in text for t in sig.lacks)


def _describe(sig: SiteSignal, r: Response) -> str:
    parts = [f"status:{r.status}"]
    text = r.text or ""
    parts += [f"body:{t}" for t in sig.contains if t in text][:1]
    parts += [f"!body:{t}" for t in sig.lacks][:1]
    if sig.final_url_prefix is not None:
        parts.append(f"final_url:{sig.final_url_prefix}")
    return "+".join(parts)


def _login_page(r: Response) -> bool:
    return any(r.matches(m) for m in LOGIN_MARKERS) or (_moved(r) and r.matches(_LOGIN_PATH))


def _login_wall(site: Site, r: Response) -> SiteVerdict:
    return SiteVerdict(
        ObservationStatus.BLOCKED,
        f"login_wall:status:{r.status}",
        Reason("login_wall", f"{site.name} showed a login page instead of the profile"),
    )


def _other(site: Site, r: Response) -> SiteVerdict:
    """Neither signal held: say why, as BLOCKED (someone stood in the way) or ERROR."""
    status = r.status
    if _login_page(r):
        return _login_wall(site, r)
    if status in (401, 403, 407):
        why = f"{site.name} refused anonymous access (HTTP {status})"
        return SiteVerdict(ObservationStatus.BLOCKED, f"status:{status}", Reason("forbidden", why))
    if _moved(r):
        why = f"{site.name}: redirected elsewhere ({r.fetched.final_url}), which matches no signal"
        return SiteVerdict(
            ObservationStatus.ERROR, f"status:{status}+redirected", Reason("redirected", why)
        )
    if 200 <= status < 300:
        # No known WAF or login page (those are BLOCKED above): a page Rollcall cannot read, as
        # a platform's changed page is an error.
        why = (
            f"{site.name} served a page matching neither signal (a changed page, or a bot check "
            "Rollcall does not recognize)"
        )
        return SiteVerdict(
            ObservationStatus.ERROR, f"status:{status}", Reason("no_signal_page", why)
        )
    why = f"{site.name}'s answer matches neither the exists nor the missing signal (HTTP {status})"
    return SiteVerdict(ObservationStatus.ERROR, f"status:{status}", Reason("no_signal", why))


def _moved(r: Response) -> bool:
    """Redirects ended on another host, port or path than the one requested."""
    return moved(r.fetched) is not None

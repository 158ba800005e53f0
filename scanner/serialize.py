"""Model values as plain data (JSON-able dicts), shared by the reports and the history store.

One home for each value's shape: the JSON report, ``observe --format json``, discovery output and
the history database all write an Observation or a Discovery through these functions, and every
timestamp through :func:`iso`, so neither can drift. Formatting for people lives in the reports
layer, never here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from scanner.model import JSON, Discovery, Observation, SiteHit

__all__ = ["discovery_json", "extracted_json", "iso", "observation_fields", "site_hit_json"]


def iso(value: datetime | date | None) -> str | None:
    """The one timestamp format of every document and of history: ISO 8601, datetimes as the
    same instant in UTC with a Z suffix (naive ones are taken as UTC), dates as they are."""
    if value is None:
        return None
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def extracted_json(obs: Observation) -> dict[str, JSON]:
    """The profile fields an adapter extracted (what a last-known-good copy keeps)."""
    return {
        "display_name": obs.display_name,
        "bio": obs.bio,
        "links": list(obs.links),
        "followers": obs.followers,
        "verified": obs.verified.value,
        "created_at": iso(obs.created_at),
        "last_activity_at": iso(obs.last_activity_at),
        "no_activity_since": iso(obs.no_activity_since),
        "account_state": obs.account_state.value,
    }


def observation_fields(obs: Observation) -> dict[str, JSON]:
    """Every Observation field as JSON, in the report contract's key order."""
    out: dict[str, JSON] = {
        "platform": obs.platform.value,
        "handle": obs.handle,
        "status": obs.status.value,
        "url": obs.url,
        "fetched_at": iso(obs.fetched_at),
        "reason": None
        if obs.reason is None
        else {"code": obs.reason.code, "text": obs.reason.text},
        "http_status": obs.http_status,
        "final_url": obs.final_url,
        "signal": obs.signal,
    }
    out.update(extracted_json(obs))
    out.update(
        etag=obs.etag,
        last_modified=obs.last_modified,
        body_sha256=obs.body_sha256,
        not_modified=obs.not_modified,
    )
    return out


def discovery_json(d: Discovery) -> dict[str, JSON]:
    """A discovered page as JSON (the report contract's ``discoveries`` item); the history
    codec stores the same shape."""
    return {
        "platform": d.platform.value,
        "handle": d.handle,
        "url": d.url,
        "classification": d.classification.value,
        "score": d.score,
        "matched_alias": d.matched_alias,
        "matched_account_id": d.matched_account_id,
        "evidence": list(d.evidence),
        "observation": observation_fields(d.observation),
    }


def site_hit_json(hit: SiteHit) -> dict[str, JSON]:
    """A long-tail site's answer about a brand handle as JSON (discovery and audit reports)."""
    return {
        "handle": hit.handle,
        "site": hit.site,
        "state": hit.status.value,
        "verified": hit.status.verified,
        "url": hit.url,
        "fetched_url": hit.fetched_url,
        "http_status": hit.http_status,
        "fetched_at": iso(hit.fetched_at),
        "signal": hit.signal,
        "reason": hit.reason.code if hit.reason else None,
        "reason_text": hit.reason.text if hit.reason else None,
    }

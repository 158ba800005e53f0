"""Model values as plain data (JSON-able dicts), shared by the reports and the history store.

One home for each value's shape: the JSON report, ``observe --format json``, discovery output and
the history database all write an Observation or a Discovery through these functions, so the
shapes cannot drift. Formatting for people lives in the reports layer, never here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from scanner.model import JSON, Discovery, Observation

__all__ = ["Stamp", "discovery_json", "extracted_json", "iso", "observation_fields"]


def iso(value: datetime | date | None) -> str | None:
    """ISO 8601; datetimes in UTC with a Z suffix (naive ones are taken as UTC)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


Stamp = Callable[[datetime | None], str | None]
"""How an encoder writes timestamps: :func:`iso` for reports; the history codec keeps offsets."""


def extracted_json(obs: Observation, stamp: Stamp = iso) -> dict[str, JSON]:
    """The profile fields an adapter extracted (what a last-known-good copy keeps)."""
    return {
        "display_name": obs.display_name,
        "bio": obs.bio,
        "links": list(obs.links),
        "followers": obs.followers,
        "verified": obs.verified.value,
        "created_at": stamp(obs.created_at),
        "last_activity_at": stamp(obs.last_activity_at),
        "no_activity_since": stamp(obs.no_activity_since),
        "account_state": obs.account_state.value,
    }


def observation_fields(obs: Observation, stamp: Stamp = iso) -> dict[str, JSON]:
    """Every Observation field as JSON, in the report contract's key order."""
    out: dict[str, JSON] = {
        "platform": obs.platform.value,
        "handle": obs.handle,
        "status": obs.status.value,
        "url": obs.url,
        "fetched_at": stamp(obs.fetched_at),
        "reason": None
        if obs.reason is None
        else {"code": obs.reason.code, "text": obs.reason.text},
        "http_status": obs.http_status,
        "final_url": obs.final_url,
        "signal": obs.signal,
    }
    out.update(extracted_json(obs, stamp))
    out.update(
        etag=obs.etag,
        last_modified=obs.last_modified,
        body_sha256=obs.body_sha256,
        not_modified=obs.not_modified,
    )
    return out


def discovery_json(d: Discovery, stamp: Stamp = iso) -> dict[str, JSON]:
    """A discovered page as JSON (the report contract's ``discoveries`` item); the history
    codec stores the same shape with its own timestamps."""
    return {
        "platform": d.platform.value,
        "handle": d.handle,
        "url": d.url,
        "classification": d.classification.value,
        "score": d.score,
        "matched_alias": d.matched_alias,
        "matched_account_id": d.matched_account_id,
        "evidence": list(d.evidence),
        "observation": observation_fields(d.observation, stamp),
    }

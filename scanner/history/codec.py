"""Lossless conversion between scanner.model values and JSON-ready dicts (timestamps through
:func:`scanner.serialize.iso`, the one format: an aware time comes back as the same instant).

The history store keeps the searchable facts in columns and the rest as JSON built here; the
``history`` CLI prints the same dicts. Decoding an unknown enum value raises HistoryError: it
means the database was written by a tool that knows more platforms or states than this one.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import TypeVar

from scanner.errors import HistoryError
from scanner.model import (
    EXTRACTED_FIELDS,
    JSON,
    AccessList,
    AccountState,
    Classification,
    Discovery,
    Finding,
    FindingStatus,
    Holder,
    HolderKind,
    Location,
    Observation,
    ObservationStatus,
    Platform,
    Reason,
    RunInfo,
    Severity,
    Tri,
    WaiverRef,
)
from scanner.serialize import discovery_json, extracted_json, iso, observation_fields

__all__ = [
    "EXTRACTED_FIELDS",
    "access_facts",
    "access_from_dict",
    "access_to_dict",
    "decode_enum",
    "holder_from_dict",
    "holder_to_dict",
    "extracted_to_dict",
    "discovery_from_dict",
    "discovery_to_dict",
    "dumps",
    "finding_from_dict",
    "finding_to_dict",
    "loads",
    "observation_from_dict",
    "observation_to_dict",
    "parse_date",
    "parse_datetime",
    "reason_from_dict",
    "reason_to_dict",
    "run_info_to_dict",
]

E = TypeVar("E", bound=enum.Enum)

# Observation fields kept as one JSON column are model.EXTRACTED_FIELDS (what the platform
# showed) and, when the run read one, the access list without its fetch time (``access``); the
# fetch evidence (URL, status, validators, the two fetch times) has columns of its own.


def dumps(value: JSON) -> str:
    """Canonical JSON text: sorted keys, no spaces, so equal values store equal text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def loads(text: str) -> JSON:
    value: JSON = json.loads(text)
    return value


def parse_datetime(text: object) -> datetime | None:
    if text is None:
        return None
    if not isinstance(text, str):
        raise HistoryError(f"history database holds a malformed timestamp: {text!r}")
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise HistoryError(f"history database holds a malformed timestamp: {text!r}") from exc


def parse_date(text: object) -> date | None:
    if text is None:
        return None
    if not isinstance(text, str):
        raise HistoryError(f"history database holds a malformed date: {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise HistoryError(f"history database holds a malformed date: {text!r}") from exc


def decode_enum(kind: type[E], value: object) -> E:
    try:
        return kind(value)
    except ValueError as exc:
        raise HistoryError(
            f"history database holds {kind.__name__} {value!r}, which this version of Rollcall "
            "does not know (written by a newer version?)"
        ) from exc


def _opt(kind: type[E], value: object) -> E | None:
    return None if value is None else decode_enum(kind, value)


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _int(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise HistoryError(f"history database holds a malformed number: {value!r}")
    return value


def _mapping(value: JSON, what: str) -> Mapping[str, JSON]:
    if not isinstance(value, dict):
        raise HistoryError(f"history database holds malformed {what}: expected an object")
    return value


# --------------------------------------------------------------------------- observation


def extracted_to_dict(obs: Observation) -> dict[str, JSON]:
    return extracted_json(obs)


def observation_to_dict(obs: Observation) -> dict[str, JSON]:
    """Every field of an Observation, as the reports write it, plus ``access`` when the run
    read an access list; ``observation_from_dict`` inverts it (a ``+02:00`` time comes back as
    the same instant in UTC)."""
    out = observation_fields(obs)
    if obs.access is not None:
        out["access"] = access_to_dict(obs.access)
    return out


def observation_from_dict(data: Mapping[str, JSON]) -> Observation:
    fetched_at = parse_datetime(data.get("fetched_at"))
    if fetched_at is None:
        raise HistoryError("history database holds an observation without fetched_at")
    links = data.get("links") or []
    if not isinstance(links, list):
        raise HistoryError("history database holds malformed links: expected a list")
    access = data.get("access")
    return Observation(
        platform=decode_enum(Platform, data.get("platform")),
        handle=str(data.get("handle", "")),
        status=decode_enum(ObservationStatus, data.get("status")),
        url=str(data.get("url", "")),
        fetched_at=fetched_at,
        reason=reason_from_dict(data.get("reason")),
        http_status=_int(data.get("http_status")),
        final_url=_str(data.get("final_url")),
        signal=_str(data.get("signal")),
        display_name=_str(data.get("display_name")),
        bio=_str(data.get("bio")),
        links=tuple(str(x) for x in links),
        followers=_int(data.get("followers")),
        verified=decode_enum(Tri, data.get("verified", Tri.UNKNOWN.value)),
        created_at=parse_datetime(data.get("created_at")),
        last_activity_at=parse_datetime(data.get("last_activity_at")),
        no_activity_since=parse_datetime(data.get("no_activity_since")),
        account_state=decode_enum(
            AccountState, data.get("account_state", AccountState.UNKNOWN.value)
        ),
        etag=_str(data.get("etag")),
        last_modified=_str(data.get("last_modified")),
        body_sha256=_str(data.get("body_sha256")),
        not_modified=bool(data.get("not_modified", False)),
        access=None if access is None else access_from_dict(_mapping(access, "access list")),
    )


def reason_to_dict(reason: Reason | None) -> dict[str, JSON] | None:
    return None if reason is None else {"code": reason.code, "text": reason.text}


def reason_from_dict(data: JSON) -> Reason | None:
    if data is None:
        return None
    m = _mapping(data, "reason")
    return Reason(str(m.get("code", "")), str(m.get("text", "")))


# --------------------------------------------------------------------------- access


def holder_to_dict(h: Holder) -> dict[str, JSON]:
    return {
        "kind": h.kind.value,
        "platform_id": h.platform_id,
        "name": h.name,
        "email": h.email,
        "role": h.role,
        "admin": h.admin,
        "two_factor": h.two_factor.value,
        "via": h.via,
    }


def holder_from_dict(data: Mapping[str, JSON]) -> Holder:
    return Holder(
        kind=decode_enum(HolderKind, data.get("kind")),
        platform_id=_str(data.get("platform_id")),
        name=_str(data.get("name")),
        email=_str(data.get("email")),
        role=str(data.get("role", "")),
        admin=bool(data.get("admin", False)),
        two_factor=decode_enum(Tri, data.get("two_factor", Tri.UNKNOWN.value)),
        via=str(data.get("via", "")),
    )


def access_facts(access: AccessList) -> dict[str, JSON]:
    """An access list without its fetch time: what the history stores once by digest, so an
    unchanged list of holders read every week is one row (the time is kept per run)."""
    return {
        "holders": [holder_to_dict(h) for h in access.holders],
        "url": access.url,
        "reason": reason_to_dict(access.reason),
        "gaps": [reason_to_dict(g) for g in access.gaps],
    }


def access_to_dict(access: AccessList) -> dict[str, JSON]:
    return {**access_facts(access), "fetched_at": iso(access.fetched_at)}


def access_from_dict(data: Mapping[str, JSON]) -> AccessList:
    fetched_at = parse_datetime(data.get("fetched_at"))
    if fetched_at is None:
        raise HistoryError("history database holds an access list without fetched_at")
    holders = data.get("holders") or []
    gaps = data.get("gaps") or []
    if not isinstance(holders, list) or not isinstance(gaps, list):
        raise HistoryError("history database holds a malformed access list")
    read_gaps = tuple(reason_from_dict(g) for g in gaps)
    return AccessList(
        holders=tuple(holder_from_dict(_mapping(h, "holder")) for h in holders),
        url=str(data.get("url", "")),
        fetched_at=fetched_at,
        reason=reason_from_dict(data.get("reason")),
        gaps=tuple(g for g in read_gaps if g is not None),
    )


# --------------------------------------------------------------------------- finding


def waiver_to_dict(w: WaiverRef | None) -> dict[str, JSON] | None:
    if w is None:
        return None
    return {
        "id": w.id,
        "expires": w.expires.isoformat(),
        "reason": w.reason,
        "approved_by": w.approved_by,
    }


def waiver_from_dict(data: JSON) -> WaiverRef | None:
    if data is None:
        return None
    m = _mapping(data, "waiver")
    expires = parse_date(m.get("expires"))
    if expires is None:
        raise HistoryError("history database holds a waiver without an expiry date")
    return WaiverRef(
        id=str(m.get("id", "")),
        expires=expires,
        reason=str(m.get("reason", "")),
        approved_by=str(m.get("approved_by", "")),
    )


def finding_to_dict(f: Finding) -> dict[str, JSON]:
    return {
        "fingerprint": f.fingerprint,
        "rule_id": f.rule_id,
        "title": f.title,
        "severity": f.severity.value,
        "status": f.status.value,
        "category": f.category,
        "account_id": f.account_id,
        "platform": None if f.platform is None else f.platform.value,
        "handle": f.handle,
        "message": f.message,
        "remediation": f.remediation,
        "location": {"file": f.location.file, "line": f.location.line, "column": f.location.column},
        "evidence": dict(f.evidence),
        "waiver": waiver_to_dict(f.waiver),
    }


def finding_from_dict(data: Mapping[str, JSON]) -> Finding:
    loc = _mapping(data.get("location") or {}, "location")
    evidence = data.get("evidence") or {}
    return Finding(
        rule_id=str(data.get("rule_id", "")),
        title=str(data.get("title", "")),
        severity=decode_enum(Severity, data.get("severity")),
        status=decode_enum(FindingStatus, data.get("status")),
        category=str(data.get("category", "")),
        account_id=_str(data.get("account_id")),
        platform=_opt(Platform, data.get("platform")),
        handle=_str(data.get("handle")),
        message=str(data.get("message", "")),
        remediation=str(data.get("remediation", "")),
        location=Location(
            file=str(loc.get("file", "")),
            line=_int(loc.get("line")),
            column=_int(loc.get("column")),
        ),
        fingerprint=str(data.get("fingerprint", "")),
        evidence=dict(_mapping(evidence, "evidence")),
        waiver=waiver_from_dict(data.get("waiver")),
    )


# --------------------------------------------------------------------------- discovery


def discovery_to_dict(d: Discovery) -> dict[str, JSON]:
    return discovery_json(d)


def discovery_from_dict(data: Mapping[str, JSON]) -> Discovery:
    evidence = data.get("evidence") or []
    if not isinstance(evidence, list):
        raise HistoryError("history database holds malformed discovery evidence")
    score = _int(data.get("score"))
    return Discovery(
        platform=decode_enum(Platform, data.get("platform")),
        handle=str(data.get("handle", "")),
        url=str(data.get("url", "")),
        classification=decode_enum(Classification, data.get("classification")),
        score=0 if score is None else score,
        matched_alias=_str(data.get("matched_alias")),
        matched_account_id=_str(data.get("matched_account_id")),
        evidence=tuple(str(x) for x in evidence),
        observation=observation_from_dict(_mapping(data.get("observation"), "observation")),
    )


# --------------------------------------------------------------------------- run


def run_info_to_dict(run: RunInfo) -> dict[str, JSON]:
    return {
        "run_id": run.run_id,
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
        "tool_version": run.tool_version,
        "inventory_path": run.inventory_path,
        "inventory_sha256": run.inventory_sha256,
        "policy_packs": [{"path": p, "sha256": h} for p, h in run.policy_packs],
        "complete": run.complete,
        "as_of": run.as_of.isoformat(),
        "offline": run.offline,
        "replay_of": run.replay_of,
    }

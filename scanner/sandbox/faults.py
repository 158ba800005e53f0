"""Faults the sandbox can inject: their closed set, their parameters and how they are parsed.

A fault is written in a world file (per account or per platform) or set at run time by a test, as
a bare name (``login_wall``) or a mapping (``{kind: latency, ms: 100}``).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scanner.errors import did_you_mean

__all__ = [
    "API_INAPPLICABLE",
    "FAULT_PARAMS",
    "Fault",
    "FaultKind",
    "FaultSpecError",
    "WafVendor",
    "parse_fault",
]


class FaultKind(enum.StrEnum):
    """Every way the sandbox can misbehave (the issue's fault matrix)."""

    LATENCY = "latency"
    RATE_LIMIT = "rate_limit"
    ENFORCE_RATE = "enforce_rate"
    HTTP_5XX = "http_5xx"
    TIMEOUT = "timeout"
    CONNECTION_RESET = "connection_reset"
    LOGIN_WALL = "login_wall"
    WAF_CHALLENGE = "waf_challenge"
    SOFT_404 = "soft_404"
    HTML_INSTEAD_OF_JSON = "html_instead_of_json"
    TRUNCATED_BODY = "truncated_body"
    MALFORMED_BODY = "malformed_body"
    HUGE_BODY = "huge_body"
    GZIP_BOMB = "gzip_bomb"
    REDIRECT_LOOP = "redirect_loop"
    REDIRECT_PRIVATE = "redirect_private"
    WRONG_ENCODING = "wrong_encoding"


API_INAPPLICABLE = frozenset({FaultKind.LOGIN_WALL, FaultKind.SOFT_404})
"""Faults of web pages that an owner API has no form of: refused for API hosts."""


class WafVendor(enum.StrEnum):
    """Bot-protection vendors whose challenge pages the sandbox imitates."""

    CLOUDFLARE = "cloudflare"
    INCAPSULA = "incapsula"
    DDOS_GUARD = "ddos_guard"
    AWS_WAF = "aws_waf"
    PERIMETERX = "perimeterx"


@dataclass(frozen=True)
class _Param:
    """One fault parameter: accepted Python types and the default (``None`` = optional/null)."""

    types: tuple[type, ...]
    default: Any
    minimum: float | None = None
    choices: tuple[str, ...] = ()


_NUMBER = (int, float)

FAULT_PARAMS: dict[FaultKind, dict[str, _Param]] = {
    FaultKind.LATENCY: {"ms": _Param(_NUMBER, 100, minimum=0)},
    # retry_after null = no Retry-After header (Mastodon never sends one, rack_attack.rb);
    # reset = seconds until the advertised reset; status null = the platform's usual status.
    FaultKind.RATE_LIMIT: {
        "retry_after": _Param(_NUMBER, None, minimum=0),
        "reset": _Param(_NUMBER, 60, minimum=0),
        "status": _Param((int,), None, minimum=400),
    },
    FaultKind.ENFORCE_RATE: {
        "per_second": _Param(_NUMBER, 10, minimum=0.001),
        "window": _Param(_NUMBER, 1.0, minimum=0.001),
    },
    FaultKind.HTTP_5XX: {
        "count": _Param((int,), 3, minimum=0),
        "status": _Param((int,), 503, minimum=500),
    },
    FaultKind.TIMEOUT: {"seconds": _Param(_NUMBER, 30, minimum=0)},
    FaultKind.CONNECTION_RESET: {},
    FaultKind.LOGIN_WALL: {},
    FaultKind.WAF_CHALLENGE: {
        "vendor": _Param((str,), "cloudflare", choices=tuple(v.value for v in WafVendor))
    },
    FaultKind.SOFT_404: {},
    FaultKind.HTML_INSTEAD_OF_JSON: {},
    FaultKind.TRUNCATED_BODY: {},
    FaultKind.MALFORMED_BODY: {},
    FaultKind.HUGE_BODY: {"bytes": _Param((int,), 64 * 1024 * 1024, minimum=1)},
    FaultKind.GZIP_BOMB: {"expanded_bytes": _Param((int,), (1 << 30) + (64 << 20), minimum=1)},
    FaultKind.REDIRECT_LOOP: {},
    FaultKind.REDIRECT_PRIVATE: {"target": _Param((str,), "http://10.0.0.1/")},
    FaultKind.WRONG_ENCODING: {
        "declared": _Param((str,), "utf-8"),
        "actual": _Param((str,), "cp1252"),
    },
}


class FaultSpecError(ValueError):
    """A fault written wrongly; the message says what was expected."""


@dataclass(frozen=True)
class Fault:
    """One fault with all its parameters filled in (defaults applied)."""

    kind: FaultKind
    params: Mapping[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        if name in self.params:
            return self.params[name]
        return FAULT_PARAMS[self.kind][name].default

    def describe(self) -> str:
        if not self.params:
            return self.kind.value
        args = ", ".join(f"{k}={v!r}" for k, v in sorted(self.params.items()))
        return f"{self.kind.value}{{{args}}}"

    @classmethod
    def of(cls, kind: FaultKind | str, **params: Any) -> Fault:
        """Build a fault in code, validating like the world loader: ``Fault.of("latency", ms=50)``."""
        return parse_fault({"kind": str(kind), **params})


def _did_you_mean(word: str, options: list[str]) -> str:
    close = did_you_mean(word, options)
    return f"; {close}" if close else ""


def parse_fault(value: object) -> Fault:
    """Parse ``"login_wall"`` or ``{"kind": "latency", "ms": 50}``; raise FaultSpecError."""
    if isinstance(value, Fault):
        return value
    kinds = [k.value for k in FaultKind]
    if isinstance(value, str):
        raw_kind: object = value
        raw_params: Mapping[str, Any] = {}
    elif isinstance(value, Mapping):
        if "kind" not in value:
            raise FaultSpecError(
                f"fault mapping needs a 'kind' key; expected one of {', '.join(kinds)}"
            )
        raw_kind = value["kind"]
        raw_params = {str(k): v for k, v in value.items() if k != "kind"}
    else:
        raise FaultSpecError(
            f"expected a fault name or a mapping with 'kind', got {type(value).__name__}"
        )
    if not isinstance(raw_kind, str) or raw_kind not in kinds:
        raise FaultSpecError(
            f"unknown fault kind {raw_kind!r}{_did_you_mean(str(raw_kind), kinds)} "
            f"(expected one of {', '.join(kinds)})"
        )
    kind = FaultKind(raw_kind)
    spec = FAULT_PARAMS[kind]
    params: dict[str, Any] = {}
    for name, raw in raw_params.items():
        if name not in spec:
            allowed = ", ".join(spec) or "no parameters"
            raise FaultSpecError(
                f"fault {kind.value!r} has no parameter {name!r}"
                f"{_did_you_mean(name, list(spec))} (it takes {allowed})"
            )
        params[name] = _check_param(kind, name, spec[name], raw)
    return Fault(kind, params)


def _check_param(kind: FaultKind, name: str, spec: _Param, raw: object) -> Any:
    if raw is None:
        if spec.default is None:
            return None
        raise FaultSpecError(f"{kind.value}.{name}: expected a value, got null")
    # bool is an int subclass in Python; a YAML 'true' is never a number here.
    if isinstance(raw, bool) or not isinstance(raw, spec.types):
        wanted = " or ".join("number" if t in _NUMBER else t.__name__ for t in spec.types)
        raise FaultSpecError(f"{kind.value}.{name}: expected {wanted}, got {raw!r}")
    if spec.minimum is not None and isinstance(raw, (int, float)) and raw < spec.minimum:
        raise FaultSpecError(f"{kind.value}.{name}: expected at least {spec.minimum}, got {raw!r}")
    if spec.choices and raw not in spec.choices:
        raise FaultSpecError(
            f"{kind.value}.{name}: unknown value {raw!r}{_did_you_mean(str(raw), list(spec.choices))} "
            f"(expected one of {', '.join(spec.choices)})"
        )
    return raw

"""Hostile names, bios and links (terminal escapes, C0/C1 controls, bidi and zero-width
characters), an audit result carrying them in every untrusted field, and the check that output
carries none of them."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from typing import Any

from scanner.model import AuditResult, Discovery, Finding, Observation, Reason
from tests.reports.builders import audit_result

# One of each: what a terminal would obey, and what would make text read other than it is.
OSC_TITLE = "\x1b]0;owned-title\x07"
OSC8_LINK = "\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\"
CSI_COLOUR = "\x1b[31mred\x1b[0m"
C1_CSI = "\x9b2J"
C1_OSC = "\x9d0;c1-title\x9c"
DCS = "\x1bPq#0;2;0;0;0\x1b\\"
BIDI = {
    "\u202a": "LRE",
    "\u202b": "RLE",
    "\u202c": "PDF",
    "\u202d": "LRO",
    "\u202e": "RLO",
    "\u2066": "LRI",
    "\u2067": "RLI",
    "\u2068": "FSI",
    "\u2069": "PDI",
    "\u061c": "ALM",
    "\u200e": "LRM",
    "\u200f": "RLM",
}
ZERO_WIDTH = {
    "\u200b": "ZWSP",
    "\u200c": "ZWNJ",
    "\u200d": "ZWJ",
    "\u2060": "WJ",
    "\ufeff": "BOM",
}

HOSTILE_NAME = (
    f"Copper Kettle {OSC_TITLE}{OSC8_LINK} {CSI_COLOUR} bell\x07 nul\x00 {C1_CSI}{C1_OSC}"
    " \u202eofficial\u202c \u2066iso\u2069 alm\u061c lrm\u200e rlm\u200f"
    " copper\u200bkettle \u200c\u200d\u2060\ufeff 👩\u200d💻"
)
HOSTILE_BIO = (
    f"Roasting since 2012 {DCS}\x1b_apc\x1b\\\x1b^pm\x1b\\\x1bXsos\x1b\\ \x9d8;;https://evil/\x07"
    "line\x0bbreak\x0cform\x7fdel\x85nel \u202a\u202b\u202d\u2067\u2068 end"
)
HOSTILE_LINK = "https://copperkettle.coffee/\u202egpj.exe\u2069\x1b]0;t\x07"
HOSTILE_REASON = f"server said: {OSC_TITLE}{CSI_COLOUR} \u202eretaw\u200b"
HOSTILE_HANDLE = "copper\u200bkettle\u202e_hq"

# Everything no output may carry. Tab, LF and CR are the only controls a file may hold (CSV line
# ends, JSON and XML escape them), and terminal output may not hold CR or tab either.
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + "".join(BIDI) + "".join(ZERO_WIDTH) + "\u2060-\u2064]"
)
FORBIDDEN_ON_TERMINAL = re.compile(FORBIDDEN.pattern[:-1] + "\t\r]")
# What the fixture's payloads say once neutralized: the escape sequences' own text is gone.
LEAKED_PAYLOAD = ("owned-title", "c1-title", "https://evil.example/", "https://evil/", "#0;2;0")


def forbidden_in(text: str, *, terminal: bool = False) -> list[str]:
    """The forbidden characters in ``text``, as code points (empty: clean)."""
    pattern = FORBIDDEN_ON_TERMINAL if terminal else FORBIDDEN
    return sorted({f"U+{ord(m.group()):04X}" for m in pattern.finditer(text)})


def json_strings(value: Any) -> Iterator[str]:
    """Every string of a parsed JSON document, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from json_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from json_strings(v)


def forbidden_in_json(text: str) -> list[str]:
    """Forbidden characters raw in the file text or inside any parsed string."""
    found = set(forbidden_in(text))
    for s in json_strings(json.loads(text)):
        found.update(forbidden_in(s))
    return sorted(found)


def _hostile_obs(obs: Observation | None) -> Observation | None:
    if obs is None:
        return None
    if obs.reason is not None:
        return dataclasses.replace(obs, reason=Reason(obs.reason.code, HOSTILE_REASON))
    if obs.display_name is None:
        return obs
    return dataclasses.replace(
        obs, display_name=HOSTILE_NAME, bio=HOSTILE_BIO, links=(HOSTILE_LINK,)
    )


def _hostile_finding(f: Finding) -> Finding:
    return dataclasses.replace(
        f,
        message=f"live display name {HOSTILE_NAME} is not ours",
        evidence={
            **f.evidence,
            "live.display_name": HOSTILE_NAME,
            "live.bio": HOSTILE_BIO,
            "live.links": [HOSTILE_LINK],
            "reason": HOSTILE_REASON,
        },
    )


def _hostile_discovery(d: Discovery) -> Discovery:
    obs = _hostile_obs(d.observation)
    assert obs is not None
    return dataclasses.replace(
        d,
        handle=HOSTILE_HANDLE,
        url=HOSTILE_LINK,
        evidence=(f"display name {HOSTILE_NAME} matches the alias", f"links to {HOSTILE_LINK}"),
        observation=dataclasses.replace(obs, handle=HOSTILE_HANDLE),
    )


def hostile_result() -> AuditResult:
    """The report fixture with hostile text in every field a platform or a page writes: display
    names, bios, links, reasons, messages and evidence quoting them, discovered handles."""
    result = audit_result()
    findings = tuple(_hostile_finding(f) for f in result.findings)
    baseline = result.baseline
    if baseline is not None:
        baseline = dataclasses.replace(
            baseline, resolved=tuple(_hostile_finding(f) for f in baseline.resolved)
        )
    return dataclasses.replace(
        result,
        accounts=tuple(
            dataclasses.replace(
                a,
                observation=_hostile_obs(a.observation),
                last_known_good=_hostile_obs(a.last_known_good),
            )
            for a in result.accounts
        ),
        findings=findings,
        discoveries=tuple(_hostile_discovery(d) for d in result.discoveries),
        baseline=baseline,
    )

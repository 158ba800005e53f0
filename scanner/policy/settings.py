"""Pack params that discovery, waivers and the orphaned-page report read (``discovery.*``,
``waivers.*``, ``orphans.*``): their bounds, checked at load time with the line that set them."""

from __future__ import annotations

from scanner.errors import did_you_mean
from scanner.model import Severity
from scanner.policy.operators import describe_value
from scanner.policy.packs import PackState

__all__ = ["STAGE_PARAMS", "STAGE_PREFIXES", "check_stage_params"]

# (lowest, highest or None, whole numbers only). Checked here, with the line that set them, so a
# bad value fails `policy validate` instead of a later run; a name under these prefixes that is
# not listed is a typo, never a new setting.
STAGE_PARAMS: dict[str, tuple[int, int | None, bool]] = {
    "discovery.rogue_threshold": (0, 100, False),
    "discovery.unlisted_threshold": (0, 100, False),
    "discovery.duplicate_threshold": (0, 100, False),
    "discovery.disclaimer_penalty": (0, 100, False),
    "discovery.max_candidates": (0, None, True),
    "discovery.max_site_handles": (0, 50, True),
    "discovery.rogue_min_signals": (1, 20, True),
    "discovery.recent_days": (0, 36500, True),
    "discovery.established_days": (0, 36500, True),
    "waivers.max_days": (1, None, True),
    "waivers.warn_days": (0, None, True),
    # Days to fix an orphaned page, by severity (scanner.reports.orphans.due_days).
    **{f"orphans.due_days.{s.value}": (0, None, True) for s in Severity},
}
STAGE_PREFIXES = frozenset(name.partition(".")[0] for name in STAGE_PARAMS)


def check_stage_params(state: PackState) -> None:
    """Record a problem for every stage param that is unknown or out of its bounds."""
    for name, param in state.settings.items():
        if name.partition(".")[0] not in STAGE_PREFIXES:
            continue
        if name not in STAGE_PARAMS:
            state.problem(
                param.file,
                param.line,
                f"unknown param {name!r}; expected one of {', '.join(STAGE_PARAMS)}",
                hint=did_you_mean(name, STAGE_PARAMS),
            )
            continue
        low, high, whole = STAGE_PARAMS[name]
        value = param.value
        number = isinstance(value, int) if whole else isinstance(value, (int, float))
        if (
            isinstance(value, (bool, str))
            or not number
            or value < low
            or (high is not None and value > high)
        ):
            kind = "a whole number" if whole else "a number"
            bounds = f"from {low} to {high}" if high is not None else f"of {low} or more"
            state.problem(
                param.file,
                param.line,
                f"param {name!r}: expected {kind} {bounds}, got {describe_value(value)}",
            )

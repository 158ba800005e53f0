"""The "Long-tail sites" part shared by the discovery document and the audit's discovery
section: what the imported sites said about the brand's handles. Present ones are listed (the
handle is registered there, owner unknown), unverified ones listed with their reason, absent
ones only counted. Every string here may quote a server: callers sanitize for their format."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from scanner import humanize
from scanner.model import ObservationStatus, SiteHit

__all__ = ["TITLE", "TailRow", "tail_counts", "tail_rows", "tail_summary", "tail_unverified"]

TITLE = "Long-tail sites"


@dataclass(frozen=True)
class TailRow:
    """One listed answer: ``state`` is present or the unverified state; ``note`` says what to
    do (present) or why the site could not tell (unverified)."""

    state: str
    handle: str
    site: str
    url: str
    note: str


def tail_counts(hits: Sequence[SiteHit]) -> dict[ObservationStatus, int]:
    """How many answers each state got, every state listed (zero included) in the enum's
    order: the one count every format shows."""
    states = Counter(h.status for h in hits)
    return {s: states[s] for s in ObservationStatus}


def tail_summary(hits: Sequence[SiteHit]) -> str:
    """``Asked 12 sites about 2 brand handles: 3 present, 8 absent, 1 unverified (1 blocked).``
    (the unverified states that occurred, in brackets, only when some answer was unverified)."""
    counts = tail_counts(hits)
    present = counts[ObservationStatus.PRESENT]
    absent = counts[ObservationStatus.ABSENT]
    unverified = {s: n for s, n in counts.items() if not s.verified and n}
    states = ", ".join(f"{n} {s.value}" for s, n in unverified.items())
    sites = len({h.site for h in hits})
    handles = len({h.handle for h in hits})
    return (
        f"Asked {humanize.count(sites, 'site')} about "
        f"{humanize.count(handles, 'brand handle')}: {present} present, {absent} absent, "
        f"{sum(unverified.values())} unverified" + (f" ({states})." if states else ".")
    )


def _row(hit: SiteHit) -> TailRow:
    if hit.status is ObservationStatus.PRESENT:
        note = "the brand's handle is registered here (owner unknown): check by hand"
    else:
        note = hit.reason.text if hit.reason else f"no usable answer ({hit.signal or '-'})"
    return TailRow(hit.status.value, hit.handle, hit.site, hit.url, note)


def tail_rows(hits: Sequence[SiteHit]) -> list[TailRow]:
    """Present answers, then unverified ones, each by site and handle; absent ones are left
    out (the summary counts them)."""
    listed = [h for h in hits if h.status is not ObservationStatus.ABSENT]
    ordered = sorted(
        listed, key=lambda h: (h.status is not ObservationStatus.PRESENT, h.site, h.handle)
    )
    return [_row(h) for h in ordered]


def tail_unverified(hits: Sequence[SiteHit]) -> list[TailRow]:
    """The unverified answers alone (blocked, error, invalid), by site and handle, each with
    its reason: what a reader must know was not checked."""
    return [r for r in tail_rows(hits) if r.state != ObservationStatus.PRESENT.value]

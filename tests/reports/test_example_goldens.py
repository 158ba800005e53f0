"""Golden files per format on the example organization's real audit (sandbox, discovery, as of
the world's date, as ``rollcall demo`` runs it), after a small normalizer for what varies between runs.
A deliberate change of output: regenerate with
``ROLLCALL_UPDATE_GOLDEN=1 pytest tests/reports/test_example_goldens.py`` and review the diff."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scanner.examples import example_inventory_path
from scanner.reports import Document, ReportFormat, file_suffix, formats_for, formatter_for
from scanner.reports.orphans import build, render_orphans
from tests.reports.example_audit import run_example_audit

GOLDEN = Path(__file__).parent / "golden" / "example"
ROOT = example_inventory_path().parent.parent

# Any ISO 8601 timestamp as the reports write it (``iso()``: UTC with a Z suffix; the fraction
# is dropped when the microseconds happen to be zero, so it is optional here), and a time as
# people read it (``scanner.humanize.minute``/``moment``: UTC to the minute).
_TIMESTAMP = re.compile(
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?"
    r"|\d{4}-\d\d-\d\d \d\d:\d\d(?! ?\d)(?: UTC)?"
)

ORPHAN_FORMATS = formats_for(Document.ORPHANS)


@dataclass(frozen=True)
class Normalizer:
    """What legitimately varies between two audits of the same world, and nothing else:

    - clock readings taken while the audit ran (run started/finished, every observation's
      ``fetched_at``) become ``<NOW>``: a timestamp counts as one
      when it falls between the run's start and the moment of rendering, which no post date of
      the world (fixed dates, whole seconds) can (a time written to the minute counts from the
      start of the run's minute);
    - the sandbox's base URL (a free port each run) becomes ``http://sandbox``;
    - the checkout's absolute path becomes ``<ROOT>``.

    Everything else is kept, fingerprints included: they hash stable ids, never time or ports.
    """

    started: datetime
    rendered: datetime
    sandbox_url: str
    root: str

    def __call__(self, text: str) -> str:
        text = _TIMESTAMP.sub(self._clock, text)
        return text.replace(self.sandbox_url, "http://sandbox").replace(self.root, "<ROOT>")

    def _clock(self, match: re.Match[str]) -> str:
        try:
            value = datetime.fromisoformat(match.group(0).removesuffix(" UTC"))
        except ValueError:  # date-shaped text that is no date (e.g. month 13): not a clock
            return match.group(0)
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        # A second of slack each side: formats may round the start down to whole seconds; people
        # read times to the minute, which rounds it down to the minute.
        low, high = self.started - timedelta(seconds=1), self.rendered + timedelta(seconds=1)
        if match.group(0)[10] == " ":
            low = self.started.replace(second=0, microsecond=0)
        return "<NOW>" if low <= aware <= high else match.group(0)


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    """Every format of the example audit, normalized, by golden file name."""
    example = run_example_audit()
    result = example.result
    texts: dict[str, str] = {}
    # SARIF locates findings relative to the working directory; render from the checkout root
    # so the URIs are the same wherever pytest was started.
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        for fmt in ReportFormat:
            texts[f"audit{file_suffix(fmt)}"] = formatter_for(fmt.value).render(result, color=False)
        orphans = build(result)
        for kind in ORPHAN_FORMATS:
            texts[f"orphans{file_suffix(kind)}"] = render_orphans(orphans, kind.value)
    normalize = Normalizer(
        started=result.run.started_at,
        rendered=datetime.now(UTC),
        sandbox_url=example.sandbox_url,
        root=str(ROOT),
    )
    return {name: normalize(text) for name, text in texts.items()}


def _golden_names() -> Iterator[str]:
    yield from (f"audit{file_suffix(fmt)}" for fmt in ReportFormat)
    yield from (f"orphans{file_suffix(kind)}" for kind in ORPHAN_FORMATS)


@pytest.mark.parametrize("name", list(_golden_names()))
def test_example_report_golden(rendered: dict[str, str], name: str) -> None:
    path = GOLDEN / name
    text = rendered[name]
    if os.environ.get("ROLLCALL_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert path.exists(), f"missing golden {path}; run with ROLLCALL_UPDATE_GOLDEN=1"
    assert text == path.read_bytes().decode("utf-8"), f"{name} differs from its golden file"


def test_normalizer_keeps_world_dates_and_replaces_clock_readings() -> None:
    now = datetime(2030, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    normalize = Normalizer(
        started=now,
        rendered=now + timedelta(seconds=5),
        sandbox_url="http://127.0.0.1:41234",
        root="/checkout",
    )
    text = (
        "fetched 2030-01-02T03:04:06.123456Z, finished 2030-01-02T03:04:09Z,"
        " posted 2026-11-09T14:15:00Z, as of 2026-11-15, run on 2030-01-02 03:04 UTC,"
        " seen 2030-01-02 03:04, posted 2026-11-09 14:15 UTC, before 2030-01-02 03:03,"
        " url http://127.0.0.1:41234/x/copperkettle, file /checkout/inventories/a.yaml"
    )
    assert normalize(text) == (
        "fetched <NOW>, finished <NOW>, posted 2026-11-09T14:15:00Z, as of 2026-11-15,"
        " run on <NOW>, seen <NOW>, posted 2026-11-09 14:15 UTC, before 2030-01-02 03:03,"
        " url http://sandbox/x/copperkettle, file <ROOT>/inventories/a.yaml"
    )

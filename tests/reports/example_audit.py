"""The example organization's audit as ``rollcall demo`` runs it (sandbox, discovery, the world's
date), for the report tests that check real output rather than a synthetic result."""

from __future__ import annotations

from dataclasses import dataclass

from scanner.cli.common import execute_audit
from scanner.cli.demo import demo_config
from scanner.examples import example_inventory_path
from scanner.model import AuditResult
from scanner.runs.audit import AuditOptions
from scanner.sandbox import DEMO_CREDENTIALS, Sandbox, example_world_path, load_world

__all__ = ["ExampleAudit", "run_example_audit"]


@dataclass(frozen=True)
class ExampleAudit:
    """The result, and the sandbox address it was fetched from (its port changes every run)."""

    result: AuditResult
    sandbox_url: str


def run_example_audit() -> ExampleAudit:
    """Audit the example inventory against the sandbox as of the world's date, with discovery.

    Without history, unlike the demo: a history only adds this run's trend row, whose chart
    labels are the calendar date of the run, which no normalizer can tell from a world date."""
    world = load_world(example_world_path())
    with Sandbox(world) as sandbox:
        options = AuditOptions(
            inventory=example_inventory_path(),
            as_of=world.as_of,
            use_history=False,
            discover=True,
        )
        # The demo's config: its named credentials, the sandbox's tokens, no per-host delay.
        config = demo_config(sandbox.endpoints(), DEMO_CREDENTIALS)
        return ExampleAudit(execute_audit(options, config), sandbox.base_url)

"""Inventory and HR roster loading with line-accurate, shape-only validation.

Public API: :func:`load_inventory` (YAML or CSV, by extension; loads the roster it names) and
:func:`load_roster` (CSV or YAML). Both raise :class:`~scanner.errors.ValidationError` listing
every problem as file:line:column with the field and what was expected.

A CSV inventory holds only accounts (columns as in the YAML form, ``security.mfa`` etc. flat,
``metrics``/``tags`` split on ``;``). Its organization lives in a required companion file next
to it, ``<name>.org.yaml`` (``accounts.csv`` → ``accounts.org.yaml``), holding the same
``organization:`` mapping as a YAML inventory; its paths resolve relative to that file.
``Inventory.sha256`` is the sha256 of the inventory file's bytes (the CSV for a CSV inventory).
"""

from __future__ import annotations

from scanner.inventory.loader import (
    ACCOUNT_FIELDS,
    CSV_COLUMNS,
    ORGANIZATION_FIELDS,
    companion_path,
    load_inventory,
)
from scanner.inventory.roster import PERSON_FIELDS, load_roster
from scanner.inventory.summary import InventorySummary, summarize

__all__ = [
    "ACCOUNT_FIELDS",
    "CSV_COLUMNS",
    "ORGANIZATION_FIELDS",
    "PERSON_FIELDS",
    "InventorySummary",
    "companion_path",
    "load_inventory",
    "load_roster",
    "summarize",
]

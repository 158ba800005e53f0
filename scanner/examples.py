"""Where the shipped example organization lives, in a source checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

__all__ = ["EXAMPLE_INVENTORY", "example_inventory_path"]

EXAMPLE_INVENTORY = "copper-kettle.yaml"


def example_inventory_path() -> Path:
    """The example inventory: ``inventories/`` of the checkout, else the copy inside the wheel."""
    package = Path(__file__).resolve().parent
    for folder in (package.parent / "inventories", package / "_examples" / "inventories"):
        candidate = folder / EXAMPLE_INVENTORY
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"example inventory {EXAMPLE_INVENTORY} is not installed")

"""Where the shipped example organization lives, in a source checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

__all__ = ["EXAMPLE_CONFIG", "EXAMPLE_INVENTORY", "example_config_path", "example_inventory_path"]

EXAMPLE_INVENTORY = "copper-kettle.yaml"
EXAMPLE_CONFIG = "copper-kettle.rollcall.toml"


def example_inventory_path() -> Path:
    """The example inventory: ``inventories/`` of the checkout, else the copy inside the wheel."""
    return _example(EXAMPLE_INVENTORY)


def example_config_path() -> Path:
    """The example organization's config file (its named owner-API credentials), beside it."""
    return _example(EXAMPLE_CONFIG)


def _example(name: str) -> Path:
    package = Path(__file__).resolve().parent
    for folder in (package.parent / "inventories", package / "_examples" / "inventories"):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"example file {name} is not installed")
